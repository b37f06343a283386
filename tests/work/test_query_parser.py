"""The query language, by example: what users type and the tree (or the error) they get."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import cast

import pytest

from labora.work.query import (
    FIELDS,
    And,
    Date,
    Field,
    Me,
    NamedDate,
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
    parse_order,
)


def term(field: str, op: str, *values: Value | str) -> Term:
    """A term; plain strings stand for Text values."""
    converted = tuple(Text(v) if isinstance(v, str) else v for v in values)
    return Term(cast(Field, field), cast(Op, op), converted)


def text(*words: str) -> Term:
    return term("text", ":", *words)


def error_of(query: str) -> QuerySyntaxError:
    with pytest.raises(QuerySyntaxError) as info:
        parse(query)
    return info.value


# --- empty input ----------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", "   ", "\t\n"])
def test_an_empty_query_parses_to_none(query: str) -> None:
    assert parse(query) is None


# --- terms and operators --------------------------------------------------------------------


def test_the_example_from_the_design_is_an_and_of_four_terms() -> None:
    assert parse("status:open assignee:me due<+7d label:bug") == And(
        (
            term("status", ":", "open"),
            term("assignee", ":", Me()),
            term("due", "<", RelativeDate(7, "d")),
            term("label", ":", "bug"),
        )
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("priority:high", term("priority", ":", "high")),
        ("priority=high", term("priority", "=", "high")),
        ("priority!=high", term("priority", "!=", "high")),
        ("priority<high", term("priority", "<", "high")),
        ("priority>low", term("priority", ">", "low")),
        ("priority<=medium", term("priority", "<=", "medium")),
        ("priority>=medium", term("priority", ">=", "medium")),
        ("due:2026-12-01", term("due", ":", Date(datetime.date(2026, 12, 1)))),
        ("due=2026-12-01", term("due", "=", Date(datetime.date(2026, 12, 1)))),
        ("due!=2026-12-01", term("due", "!=", Date(datetime.date(2026, 12, 1)))),
        ("due<2026-12-01", term("due", "<", Date(datetime.date(2026, 12, 1)))),
        ("due>2026-12-01", term("due", ">", Date(datetime.date(2026, 12, 1)))),
        ("due<=2026-12-01", term("due", "<=", Date(datetime.date(2026, 12, 1)))),
        ("due>=2026-12-01", term("due", ">=", Date(datetime.date(2026, 12, 1)))),
        ("estimate>4", term("estimate", ">", Number(Decimal(4)))),
    ],
)
def test_every_operator_is_read(query: str, expected: Term) -> None:
    assert parse(query) == expected


@pytest.mark.parametrize("field", FIELDS)
def test_every_field_takes_the_colon_operator(field: str) -> None:
    value = {"due": "today", "start": "today", "created": "today", "updated": "today", "estimate": "4"}.get(field, "x")

    node = parse(f"{field}:{value}")

    assert isinstance(node, Term)
    assert (node.field, node.op) == (field, ":")


def test_field_names_are_case_insensitive_and_values_keep_their_case() -> None:
    assert parse("Status:InProgress LABEL:Bug") == And((term("status", ":", "InProgress"), term("label", ":", "Bug")))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("crash", text("crash")),
        ('"login page"', text("login page")),
        ("text:crash", text("crash")),
        ('text:"login page"', text("login page")),
        ("alice@example.com", text("alice@example.com")),
        ("v1.2_rc+3", text("v1.2_rc+3")),
        ("foo-bar", text("foo-bar")),
        ("crash,hang", text("crash", "hang")),
        ("Ünïcode", text("Ünïcode")),
    ],
)
def test_a_word_or_string_without_a_field_is_a_text_search(query: str, expected: Term) -> None:
    assert parse(query) == expected


# --- values ---------------------------------------------------------------------------------


def test_a_comma_list_means_any_of_the_values() -> None:
    assert parse("status:todo,doing,review") == term("status", ":", "todo", "doing", "review")


def test_a_space_after_a_comma_is_tolerated() -> None:
    assert parse("status:todo, doing") == term("status", ":", "todo", "doing")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("assignee:me", term("assignee", ":", Me())),
        ("assignee:ME", term("assignee", ":", Me())),
        ("reporter:me", term("reporter", ":", Me())),
        ("assignee:none", term("assignee", ":", NoneValue())),
        ("assignee!=none", term("assignee", "!=", NoneValue())),
        ("assignee:me,none", term("assignee", ":", Me(), NoneValue())),
        ("label:none", term("label", ":", NoneValue())),
        ("parent:none", term("parent", ":", NoneValue())),
        ("due:none", term("due", ":", NoneValue())),
        ("start:none", term("start", ":", NoneValue())),
        ("estimate:none", term("estimate", ":", NoneValue())),
    ],
)
def test_me_and_none_are_special_where_the_field_allows_them(query: str, expected: Term) -> None:
    assert parse(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('assignee:"me"', term("assignee", ":", "me")),
        ('label:"none"', term("label", ":", "none")),
        ("status:none", term("status", ":", "none")),
        ("priority:none", term("priority", ":", "none")),
        ("priority>none", term("priority", ">", "none")),
        ("label:me", term("label", ":", "me")),
        ("me", text("me")),
        ("none", text("none")),
    ],
)
def test_me_and_none_are_plain_words_when_quoted_or_where_the_field_has_no_such_meaning(
    query: str, expected: Term
) -> None:
    assert parse(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('"say \\"hi\\""', text('say "hi"')),
        ('"back\\\\slash"', text("back\\slash")),
        ('label:"needs review"', term("label", ":", "needs review")),
        ('label:"a,b",c', term("label", ":", "a,b", "c")),
        ('"status:open"', text("status:open")),
        ('"(x) OR y"', text("(x) OR y")),
        ('"-not negated"', text("-not negated")),
    ],
)
def test_quoted_strings_keep_everything_and_unescape_quotes_and_backslashes(query: str, expected: Term) -> None:
    assert parse(query) == expected


@pytest.mark.parametrize(
    ("query", "value"),
    [
        ("due<+7d", RelativeDate(7, "d")),
        ("due>-2w", RelativeDate(-2, "w")),
        ("due<+1m", RelativeDate(1, "m")),
        ("created>-1y", RelativeDate(-1, "y")),
        ("created>-30D", RelativeDate(-30, "d")),
        ("due<+0d", RelativeDate(0, "d")),
        ("due:today", NamedDate("today")),
        ("due:Yesterday", NamedDate("yesterday")),
        ("start:tomorrow", NamedDate("tomorrow")),
        ("due:overdue", NamedDate("overdue")),
        ("updated>=2024-02-29", Date(datetime.date(2024, 2, 29))),
        ('due:"2026-01-05"', Date(datetime.date(2026, 1, 5))),
    ],
)
def test_dates_are_absolute_relative_or_named(query: str, value: Value) -> None:
    node = parse(query)

    assert isinstance(node, Term)
    assert node.values == (value,)


@pytest.mark.parametrize(
    ("query", "op", "hours"),
    [
        ("estimate>4", ">", "4"),
        ("estimate<2.5", "<", "2.5"),
        ("estimate>4h", ">", "4"),
        ("estimate>4H", ">", "4"),
        ("estimate<2d", "<", "16"),
        ("estimate<=0.5d", "<=", "4"),
        ("estimate=0", "=", "0"),
    ],
)
def test_estimates_are_hours_and_a_day_is_eight_hours(query: str, op: str, hours: str) -> None:
    assert parse(query) == term("estimate", op, Number(Decimal(hours)))


# --- boolean structure ----------------------------------------------------------------------


def test_juxtaposition_and_the_and_keyword_both_mean_and() -> None:
    assert parse("a b") == parse("a AND b") == parse("a and b") == And((text("a"), text("b")))


def test_and_binds_tighter_than_or() -> None:
    assert parse("a b OR c d") == Or((And((text("a"), text("b"))), And((text("c"), text("d")))))


def test_not_binds_tighter_than_and() -> None:
    assert parse("NOT a b") == And((Not(text("a")), text("b")))


def test_parentheses_override_precedence() -> None:
    assert parse("a (b OR c)") == And((text("a"), Or((text("b"), text("c")))))


@pytest.mark.parametrize("query", ["NOT label:bug", "not label:bug", "-label:bug", "Not label:bug"])
def test_not_and_a_leading_minus_negate(query: str) -> None:
    assert parse(query) == Not(term("label", ":", "bug"))


def test_a_minus_negates_groups_and_quoted_text() -> None:
    assert parse('-(a OR b) -"x y"') == And((Not(Or((text("a"), text("b")))), Not(text("x y"))))


def test_negations_nest() -> None:
    assert parse("NOT -a") == Not(Not(text("a")))
    assert parse("--a") == Not(Not(text("a")))


def test_a_minus_inside_a_word_or_a_value_is_not_a_negation() -> None:
    assert parse("due>-2w foo-bar label:-x") == And(
        (term("due", ">", RelativeDate(-2, "w")), text("foo-bar"), term("label", ":", "-x"))
    )


def test_nested_ands_and_ors_are_flattened() -> None:
    assert parse("(a b) (c d)") == And((text("a"), text("b"), text("c"), text("d")))
    assert parse("a OR (b OR c)") == Or((text("a"), text("b"), text("c")))
    assert parse("((a))") == text("a")


def test_keywords_in_value_position_are_values() -> None:
    assert parse("label:or status:NOT") == And((term("label", ":", "or"), term("status", ":", "NOT")))


def test_a_longer_query_reads_as_expected() -> None:
    query = 'project:WEB (status:todo,doing OR assignee:none) -label:wontfix due<=+2w "release notes"'

    assert parse(query) == And(
        (
            term("project", ":", "WEB"),
            Or((term("status", ":", "todo", "doing"), term("assignee", ":", NoneValue()))),
            Not(term("label", ":", "wontfix")),
            term("due", "<=", RelativeDate(2, "w")),
            text("release notes"),
        )
    )


def test_all_of_and_any_of_build_the_same_flat_trees_as_the_parser() -> None:
    a, b, c = text("a"), text("b"), text("c")

    assert all_of(all_of(a, b), c) == parse("a b c")
    assert any_of(a, any_of(b, c)) == parse("a OR b OR c")
    assert all_of(a) == a


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message", "position"),
    [
        ("due<", "Expected a value after 'due<' at position 5", 5),
        ("due< +7d", "Expected a value after 'due<' at position 5", 5),
        ("status:", "Expected a value after 'status:' at position 8", 8),
        ("a AND", "Expected a term after 'AND' at position 6, found the end of the query", 6),
        ("a OR OR b", "Expected a term after 'OR' at position 6, found 'OR'", 6),
        ("NOT", "Expected a term after 'NOT' at position 4, found the end of the query", 4),
        ("AND a", "Expected a term at position 1, found 'AND'", 1),
        ("()", "Expected a term after '(' at position 2, found ')'", 2),
        ("(a", "Expected ')' at position 3 to close the '(' at position 1, found the end of the query", 3),
        ("(a b c", "Expected ')' at position 7 to close the '(' at position 1, found the end of the query", 7),
        ("a)", "Unexpected ')' at position 2: there is no '(' to close", 2),
        ("-", "Expected a term right after '-' at position 2", 2),
        ("- a", "Expected a term right after '-' at position 2", 2),
        ('"abc', "Expected a closing '\"' at position 5 for the string that starts at position 1", 5),
        (
            'x "a\\nb"',
            'Expected \\" or \\\\ after the backslash at position 5; write a backslash as \\\\ inside quotes',
            5,
        ),
        ("a#b", "Unexpected character '#' at position 2; put text with special characters in double quotes", 2),
        ("a!b", "Expected '!=' at position 2", 2),
        (
            "due <+7d",
            "Unexpected '<' at position 5; an operator goes right after a field name, without spaces, e.g. due<+7d",
            5,
        ),
        (
            "label<3",
            "Operator '<' is not valid for field 'label' at position 6; use ':', '=', '!='",
            6,
        ),
        ("text=foo", "Operator '=' is not valid for field 'text' at position 5; use ':'", 5),
        ("assignee>me", "Operator '>' is not valid for field 'assignee' at position 9; use ':', '=', '!='", 9),
        (
            "due<today,tomorrow",
            "Unexpected ',' at position 10: a list of values only goes with ':', '=' or '!=', "
            "and 'due<' takes one value",
            10,
        ),
        ("status:a,", "Expected a value after ',' at position 10, found the end of the query", 10),
        ("status:a,,b", "Expected a value after ',' at position 10, found ','", 10),
        ('label:""', "Expected a non-empty value after 'label:' at position 7", 7),
        (
            "due:soon",
            "Expected a date after 'due:' at position 5 "
            "(YYYY-MM-DD, +7d, -2w, +1m, -1y, today, yesterday or tomorrow), found 'soon'",
            5,
        ),
        ("due:2023-02-29", "Expected a real calendar date after 'due:' at position 5, found '2023-02-29'", 5),
        (
            "due<+7x",
            "Expected a relative date such as +7d, -2w, +1m or -1y after 'due<' at position 5, found '+7x'",
            5,
        ),
        ("due<+200y", "Expected at most 100y after 'due<' at position 5, found '+200y'", 5),
        (
            "start:overdue",
            "Expected a date after 'start:' at position 7: 'overdue' only works with due (due:overdue)",
            7,
        ),
        ("due<overdue", "Expected a date after 'due<' at position 5: 'overdue' is written due:overdue", 5),
        ("due<none", "Expected a date after 'due<' at position 5: 'none' only goes with ':', '=' or '!='", 5),
        (
            "created:none",
            "Expected a date after 'created:' at position 9 "
            "(YYYY-MM-DD, +7d, -2w, +1m, -1y, today, yesterday or tomorrow), found 'none'",
            9,
        ),
        (
            "due:me",
            "Expected a date after 'due:' at position 5 "
            "(YYYY-MM-DD, +7d, -2w, +1m, -1y, today, yesterday or tomorrow), found 'me'",
            5,
        ),
        (
            "estimate>lots",
            "Expected a number of hours after 'estimate>' at position 10 "
            "(hours such as 4, 2.5 or 4h, or 8-hour days such as 2d), found 'lots'",
            10,
        ),
        (
            "estimate>1.",
            "Expected a number of hours after 'estimate>' at position 10 "
            "(hours such as 4, 2.5 or 4h, or 8-hour days such as 2d), found '1.'",
            10,
        ),
        (
            "estimate>-1",
            "Expected a number of hours after 'estimate>' at position 10 "
            "(hours such as 4, 2.5 or 4h, or 8-hour days such as 2d), found '-1'",
            10,
        ),
        (
            "estimate>1000000.5",
            "Expected at most 1000000 hours after 'estimate>' at position 10, found '1000000.5'",
            10,
        ),
        ("estimate>125001d", "Expected at most 1000000 hours after 'estimate>' at position 10, found '125001d'", 10),
        (
            "estimate>9" + "9" * 50,
            f"Expected at most 1000000 hours after 'estimate>' at position 10, found '{'9' * 51}'",
            10,
        ),
        (
            "estimate>1.1234567",
            "Expected at most 6 digits after the point after 'estimate>' at position 10, found '1.1234567'",
            10,
        ),
        (
            "status:open:closed",
            "Unexpected ':' at position 12; an operator goes right after a field name, without spaces, e.g. due<+7d",
            12,
        ),
    ],
)
def test_errors_say_what_was_expected_and_where(query: str, message: str, position: int) -> None:
    error = error_of(query)

    assert (error.message, error.position, error.offset) == (message, position, position - 1)
    assert str(error) == message


def test_an_unknown_field_lists_the_known_ones() -> None:
    error = error_of("assignee:me colour:red")

    assert error.message == (
        "Unknown field 'colour' at position 13; known fields: status, category, assignee, reporter, priority, "
        "label, type, project, due, start, created, updated, estimate, parent, text"
    )
    assert error.position == 13
    assert error.expected == FIELDS


def test_an_operator_error_lists_the_operators_the_field_takes() -> None:
    assert error_of("label<3").expected == (":", "=", "!=")


def test_a_missing_value_expects_a_value() -> None:
    assert error_of("due<").expected == ("a value",)


def test_nesting_is_limited_so_deep_input_cannot_exhaust_the_stack() -> None:
    error = error_of("(" * 40 + "a" + ")" * 40)

    assert error.message == "The query nests too deeply at position 33: at most 32 levels of parentheses and NOT"
    assert error_of("-" * 40 + "a").position == 33


def test_queries_are_limited_in_length() -> None:
    error = error_of("a " * 1001)

    assert error.position == 2001
    assert error.message.startswith("The query is too long: at most 2000 characters")


def test_garbage_never_raises_anything_but_a_syntax_error() -> None:
    for query in ['"', "\\", ":", "(", ")", ",", "a,", ",a", "!=", "<=x", "due:,", "-(", "NOT(", "OR", "a OR"]:
        with pytest.raises(QuerySyntaxError):
            parse(query)


# --- formatting -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "canonical"),
    [
        ("Status:open  AND  assignee:ME", "status:open assignee:me"),
        ("a OR b c", "a OR b c"),
        ("(a OR b) c", "(a OR b) c"),
        ("NOT label:bug", "-label:bug"),
        ("NOT (a b)", "NOT (a b)"),
        ("-(a OR b)", "NOT (a OR b)"),
        ("not not a", "NOT -a"),
        ('text:"x"', "x"),
        ('"x y"', '"x y"'),
        ('label:"or"', 'label:"or"'),
        ('assignee:"me"', 'assignee:"me"'),
        ("label:or", 'label:"or"'),
        ('"-x"', '"-x"'),
        ('"a\\"b\\\\c"', '"a\\"b\\\\c"'),
        ("estimate>2d", "estimate>16"),
        ("estimate>2.50h", "estimate>2.5"),
        ("due<+7D", "due<+7d"),
        ("due<-0d", "due<+0d"),
        ("due:Today", "due:today"),
        ('due:"2026-01-05"', "due:2026-01-05"),
        ("status:todo, doing", "status:todo,doing"),
    ],
)
def test_format_writes_the_canonical_text(query: str, canonical: str) -> None:
    node = parse(query)
    assert node is not None

    assert format(node) == canonical
    assert parse(canonical) == node


def test_format_tolerates_trees_the_parser_would_have_flattened() -> None:
    a, b, c = text("a"), text("b"), text("c")

    assert format(And((And((a, b)), c))) == "a b c"
    assert format(And((a,))) == "a"
    assert format(Or((Or((a, b)), And((b, c))))) == "a OR b OR b c"


def test_format_refuses_an_empty_group() -> None:
    with pytest.raises(ValueError, match="cannot format an empty And"):
        format(And(()))


# --- order ----------------------------------------------------------------------------------


def test_parse_order_reads_fields_and_directions() -> None:
    assert parse_order("-updated,priority") == [("updated", True), ("priority", False)]
    assert parse_order(" Due , +key ,-RANK,title") == [("due", False), ("key", False), ("rank", True), ("title", False)]
    assert parse_order("") == []
    assert parse_order("  ") == []


@pytest.mark.parametrize(
    ("order", "message", "position"),
    [
        (
            "-updated,colour",
            "Unknown order field 'colour' at position 10; known fields: status, category, assignee, reporter, "
            "priority, type, project, due, start, created, updated, estimate, parent, key, title, rank",
            10,
        ),
        (
            "due,,key",
            "Expected a field name at position 5; known fields: status, category, assignee, reporter, "
            "priority, type, project, due, start, created, updated, estimate, parent, key, title, rank",
            5,
        ),
        ("due, -due", "The field 'due' appears twice in the order at position 6", 6),
        (
            "label",
            "Unknown order field 'label' at position 1; known fields: status, category, assignee, reporter, "
            "priority, type, project, due, start, created, updated, estimate, parent, key, title, rank",
            1,
        ),
    ],
)
def test_parse_order_rejects_unknown_empty_and_repeated_fields(order: str, message: str, position: int) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse_order(order)

    assert (info.value.message, info.value.position) == (message, position)
