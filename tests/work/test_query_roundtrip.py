"""Properties: format is the inverse of parse, for random trees and for random query strings.

Generated trees follow the parser's normal form (see labora.work.query.ast): And/Or have two or
more items and never directly hold their own kind; `all_of`/`any_of` build exactly that.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, example, given, reject, settings
from hypothesis import strategies as st

from labora.work.query import (
    FIELD_SPECS,
    FIELDS,
    And,
    Date,
    DateName,
    Field,
    Me,
    NamedDate,
    Node,
    NoneValue,
    Not,
    Number,
    Op,
    Or,
    QuerySyntaxError,
    RelativeDate,
    Term,
    Text,
    Value,
    all_of,
    any_of,
    format,
    parse,
)
from labora.work.query.parser import MAX_DEPTH

# Pure Python (pytest-django would refuse a query): run once, not again on PostgreSQL.
pytestmark = pytest.mark.db_free

EQUALITY = (":", "=", "!=")
MAX_RELATIVE = {"d": 36_500, "w": 5_200, "m": 1_200, "y": 100}

# --- trees ----------------------------------------------------------------------------------

texts = st.text(min_size=1, max_size=12).map(Text)
bare_texts = st.text(alphabet="abcXYZ019-_.@+é", min_size=1, max_size=8).map(Text)
relative_dates = st.sampled_from("dwmy").flatmap(
    lambda unit: st.builds(RelativeDate, st.integers(-MAX_RELATIVE[unit], MAX_RELATIVE[unit]), st.just(unit))
)
absolute_dates = st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31)).map(Date)
numbers = st.decimals(min_value=0, max_value=1_000_000, places=6, allow_nan=False, allow_infinity=False).map(Number)


def values_for(field: Field, op: Op) -> st.SearchStrategy[Value]:
    spec = FIELD_SPECS[field]
    options: list[st.SearchStrategy[Value]] = []
    if spec.value_type == "text":
        options += [texts, bare_texts]
        if spec.me:
            options.append(st.just(Me()))
        if spec.none:
            options.append(st.just(NoneValue()))
    elif spec.value_type == "date":
        names: list[DateName] = ["today", "yesterday", "tomorrow"]
        if spec.overdue and op in (":", "="):
            names.append("overdue")
        options += [absolute_dates, relative_dates, st.sampled_from(names).map(NamedDate)]
    else:
        options.append(numbers)
    if spec.value_type != "text" and spec.none and op in EQUALITY:
        options.append(st.just(NoneValue()))
    return st.one_of(options)


def terms_for(field: Field) -> st.SearchStrategy[Term]:
    def with_op(op: Op) -> st.SearchStrategy[Term]:
        size = 3 if op in EQUALITY else 1
        values = st.lists(values_for(field, op), min_size=1, max_size=size).map(tuple)
        return values.map(lambda vs: Term(field, op, vs))

    return st.sampled_from(FIELD_SPECS[field].ops).flatmap(with_op)


terms = st.sampled_from(FIELDS).flatmap(terms_for)


def extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    groups = st.lists(children, min_size=2, max_size=4)
    return st.one_of(
        children.map(Not),
        groups.map(lambda items: all_of(*items)),
        groups.map(lambda items: any_of(*items)),
    )


trees = st.recursive(terms, extend, max_leaves=10)


def depth(node: Node) -> int:
    """Levels of parentheses and NOT the canonical text of `node` needs (an upper bound)."""
    if isinstance(node, Term):
        return 0
    if isinstance(node, Not):
        return 1 + depth(node.item)
    return 1 + max(depth(item) for item in node.items)


@given(trees)
@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
def test_parse_reads_back_every_formatted_tree(tree: Node) -> None:
    assume(depth(tree) <= MAX_DEPTH)

    text = format(tree)
    parsed = parse(text)

    assert parsed == tree
    assert format(parsed) == text


@given(terms)
@example(Term("text", ":", (Text("a b"), Text("OR"), Text("-x"))))
@example(Term("assignee", "!=", (Text("me"), Me(), Text("None"), NoneValue())))
@example(Term("label", ":", (Text('say "hi" \\ bye'),)))
@example(Term("estimate", ">=", (Number(Decimal("0.000001")),)))
@example(Term("estimate", "<", (Number(Decimal("1E+6")),)))
@example(Term("due", "<", (RelativeDate(-36_500, "d"),)))
def test_every_single_term_round_trips(term: Term) -> None:
    assert parse(format(term)) == term


def test_the_normal_form_is_what_the_strategies_build() -> None:
    a, b, c = (Term("text", ":", (Text(x),)) for x in "abc")

    assert parse("a (b c)") == all_of(a, all_of(b, c)) == And((a, b, c))
    assert parse("(a OR b) OR c") == any_of(any_of(a, b), c) == Or((a, b, c))


# --- query strings --------------------------------------------------------------------------


def cased(word: str) -> st.SearchStrategy[str]:
    return st.sampled_from([word, word.upper(), word.capitalize()])


words = st.text(alphabet="abcXYZ019_.@+é", min_size=1, max_size=6)
quoted = st.text(min_size=1, max_size=8).map(lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"')
value_words = st.one_of(words, quoted, words.map(lambda w: "-" + w), cased("and"), cased("or"))


def value_strings(field: Field, op: Op) -> st.SearchStrategy[str]:
    spec = FIELD_SPECS[field]
    if spec.value_type == "text":
        options = [value_words]
        if spec.me:
            options.append(cased("me"))
        if spec.none:
            options.append(cased("none"))
        return st.one_of(options)
    if spec.value_type == "date":
        names = ["today", "yesterday", "tomorrow"] + (["overdue"] if spec.overdue and op in (":", "=") else [])
        options = [
            absolute_dates.map(lambda d: d.value.isoformat()),
            st.tuples(st.sampled_from("+-"), st.integers(0, 100).map(str), st.sampled_from("dwmyDWMY")).map("".join),
            st.sampled_from(names).flatmap(cased),
        ]
    else:
        options = [
            st.tuples(
                st.integers(0, 99_999),
                st.sampled_from(["", ".5", ".25", ".000001"]),
                st.sampled_from(["", "h", "d", "H"]),
            ).map(lambda t: f"{t[0]}{t[1]}{t[2]}"),
        ]
    if spec.none and op in EQUALITY:
        options.append(cased("none"))
    return st.one_of(options)


def term_strings_for(field: Field) -> st.SearchStrategy[str]:
    def with_op(op: Op) -> st.SearchStrategy[str]:
        size = 3 if op in EQUALITY else 1
        separator = st.sampled_from([",", ", "])
        values = st.lists(st.tuples(separator, value_strings(field, op)), min_size=1, max_size=size)
        joined = values.map(lambda pairs: pairs[0][1] + "".join(sep + v for sep, v in pairs[1:]))
        return st.tuples(cased(field), joined).map(lambda t: f"{t[0]}{op}{t[1]}")

    return st.sampled_from(FIELD_SPECS[field].ops).flatmap(with_op)


bare_term_strings = st.one_of(words, quoted)
term_strings = st.one_of(bare_term_strings, st.sampled_from(FIELDS).flatmap(term_strings_for))


def extend_strings(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    pairs = st.tuples(children, children)
    return st.one_of(
        st.tuples(children, st.sampled_from([" ", "  ", " AND ", " and ", "\t"]), children).map("".join),
        st.tuples(children, st.sampled_from([" OR ", " or ", " Or "]), children).map("".join),
        children.map(lambda s: f"({s})"),
        children.map(lambda s: f"( {s} )"),
        children.map(lambda s: f"NOT {s}"),
        children.map(lambda s: f"-{s}"),
        pairs.map(lambda p: f"{p[0]}({p[1]})"),
    )


query_strings = st.recursive(term_strings, extend_strings, max_leaves=8)


@given(query_strings)
@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@example("status:open assignee:me due<+7d label:bug")
@example('-label:"won\'t fix" (a OR b) NOT c')
def test_formatting_a_parsed_query_gives_the_same_tree(query: str) -> None:
    node = parse_or_error(query)
    if isinstance(node, QuerySyntaxError):  # only nesting depth may make a generated query invalid
        assert "nests too deeply" in node.message
        reject()
    assert node is not None

    assert parse(format(node)) == node


query_alphabet = st.sampled_from([*'abXY01 -_.@+:=<>!,()"\\\t', "AND", "OR", "NOT", "due", "me", "none"])


@given(st.lists(query_alphabet, max_size=30).map("".join))
@settings(max_examples=500)
def test_any_text_either_round_trips_or_raises_a_query_syntax_error(query: str) -> None:
    node = parse_or_error(query)

    if isinstance(node, QuerySyntaxError):
        assert 1 <= node.position <= len(query) + 1
    elif node is not None:
        assert parse(format(node)) == node


def parse_or_error(query: str) -> Node | QuerySyntaxError | None:
    try:
        return parse(query)
    except QuerySyntaxError as error:
        return error
