"""Reading one value (a word or a quoted string) as the kind its field expects."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Final

from labora.work.query.ast import (
    Date,
    DateName,
    DateUnit,
    Field,
    Me,
    NamedDate,
    NoneValue,
    Number,
    Op,
    RelativeDate,
    Text,
    Value,
)
from labora.work.query.errors import QuerySyntaxError
from labora.work.query.fields import FIELD_SPECS

DATE_NAMES: Final[dict[str, DateName]] = {
    "today": "today",
    "yesterday": "yesterday",
    "tomorrow": "tomorrow",
    "overdue": "overdue",
}
DATE_UNITS: Final[dict[str, DateUnit]] = {"d": "d", "w": "w", "m": "m", "y": "y"}
# About a hundred years either way, so that any relative date resolves inside date.min..date.max.
MAX_RELATIVE: Final[dict[DateUnit, int]] = {"d": 36_500, "w": 5_200, "m": 1_200, "y": 100}
HOURS_PER_DAY: Final = Decimal(8)
MAX_HOURS: Final = Decimal(1_000_000)
MAX_FRACTION_DIGITS: Final = 6

DATE_HINT: Final = "YYYY-MM-DD, +7d, -2w, +1m, -1y, today, yesterday or tomorrow"
NUMBER_HINT: Final = "hours such as 4, 2.5 or 4h, or 8-hour days such as 2d"


def read_value(field: Field, op: Op, raw: str, quoted: bool, column: int, after: str) -> Value:
    """Interpret `raw` (the decoded text of a value at 1-based `column`) for `field`.

    `after` is the source text the value follows (e.g. "due<"), used in error messages.
    """
    spec = FIELD_SPECS[field]
    if raw == "":
        raise QuerySyntaxError(f"Expected a non-empty value after '{after}' at position {column}", column, ("a value",))
    lower = raw.lower()
    if spec.value_type == "text":
        if quoted:
            return Text(raw)
        if spec.me and lower == "me":
            return Me()
        if spec.none and lower == "none":
            return NoneValue()
        return Text(raw)
    if spec.none and lower == "none":
        if op not in (":", "=", "!="):
            raise QuerySyntaxError(
                f"Expected {_kind_name(field)} after '{after}' at position {column}: "
                f"'none' only goes with ':', '=' or '!='",
                column,
                (_kind_name(field),),
            )
        return NoneValue()
    if spec.value_type == "date":
        return _read_date(field, op, raw, lower, column, after)
    return _read_number(raw, lower, column, after)


def _kind_name(field: Field) -> str:
    value_type = FIELD_SPECS[field].value_type
    return {"text": "a value", "date": "a date", "number": "a number of hours"}[value_type]


def _read_date(field: Field, op: Op, raw: str, lower: str, column: int, after: str) -> Value:
    spec = FIELD_SPECS[field]
    name = DATE_NAMES.get(lower)
    if name == "overdue":
        if not spec.overdue:
            raise QuerySyntaxError(
                f"Expected a date after '{after}' at position {column}: 'overdue' only works with due (due:overdue)",
                column,
                ("a date",),
            )
        if op not in (":", "="):
            raise QuerySyntaxError(
                f"Expected a date after '{after}' at position {column}: 'overdue' is written due:overdue",
                column,
                ("a date",),
            )
        return NamedDate(name)
    if name is not None:
        return NamedDate(name)
    if lower[:1] in ("+", "-"):
        return _read_relative(raw, lower, column, after)
    if _is_iso_shape(raw):
        try:
            return Date(datetime.date(int(raw[0:4]), int(raw[5:7]), int(raw[8:10])))
        except ValueError:
            raise QuerySyntaxError(
                f"Expected a real calendar date after '{after}' at position {column}, found '{raw}'",
                column,
                ("a date",),
            ) from None
    raise QuerySyntaxError(
        f"Expected a date after '{after}' at position {column} ({DATE_HINT}), found '{raw}'",
        column,
        ("a date",),
    )


def _is_iso_shape(raw: str) -> bool:
    if len(raw) != 10 or raw[4] != "-" or raw[7] != "-":
        return False
    return all(_is_ascii_digit(raw[i]) for i in (0, 1, 2, 3, 5, 6, 8, 9))


def _is_ascii_digit(ch: str) -> bool:
    return "0" <= ch <= "9"


def _read_relative(raw: str, lower: str, column: int, after: str) -> RelativeDate:
    digits, unit_char = lower[1:-1], lower[-1:]
    unit = DATE_UNITS.get(unit_char)
    if not digits or unit is None or not all(_is_ascii_digit(ch) for ch in digits) or len(digits) > 6:
        raise QuerySyntaxError(
            f"Expected a relative date such as +7d, -2w, +1m or -1y after '{after}' at position {column}, "
            f"found '{raw}'",
            column,
            ("a date",),
        )
    amount = int(digits)
    if amount > MAX_RELATIVE[unit]:
        raise QuerySyntaxError(
            f"Expected at most {MAX_RELATIVE[unit]}{unit} after '{after}' at position {column}, found '{raw}'",
            column,
            ("a date",),
        )
    return RelativeDate(-amount if lower[0] == "-" else amount, unit)


def _read_number(raw: str, lower: str, column: int, after: str) -> Number:
    body, factor = lower, Decimal(1)
    if body[-1:] == "h":
        body = body[:-1]
    elif body[-1:] == "d":
        body, factor = body[:-1], HOURS_PER_DAY
    whole, dot, fraction = body.partition(".")
    valid = (
        bool(whole)
        and all(_is_ascii_digit(ch) for ch in whole)
        and all(_is_ascii_digit(ch) for ch in fraction)
        and (not dot or bool(fraction))
    )
    if not valid:
        raise QuerySyntaxError(
            f"Expected a number of hours after '{after}' at position {column} ({NUMBER_HINT}), found '{raw}'",
            column,
            ("a number of hours",),
        )
    if len(fraction) > MAX_FRACTION_DIGITS:
        raise QuerySyntaxError(
            f"Expected at most {MAX_FRACTION_DIGITS} digits after the point after '{after}' at position {column}, "
            f"found '{raw}'",
            column,
            ("a number of hours",),
        )
    hours = Decimal(body) * factor if len(whole.lstrip("0")) <= len(str(MAX_HOURS)) else MAX_HOURS + 1
    if hours > MAX_HOURS:
        raise QuerySyntaxError(
            f"Expected at most {MAX_HOURS} hours after '{after}' at position {column}, found '{raw}'",
            column,
            ("a number of hours",),
        )
    return Number(hours)
