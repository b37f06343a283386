"""The task query language (`status:open assignee:me due<+7d label:bug`): pure Python, no Django.

    from labora.work import query
    node = query.parse("status:open assignee:me due<+7d")   # Node | None; QuerySyntaxError
    text = query.format(node)                                # canonical text, parses back equal
    day = query.resolve(RelativeDate(7, "d"), today)         # the calendar date a value means
    order = query.parse_order("-updated,priority")           # [("updated", True), ("priority", False)]

Turning a tree into a database filter is the job of the Django side (the compiler).
"""

from __future__ import annotations

from labora.work.query.ast import (
    FIELDS,
    OPS,
    And,
    Date,
    DateName,
    DateUnit,
    Field,
    Me,
    NamedDate,
    Node,
    NoneValue,
    Not,
    Number,
    Op,
    Or,
    RelativeDate,
    Term,
    Text,
    Value,
    all_of,
    any_of,
)
from labora.work.query.dates import add_months, resolve
from labora.work.query.errors import QuerySyntaxError
from labora.work.query.fields import FIELD_SPECS, ORDER_FIELDS, FieldSpec, OrderField
from labora.work.query.formatter import format, format_value
from labora.work.query.order import parse_order
from labora.work.query.parser import parse

__all__ = [
    "FIELDS",
    "FIELD_SPECS",
    "OPS",
    "ORDER_FIELDS",
    "And",
    "Date",
    "DateName",
    "DateUnit",
    "Field",
    "FieldSpec",
    "Me",
    "NamedDate",
    "Node",
    "NoneValue",
    "Not",
    "Number",
    "Op",
    "Or",
    "OrderField",
    "QuerySyntaxError",
    "RelativeDate",
    "Term",
    "Text",
    "Value",
    "add_months",
    "all_of",
    "any_of",
    "format",
    "format_value",
    "parse",
    "parse_order",
    "resolve",
]
