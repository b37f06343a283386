"""Canonical text for a query tree: `parse(format(node)) == node` for every tree `parse` can return.

Canonical form: lower-case field names, no spaces inside a term, juxtaposition for AND, ` OR `,
`-term` for a negated term and `NOT (...)` for a negated group, parentheses only where precedence
needs them, words bare when they read back the same and double-quoted otherwise.
"""

from __future__ import annotations

from typing import Final

from labora.work.query.ast import (
    And,
    Date,
    Me,
    NamedDate,
    Node,
    NoneValue,
    Not,
    Number,
    Or,
    RelativeDate,
    Term,
    Text,
    Value,
)
from labora.work.query.tokenizer import is_word_char

# Words that would read back as something other than text.
RESERVED_WORDS: Final = frozenset({"and", "or", "not", "me", "none"})

_OR, _AND, _UNARY = 1, 2, 3


def format(node: Node) -> str:
    """Return the canonical text of `node`."""
    return _node(node, _OR)


def format_value(value: Value) -> str:
    """The canonical text of one value (quoted when needed)."""
    if isinstance(value, Text):
        return value.value if _is_bare(value.value) else quote(value.value)
    if isinstance(value, Me):
        return "me"
    if isinstance(value, NoneValue):
        return "none"
    if isinstance(value, Date):
        return value.value.isoformat()
    if isinstance(value, RelativeDate):
        sign = "-" if value.amount < 0 else "+"
        return f"{sign}{abs(value.amount)}{value.unit}"
    if isinstance(value, NamedDate):
        return value.name
    return _decimal(value)


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _node(node: Node, level: int) -> str:
    if isinstance(node, Term):
        return _term(node)
    if isinstance(node, Not):
        if isinstance(node.item, Term):
            return "-" + _term(node.item)
        return "NOT " + _node(node.item, _UNARY)
    if not node.items:
        raise ValueError(f"cannot format an empty {type(node).__name__}")
    if len(node.items) == 1:
        return _node(node.items[0], level)
    if isinstance(node, And):
        text = " ".join(_node(item, _AND) for item in node.items)
        return f"({text})" if level > _AND else text
    assert isinstance(node, Or)
    text = " OR ".join(_node(item, _OR) for item in node.items)
    return f"({text})" if level > _OR else text


def _term(term: Term) -> str:
    values = ",".join(format_value(value) for value in term.values)
    if term.field == "text" and term.op == ":":
        return values
    return f"{term.field}{term.op}{values}"


def _is_bare(text: str) -> bool:
    return text != "" and text[0] != "-" and text.lower() not in RESERVED_WORDS and all(is_word_char(ch) for ch in text)


def _decimal(value: Number) -> str:
    hours = value.hours.normalize()
    return f"{hours:f}"
