"""What each field accepts: its operators and the kinds of values it understands."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal, TypeAlias

from labora.work.query.ast import FIELDS, Field, Op

EQUALITY_OPS: Final[tuple[Op, ...]] = (":", "=", "!=")
ALL_OPS: Final[tuple[Op, ...]] = (":", "=", "!=", "<", ">", "<=", ">=")

# How a field reads its values: "text" (words and quoted strings, maybe `me` / `none`),
# "date" (YYYY-MM-DD, +7d, today, ...) or "number" (hours: 4, 2.5, 4h, 2d).
ValueType: TypeAlias = Literal["text", "date", "number"]


@dataclass(frozen=True, slots=True)
class FieldSpec:
    ops: tuple[Op, ...]
    value_type: ValueType
    me: bool = False  # `me` means the current user (otherwise the word "me")
    none: bool = False  # `none` means "empty" (otherwise the word "none", or an error for dates/numbers)
    overdue: bool = False  # `overdue` is allowed (due only)


FIELD_SPECS: Final[dict[Field, FieldSpec]] = {
    "status": FieldSpec(EQUALITY_OPS, "text"),
    "category": FieldSpec(EQUALITY_OPS, "text"),
    "assignee": FieldSpec(EQUALITY_OPS, "text", me=True, none=True),
    "reporter": FieldSpec(EQUALITY_OPS, "text", me=True),
    # Priorities are ordered (none < low < medium < high < urgent), so they compare; `none` is a priority.
    "priority": FieldSpec(ALL_OPS, "text"),
    "label": FieldSpec(EQUALITY_OPS, "text", none=True),
    "type": FieldSpec(EQUALITY_OPS, "text"),
    "project": FieldSpec(EQUALITY_OPS, "text"),
    "due": FieldSpec(ALL_OPS, "date", none=True, overdue=True),
    "start": FieldSpec(ALL_OPS, "date", none=True),
    "created": FieldSpec(ALL_OPS, "date"),
    "updated": FieldSpec(ALL_OPS, "date"),
    "estimate": FieldSpec(ALL_OPS, "number", none=True),
    "parent": FieldSpec(EQUALITY_OPS, "text", none=True),
    "text": FieldSpec((":",), "text"),
}
assert tuple(FIELD_SPECS) == FIELDS

FIELDS_BY_NAME: Final[dict[str, Field]] = {name: name for name in FIELDS}

OrderField: TypeAlias = Literal[
    "status",
    "category",
    "assignee",
    "reporter",
    "priority",
    "type",
    "project",
    "due",
    "start",
    "created",
    "updated",
    "estimate",
    "parent",
    "key",
    "title",
    "rank",
]
# Every filter field with one value per task, plus key, title and rank (label and text have no order).
ORDER_FIELDS: Final[tuple[OrderField, ...]] = (
    "status",
    "category",
    "assignee",
    "reporter",
    "priority",
    "type",
    "project",
    "due",
    "start",
    "created",
    "updated",
    "estimate",
    "parent",
    "key",
    "title",
    "rank",
)
ORDER_FIELDS_BY_NAME: Final[dict[str, OrderField]] = {name: name for name in ORDER_FIELDS}
