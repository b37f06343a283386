"""ISO-8601 durations as MS Project writes them (``PT8H0M0S``) to and from minutes."""

from __future__ import annotations

import re

from labora.planning.mspdi.model import MspdiError

_DURATION = re.compile(
    r"^(?P<sign>-)?P(?:(?P<y>\d+(?:\.\d+)?)Y)?(?:(?P<mo>\d+(?:\.\d+)?)M)?(?:(?P<w>\d+(?:\.\d+)?)W)?"
    r"(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<mi>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(text: str) -> float:
    """Minutes in an ISO-8601 duration; days count 24 hours (MS Project writes only hours anyway)."""
    match = _DURATION.match(text.strip())
    if not match or text.strip() in ("P", "PT", "-P"):
        raise MspdiError(f"{text!r} is not an ISO-8601 duration such as PT8H0M0S")
    parts = {k: float(v) for k, v in match.groupdict().items() if v and k != "sign"}
    if parts.get("y") or parts.get("mo"):
        raise MspdiError(f"{text!r}: years and months have no fixed length; MS Project writes hours")
    minutes = (
        parts.get("w", 0) * 7 * 1440
        + parts.get("d", 0) * 1440
        + parts.get("h", 0) * 60
        + parts.get("mi", 0)
        + parts.get("s", 0) / 60
    )
    return -minutes if match.group("sign") else minutes


def format_duration(minutes: float) -> str:
    """``PT<h>H<m>M<s>S`` as MS Project writes it."""
    sign = "-" if minutes < 0 else ""
    seconds = round(abs(minutes) * 60)
    hours, rest = divmod(seconds, 3600)
    mins, secs = divmod(rest, 60)
    return f"{sign}PT{hours}H{mins}M{secs}S"
