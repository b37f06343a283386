"""Who gets which notification for an event, and what it says. Pure: plain data in, plain data out.

The subscriber (subscribers.py) gathers the facts of an event from the database (watchers,
mentions, the new assignee), asks `recipients()` who should hear about it and as what kind,
then removes whoever may not see the project and whoever switched that kind off.

Rules:
- a new assignee (task created with one, or the assignee changed) → `task.assigned`;
- status / due date / priority changed (or a task moved on the board) → the task's watchers;
- `comment.added` on a task → the task's watchers (`comment.added`) and the people mentioned
  (`comment.mention`); on a project → the project's watchers and the people mentioned;
- `comment.edited` → only the people the edit newly mentions (`comment.mention`; the event's
  `mentions` lists just them, collaboration.services.comment_update); watchers hear nothing,
  nor does anyone already mentioned by the earlier text;
- `chat.message_posted` → the people mentioned (`chat.mention`) and, in a direct conversation,
  its other members (`chat.direct`);
- a muted chat channel (chat.models.ChannelMember.muted, for that person) → no
  `chat.message_posted` notification, except when the message names that person directly
  (`@handle` or `@e-mail`): then `chat.mention`. Being reached through a team mention
  (`@design-team`) or being a member of a muted direct conversation is not enough — muting
  exists to quiet exactly those. The unread count in the chat itself still moves;
- never the actor. When one person qualifies twice, the most personal kind wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

ASSIGNED = "task.assigned"
STATUS = "task.status_changed"
DUE = "task.due_changed"
PRIORITY = "task.priority_changed"
MENTION = "comment.mention"
COMMENT = "comment.added"
CHAT_MENTION = "chat.mention"
CHAT_DIRECT = "chat.direct"

# When one person qualifies for several kinds through one event, they get the first of these.
PRECEDENCE = (ASSIGNED, MENTION, CHAT_MENTION, CHAT_DIRECT, STATUS, DUE, PRIORITY, COMMENT)

# Changed task fields (task.updated's `changes`) that watchers hear about, and as what kind.
WATCHED_FIELDS = {"status": STATUS, "due_date": DUE, "priority": PRIORITY}

# The events the subscriber listens to.
EVENTS = ("task.created", "task.updated", "task.moved", "comment.added", "comment.edited", "chat.message_posted")


@dataclass(frozen=True)
class Facts:
    """What an event means for notifications, read from the event and the database."""

    event: str
    actor_id: int | None
    new_assignee_id: int | None = None
    changed_fields: frozenset[str] = frozenset()
    task_watcher_ids: frozenset[int] = frozenset()
    project_watcher_ids: frozenset[int] = frozenset()
    mention_ids: frozenset[int] = frozenset()
    chat_kind: str = ""  # "project" | "direct" for chat messages
    chat_member_ids: frozenset[int] = frozenset()
    on_task: bool = True
    muted_ids: frozenset[int] = frozenset()  # people who muted the chat channel
    # Of `mention_ids`, those named themselves (not through a team); only read for muted people.
    personal_mention_ids: frozenset[int] = frozenset()


@dataclass
class _Ballot:
    kinds: dict[int, set[str]] = field(default_factory=dict)

    def add(self, people: Iterable[int | None], kind: str) -> None:
        for person in people:
            if person is not None:
                self.kinds.setdefault(person, set()).add(kind)


def recipients(facts: Facts) -> dict[int, str]:
    """{user id: kind} of everyone this event should notify (before visibility and preferences)."""
    ballot = _Ballot()
    if facts.event in ("task.created", "task.updated") and facts.new_assignee_id is not None:
        ballot.add([facts.new_assignee_id], ASSIGNED)
    if facts.event in ("task.updated", "task.moved"):
        for name, kind in WATCHED_FIELDS.items():
            if name in facts.changed_fields:
                ballot.add(facts.task_watcher_ids, kind)
    if facts.event == "comment.added":
        ballot.add(facts.task_watcher_ids if facts.on_task else facts.project_watcher_ids, COMMENT)
        ballot.add(facts.mention_ids, MENTION)
    if facts.event == "comment.edited":
        ballot.add(facts.mention_ids, MENTION)  # only those the edit added
    if facts.event == "chat.message_posted":
        muted = facts.muted_ids
        ballot.add((p for p in facts.mention_ids if p not in muted or p in facts.personal_mention_ids), CHAT_MENTION)
        if facts.chat_kind == "direct":
            ballot.add((p for p in facts.chat_member_ids if p not in muted), CHAT_DIRECT)
    chosen: dict[int, str] = {}
    for person, kinds in ballot.kinds.items():
        if person == facts.actor_id:
            continue  # never the one who did it
        chosen[person] = next(kind for kind in PRECEDENCE if kind in kinds)
    return chosen


def as_ids(values: Any) -> frozenset[int]:
    """User ids from event data (`mentions`, `members`): ints, or digit strings; others ignored."""
    if not isinstance(values, (list, tuple)):
        return frozenset()
    ids: set[int] = set()
    for value in values:
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            ids.add(value)
        elif isinstance(value, str) and value.isdigit():
            ids.add(int(value))
    return frozenset(ids)


def _quote(text: Any, limit: int = 140) -> str:
    clean = " ".join(str(text or "").split())
    if len(clean) > limit:
        clean = clean[: limit - 1].rstrip() + "…"
    return f"“{clean}”" if clean else ""


def _change_phrases(changes: Mapping[str, Any]) -> list[str]:
    phrases = []
    if "status" in changes:
        before, after = changes["status"]
        phrases.append(f"moved it from {before} to {after}" if before else f"moved it to {after}")
    if "due_date" in changes:
        after = changes["due_date"][1]
        phrases.append(f"changed the due date to {after}" if after else "removed the due date")
    if "priority" in changes:
        phrases.append(f"changed the priority to {changes['priority'][1]}")
    return phrases


def describe(kind: str, *, data: Mapping[str, Any], changes: Mapping[str, Any]) -> str:
    """What the actor did, as the rest of a sentence that starts with their name."""
    if kind == ASSIGNED:
        return "assigned you"
    if kind in (STATUS, DUE, PRIORITY):
        return "; ".join(_change_phrases(changes)) or "changed the task"
    if kind == MENTION:
        excerpt = _quote(data.get("excerpt"))
        return f"mentioned you: {excerpt}" if excerpt else "mentioned you in a comment"
    if kind == COMMENT:
        return f"commented: {_quote(data.get('excerpt'))}" if data.get("excerpt") else "commented"
    if kind == CHAT_MENTION:
        where = f" in #{data['channel_name']}" if data.get("channel_name") else " in chat"
        excerpt = _quote(data.get("excerpt"))
        return f"mentioned you{where}" + (f": {excerpt}" if excerpt else "")
    if kind == CHAT_DIRECT:
        excerpt = _quote(data.get("excerpt"))
        return "sent you a message" + (f": {excerpt}" if excerpt else "")
    return "did something"


def moved_changes(data: Mapping[str, Any]) -> dict[str, list[Any]]:
    """task.moved carries the status change in its data, not in `changes`."""
    before, after = data.get("from_status"), data.get("status")
    if after and before != after:
        return {"status": [before, after]}
    return {}
