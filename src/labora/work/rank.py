"""Fractional ranks for ordering lists and boards: a move writes one row (DESIGN.md §5).

A rank is a non-empty string of base-36 digits (`0-9a-z`) that does not end in `0`, so that
there is always room before and between ranks. Lower-case digits and letters only, because
they compare the same way byte-wise (SQLite) and in any PostgreSQL collation; a mixed-case
base-62 alphabet would sort differently under a linguistic collation such as en_US.

    between(None, None)    -> "i"        (the first rank)
    between("i", None)     -> "i0001"    (after the last: grows by one step, room for 36**4 appends)
    between(None, "i")     -> "hzzzz"    (before the first)
    between("i", "j")      -> "ii"       (between two neighbours)

Pure Python, no Django.
"""

from __future__ import annotations

DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
BASE = len(DIGITS)
FIRST = "i"
_WIDTH = 5  # appends and prepends step at this position, leaving room for 36**4 of them
_INDEX = {c: i for i, c in enumerate(DIGITS)}


def is_valid(rank: str) -> bool:
    return bool(rank) and all(c in _INDEX for c in rank) and not rank.endswith("0")


def between(before: str | None, after: str | None) -> str:
    """A rank strictly between `before` and `after` (None = open end).

    Raises ValueError for a malformed rank or when `before` is not lower than `after`.
    """
    for rank in (before, after):
        if rank is not None and not is_valid(rank):
            raise ValueError(f"{rank!r} is not a rank: use digits 0-9a-z, not ending in 0")
    if before is not None and after is not None and not before < after:
        raise ValueError(f"{before!r} must sort before {after!r}")
    if before is None and after is None:
        return FIRST
    if after is None:
        assert before is not None
        return _step(before, +1) or _midpoint(before, None)
    if before is None:
        return _step(after, -1) or _midpoint("", after)
    return _midpoint(before, after)


def _step(rank: str, delta: int) -> str | None:
    """`rank` read as a fixed-width number, moved by one unit at the last position; None on overflow."""
    if len(rank) > _WIDTH:
        return None
    digits = [_INDEX[c] for c in rank.ljust(_WIDTH, "0")]
    i = _WIDTH - 1
    while i >= 0:
        digits[i] += delta
        if 0 <= digits[i] < BASE:
            break
        digits[i] %= BASE
        i -= 1
    if i < 0:
        return None
    result = "".join(DIGITS[d] for d in digits).rstrip("0")
    return result or None


def _midpoint(a: str, b: str | None) -> str:
    """The shortest-ish rank between `a` ("" = the lowest) and `b` (None = the highest)."""
    if b is not None:
        i = 0
        while i < len(b) and (a[i] if i < len(a) else "0") == b[i]:
            i += 1
        if i > 0:
            return b[:i] + _midpoint(a[i:], b[i:])
    low = _INDEX[a[0]] if a else 0
    high = _INDEX[b[0]] if b else BASE
    if high - low > 1:
        return DIGITS[(low + high) // 2]
    if b is not None and len(b) > 1:
        return b[0]
    return DIGITS[low] + _midpoint(a[1:], None)
