"""Activity entries as sentences people read: "Olivia invited bob@example.com as member".

One place for the wording of every event, reused by the workspace home, the activity page
and later by task and project histories. Each event name maps to a function that returns
the sentence as parts (plain text and emphasised names); `sentence_text` joins them, and
`sentence_html` escapes them and wraps names in <strong>. Apps add their own wording with
`@describes("task.created")`; an unknown event still reads sensibly ("updated the task X").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Part:
    text: str
    strong: bool = False


Describer = Callable[[Any], list[Part]]


@dataclass(frozen=True)
class _Wording:
    describe: Describer
    # Fields of `changes` the sentence already tells; the rest are listed under it.
    tells: frozenset[str]


_wordings: dict[str, _Wording] = {}

# Event kinds for the activity filter: (name prefix, label). Apps append theirs.
KINDS: list[tuple[str, str]] = [
    ("workspace", "Workspace"),
    ("member", "Members"),
    ("invitation", "Invitations"),
    ("team", "Teams"),
]


def describes(*names: str, tells: Iterable[str] = ()) -> Callable[[Describer], Describer]:
    """Register the wording of one or more event names."""

    def register(fn: Describer) -> Describer:
        for name in names:
            _wordings[name] = _Wording(describe=fn, tells=frozenset(tells))
        return fn

    return register


def _s(text: Any) -> Part:
    return Part(str(text), strong=True)


def _t(text: str) -> Part:
    return Part(text)


def value_text(value: Any, *, limit: int = 80) -> str:
    """A before/after value as words: empty values say so, long text is shortened."""
    if value is None or value == "" or value == [] or value == {}:
        return "nothing"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(value_text(v, limit=limit) for v in value)
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def actor_name(entry: Any) -> str:
    actor = getattr(entry, "actor", None)
    if actor is None:
        return "Someone"
    return getattr(actor, "display_name", None) or str(actor)


def _data(entry: Any) -> dict[str, Any]:
    return getattr(entry, "data", None) or {}


def _changes(entry: Any) -> dict[str, list[Any]]:
    return getattr(entry, "changes", None) or {}


def _email(entry: Any) -> str:
    return str(_data(entry).get("email") or getattr(entry, "target_label", "") or "someone")


def _role(entry: Any) -> str:
    return str(_data(entry).get("role") or "member")


def _change(entry: Any, field: str) -> tuple[str, str] | None:
    pair = _changes(entry).get(field)
    if not isinstance(pair, (list, tuple)) or len(pair) != 2:
        return None
    return value_text(pair[0]), value_text(pair[1])


# --- workspaces, members, invitations, teams ------------------------------------------------


@describes("workspace.created")
def _workspace_created(e: Any) -> list[Part]:
    name = _data(e).get("name") or getattr(e, "target_label", "")
    return [_t("created the workspace "), _s(name)]


@describes("workspace.updated", tells=["name"])
def _workspace_updated(e: Any) -> list[Part]:
    renamed = _change(e, "name")
    if renamed:
        return [_t("renamed the workspace from "), _s(renamed[0]), _t(" to "), _s(renamed[1])]
    return [_t("updated the workspace settings")]


@describes("workspace.deleted")
def _workspace_deleted(e: Any) -> list[Part]:
    return [_t("deleted the workspace")]


@describes("member.added")
def _member_added(e: Any) -> list[Part]:
    return [_t("added "), _s(_email(e)), _t(" as "), _s(_role(e))]


@describes("member.joined")
def _member_joined(e: Any) -> list[Part]:
    return [_t("joined the workspace as "), _s(_role(e))]


@describes("member.role_changed", tells=["role"])
def _member_role_changed(e: Any) -> list[Part]:
    change = _change(e, "role")
    if change is None:
        return [_t("changed the role of "), _s(_email(e))]
    return [_t("changed the role of "), _s(_email(e)), _t(" from "), _s(change[0]), _t(" to "), _s(change[1])]


@describes("member.removed")
def _member_removed(e: Any) -> list[Part]:
    actor = getattr(e, "actor", None)
    if actor is not None and str(getattr(actor, "email", "")).lower() == _email(e).lower():
        return [_t("left the workspace")]
    return [_t("removed "), _s(_email(e)), _t(" from the workspace")]


@describes("invitation.created")
def _invitation_created(e: Any) -> list[Part]:
    return [_t("invited "), _s(_email(e)), _t(" as "), _s(_role(e))]


@describes("invitation.revoked")
def _invitation_revoked(e: Any) -> list[Part]:
    return [_t("revoked the invitation of "), _s(_email(e))]


@describes("team.created")
def _team_created(e: Any) -> list[Part]:
    return [_t("created the team "), _s(_data(e).get("name") or getattr(e, "target_label", ""))]


@describes("team.updated", tells=["name"])
def _team_updated(e: Any) -> list[Part]:
    renamed = _change(e, "name")
    if renamed:
        return [_t("renamed the team "), _s(renamed[0]), _t(" to "), _s(renamed[1])]
    return [_t("updated the team "), _s(getattr(e, "target_label", ""))]


@describes("team.deleted")
def _team_deleted(e: Any) -> list[Part]:
    return [_t("deleted the team "), _s(_data(e).get("name") or getattr(e, "target_label", ""))]


@describes("team.member_added")
def _team_member_added(e: Any) -> list[Part]:
    return [_t("added "), _s(_email(e)), _t(" to the team "), _s(getattr(e, "target_label", ""))]


@describes("team.member_removed")
def _team_member_removed(e: Any) -> list[Part]:
    return [_t("removed "), _s(_email(e)), _t(" from the team "), _s(getattr(e, "target_label", ""))]


# --- anything else ------------------------------------------------------------------------


def _fallback(e: Any) -> list[Part]:
    """`task.updated` -> "updated the task OPS-1"; `comment.added` -> "added a comment on OPS-1"."""
    name = str(getattr(e, "name", "") or "event")
    noun, _, action = name.partition(".")
    noun = noun.replace("_", " ")
    verb = (action or "changed").replace("_", " ")
    label = getattr(e, "target_label", "") or getattr(e, "task_key", "") or getattr(e, "project_key", "")
    parts = [_t(f"{verb} the {noun}")]
    if label:
        parts += [_t(" "), _s(label)]
    return parts


def _wording(entry: Any) -> _Wording | None:
    return _wordings.get(str(getattr(entry, "name", "")))


def sentence_parts(entry: Any) -> list[Part]:
    """The whole sentence, starting with who did it."""
    wording = _wording(entry)
    body = wording.describe(entry) if wording else _fallback(entry)
    return [_s(actor_name(entry)), _t(" "), *body]


def sentence_text(entry: Any) -> str:
    return "".join(p.text for p in sentence_parts(entry))


def sentence_html(entry: Any) -> SafeString:
    html = "".join(
        f"<strong>{conditional_escape(p.text)}</strong>" if p.strong else str(conditional_escape(p.text))
        for p in sentence_parts(entry)
    )
    return mark_safe(html)  # every part was escaped above


def change_lines(entry: Any) -> list[str]:
    """'Title: Old → New' for each changed field the sentence does not already tell."""
    wording = _wording(entry)
    told = wording.tells if wording else frozenset()
    lines = []
    for field, pair in _changes(entry).items():
        if field in told or not isinstance(pair, (list, tuple)) or len(pair) != 2:
            continue
        # Custom fields of tasks are "cf:<name>" (labora.work.services.fields): shown by their name.
        label = field[3:] if field.startswith("cf:") else field.replace("_", " ").capitalize()
        lines.append(f"{label}: {value_text(pair[0])} → {value_text(pair[1])}")
    return lines


def kind_prefix(kind: str) -> str | None:
    """The event-name prefix of a filter kind, or None for an unknown kind."""
    return f"{kind}." if any(kind == k for k, _ in KINDS) else None
