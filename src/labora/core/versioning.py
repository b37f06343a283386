"""Optimistic concurrency: a write names the version it was based on; a stale one is a 409."""

from __future__ import annotations

from typing import Any

from labora.core.errors import Conflict


def check_version(obj: Any, version: int | None, what: str) -> None:
    """Raise Conflict (409, carrying the current `obj`) when `version` is given and stale."""
    if version is not None and obj.version != version:
        raise Conflict(
            f"This {what} was changed by someone else (version {obj.version}, you sent {version}). "
            "Reload it and apply your change again.",
            code="stale_version",
            current=obj,
        )
