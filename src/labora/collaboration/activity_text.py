"""How comment and reaction events read in activity feeds and task histories
(labora.web.activity_text): "Ann commented on OPS-3 Fix the deploy: “Ready for review”"."""

from __future__ import annotations

from typing import Any

from labora.web.activity_text import KINDS, Part, describes


def _data(e: Any) -> dict[str, Any]:
    return getattr(e, "data", None) or {}


def _on(e: Any) -> list[Part]:
    label = getattr(e, "target_label", "") or _data(e).get("task") or _data(e).get("project", "")
    where = " on " if _data(e).get("task") else " in the discussion of "
    return [Part(where), Part(str(label), strong=True)]


def _excerpt(e: Any) -> list[Part]:
    text = str(_data(e).get("excerpt") or "")
    return [Part(f": “{text}”")] if text else []


@describes("comment.added")
def _added(e: Any) -> list[Part]:
    verb = "replied" if _data(e).get("parent") else "commented"
    return [Part(verb), *_on(e), *_excerpt(e)]


@describes("comment.edited")
def _edited(e: Any) -> list[Part]:
    return [Part("edited a comment"), *_on(e)]


@describes("comment.deleted")
def _deleted(e: Any) -> list[Part]:
    return [Part("deleted a comment"), *_on(e)]


@describes("reaction.added")
def _reacted(e: Any) -> list[Part]:
    return [Part(f"reacted {_data(e).get('emoji', '')} to a comment"), *_on(e)]


@describes("reaction.removed")
def _unreacted(e: Any) -> list[Part]:
    return [Part(f"took back {_data(e).get('emoji', '')} on a comment"), *_on(e)]


if ("comment", "Comments") not in KINDS:
    KINDS.append(("comment", "Comments"))
