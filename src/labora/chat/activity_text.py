"""How chat events read in the activity feeds (labora.web.activity_text). Direct-message events
never reach a feed (they are addressed: labora.collaboration.feeds), so these speak of project
channels."""

from __future__ import annotations

from typing import Any

from labora.web.activity_text import KINDS, Part, describes


def _where(e: Any) -> list[Part]:
    project = (getattr(e, "data", None) or {}).get("project") or getattr(e, "project_key", "")
    return [Part(" in "), Part(f"{project} chat" if project else "a conversation", strong=True)]


def _excerpt(e: Any) -> list[Part]:
    text = str((getattr(e, "data", None) or {}).get("excerpt") or "")
    return [Part(f": “{text}”")] if text else []


@describes("chat.message_posted")
def _posted(e: Any) -> list[Part]:
    return [Part("wrote"), *_where(e), *_excerpt(e)]


@describes("chat.message_edited")
def _edited(e: Any) -> list[Part]:
    return [Part("edited a message"), *_where(e)]


@describes("chat.message_deleted")
def _deleted(e: Any) -> list[Part]:
    return [Part("deleted a message"), *_where(e)]


@describes("chat.channel_created")
def _created(e: Any) -> list[Part]:
    return [Part("opened the channel "), *_where(e)[1:]]


if ("chat", "Chat") not in KINDS:
    KINDS.append(("chat", "Chat"))
