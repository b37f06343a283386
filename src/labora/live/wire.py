"""What travels through the channel layer for one event: a flat envelope with the few fields a
connection needs to decide (id, project, what may change visibility) and the message already
serialised once, so 1,000 connections do not each copy a nested dict and encode the same JSON."""

from __future__ import annotations

import json
from typing import Any


def audience(data: dict[str, Any]) -> list[int] | None:
    """The user ids an event is for when its data names them (`"audience": [ids]`, e.g. a direct
    message): only their connections receive it. None: everybody who may see the event."""
    raw = data.get("audience")
    if raw is None:
        return None
    if not isinstance(raw, list):
        return []  # malformed: deliver to nobody rather than to everybody
    return sorted({int(item) for item in raw if isinstance(item, int) and not isinstance(item, bool)})


def envelope(payload: dict[str, Any]) -> dict[str, Any]:
    """The channel-layer message for one event payload (selectors.event_payload's shape)."""
    data = payload.get("data") or {}
    return {
        "type": "live.event",
        "id": int(payload["id"]),
        "event": str(payload["event"]),
        "project": str(payload.get("project") or ""),
        "user": str(data.get("user") or ""),  # project.member_* (e-mail), member.removed (public id)
        "private": bool(data.get("is_private")),
        "privacy_changed": "is_private" in (data.get("changes") or {}),
        "audience": audience(data),
        "text": json.dumps(payload, separators=(",", ":"), ensure_ascii=False),
    }
