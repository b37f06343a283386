"""Model instances from hand-written SQL, for the few lookups every API request makes.

The ORM spends about a millisecond building and reading even a one-row query (compiling the
lookups, the joins, the converters). The token, membership and project lookups run on every
request, so they are written out once here as plain SQL over several tables
(docs/decisions/0014-request-scope-in-one-query.md). What comes back is turned into ordinary
model instances exactly as the ORM would: the backend's and the fields' converters applied
(SQLite returns datetimes as text, booleans as integers), then `Model.from_db`.

    sql = f"SELECT {columns(User, 'u')} FROM ..."
    user = instance(User, row[:width(User)])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model

M = TypeVar("M", bound=Model)


def columns(model: type[Model], alias: str) -> str:
    """The model's concrete columns, qualified by `alias`, in `_meta.concrete_fields` order."""
    return ", ".join(f'{alias}."{field.column}"' for field in model._meta.concrete_fields)


def width(model: type[Model]) -> int:
    """How many columns `columns(model, …)` selects."""
    return len(model._meta.concrete_fields)


@cache
def _converters(model: type[Model], vendor: str) -> tuple[tuple[int, Any, tuple[Callable[..., Any], ...]], ...]:
    """(position, expression, converters) for each column that needs converting on `vendor`."""
    found = []
    for i, field in enumerate(model._meta.concrete_fields):
        expression = field.get_col(model._meta.db_table)
        funcs = tuple(connection.ops.get_db_converters(expression) + expression.get_db_converters(connection))
        if funcs:
            found.append((i, expression, funcs))
    return tuple(found)


def instance(model: type[M], values: Sequence[Any]) -> M:
    """A `model` instance from one row of `columns(model, …)`, as the ORM would have built it."""
    row = list(values)
    for i, expression, funcs in _converters(model, connection.vendor):
        value = row[i]
        for func in funcs:
            value = func(value, expression, connection)
        row[i] = value
    return model.from_db(connection.alias, _attnames(model), row)


@cache
def _attnames(model: type[Model]) -> tuple[str, ...]:
    return tuple(field.attname for field in model._meta.concrete_fields)
