"""The query language's syntax tree: frozen, hashable dataclasses with no behaviour.

Invariants of a tree that `parse` returns (and that `all_of`/`any_of` keep):
- `And` and `Or` hold at least two items;
- an `And` never holds an `And` directly, an `Or` never holds an `Or` (they are flattened);
- `Term.field` is a lower-case name from `FIELDS`; `Term.values` is never empty.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Final, Literal, TypeAlias

Field: TypeAlias = Literal[
    "status",
    "category",
    "assignee",
    "reporter",
    "priority",
    "label",
    "type",
    "project",
    "due",
    "start",
    "created",
    "updated",
    "estimate",
    "parent",
    "text",
]
FIELDS: Final[tuple[Field, ...]] = (
    "status",
    "category",
    "assignee",
    "reporter",
    "priority",
    "label",
    "type",
    "project",
    "due",
    "start",
    "created",
    "updated",
    "estimate",
    "parent",
    "text",
)

Op: TypeAlias = Literal[":", "=", "!=", "<", ">", "<=", ">="]
OPS: Final[tuple[Op, ...]] = (":", "=", "!=", "<", ">", "<=", ">=")

DateUnit: TypeAlias = Literal["d", "w", "m", "y"]
DateName: TypeAlias = Literal["today", "yesterday", "tomorrow", "overdue"]


# --- values ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    """A word or quoted string, case kept (a status name, a label, an e-mail, a search phrase)."""

    value: str


@dataclass(frozen=True, slots=True)
class Me:
    """`me`: the user running the query."""


@dataclass(frozen=True, slots=True)
class NoneValue:
    """`none`: the field is empty (no assignee, no due date, no labels, ...)."""


@dataclass(frozen=True, slots=True)
class Date:
    """An absolute date, `YYYY-MM-DD`."""

    value: datetime.date


@dataclass(frozen=True, slots=True)
class RelativeDate:
    """`+7d`, `-2w`, `+1m`, `-1y`: `amount` units from today (negative = in the past)."""

    amount: int
    unit: DateUnit


@dataclass(frozen=True, slots=True)
class NamedDate:
    """`today`, `yesterday`, `tomorrow`, or `overdue` (due only: due before today and not closed)."""

    name: DateName


@dataclass(frozen=True, slots=True)
class Number:
    """An estimate in hours (`4`, `2.5`, `4h`; `2d` is 16 hours: a day is 8 hours)."""

    hours: Decimal


Value: TypeAlias = Text | Me | NoneValue | Date | RelativeDate | NamedDate | Number


# --- nodes ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Term:
    """`field OP value[,value...]`; several values mean any of them (OR)."""

    field: Field
    op: Op
    values: tuple[Value, ...]


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Node


Node: TypeAlias = Term | And | Or | Not


def all_of(*nodes: Node) -> Node:
    """AND of `nodes`, flattened the way the parser does; one node is returned as it is."""
    return _combine(And, nodes)


def any_of(*nodes: Node) -> Node:
    """OR of `nodes`, flattened the way the parser does; one node is returned as it is."""
    return _combine(Or, nodes)


def _combine(kind: type[And] | type[Or], nodes: tuple[Node, ...]) -> Node:
    if not nodes:
        raise ValueError(f"{kind.__name__} needs at least one node")
    if len(nodes) == 1:
        return nodes[0]
    items: list[Node] = []
    for node in nodes:
        if isinstance(node, kind):
            items.extend(node.items)
        else:
            items.append(node)
    return kind(tuple(items))
