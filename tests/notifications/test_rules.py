"""rules.py: who gets what for an event (pure: no database)."""

from __future__ import annotations

from labora.notifications import rules
from labora.notifications.rules import Facts


def test_a_new_assignee_is_told_and_the_actor_never_is() -> None:
    assert rules.recipients(Facts(event="task.updated", actor_id=1, new_assignee_id=2)) == {2: rules.ASSIGNED}
    assert rules.recipients(Facts(event="task.updated", actor_id=1, new_assignee_id=1)) == {}
    assert rules.recipients(Facts(event="task.created", actor_id=1, new_assignee_id=3)) == {3: rules.ASSIGNED}


def test_status_due_and_priority_changes_go_to_watchers_except_the_actor() -> None:
    facts = Facts(
        event="task.updated", actor_id=1, changed_fields=frozenset({"status"}), task_watcher_ids=frozenset({1, 2, 3})
    )
    assert rules.recipients(facts) == {2: rules.STATUS, 3: rules.STATUS}
    due = Facts(
        event="task.updated", actor_id=1, changed_fields=frozenset({"due_date"}), task_watcher_ids=frozenset({2})
    )
    assert rules.recipients(due) == {2: rules.DUE}
    both = Facts(
        event="task.updated",
        actor_id=9,
        changed_fields=frozenset({"priority", "due_date"}),
        task_watcher_ids=frozenset({2}),
    )
    assert rules.recipients(both) == {2: rules.DUE}  # one notification per person: the first kind wins


def test_other_field_changes_notify_nobody() -> None:
    facts = Facts(event="task.updated", actor_id=1, changed_fields=frozenset(), task_watcher_ids=frozenset({2}))
    assert rules.recipients(facts) == {}


def test_the_new_assignee_gets_assigned_not_the_status_change() -> None:
    facts = Facts(
        event="task.updated",
        actor_id=1,
        new_assignee_id=2,
        changed_fields=frozenset({"status"}),
        task_watcher_ids=frozenset({2, 3}),
    )
    assert rules.recipients(facts) == {2: rules.ASSIGNED, 3: rules.STATUS}


def test_task_comments_reach_watchers_and_mentions_win() -> None:
    facts = Facts(
        event="comment.added",
        actor_id=1,
        task_watcher_ids=frozenset({1, 2, 3}),
        mention_ids=frozenset({3, 4}),
        project_watcher_ids=frozenset({5}),
    )
    assert rules.recipients(facts) == {2: rules.COMMENT, 3: rules.MENTION, 4: rules.MENTION}


def test_project_comments_reach_project_watchers_not_task_watchers() -> None:
    facts = Facts(
        event="comment.added",
        actor_id=1,
        on_task=False,
        task_watcher_ids=frozenset({7}),
        project_watcher_ids=frozenset({1, 5}),
        mention_ids=frozenset({6}),
    )
    assert rules.recipients(facts) == {5: rules.COMMENT, 6: rules.MENTION}


def test_chat_mentions_and_direct_messages() -> None:
    project_chat = Facts(
        event="chat.message_posted",
        actor_id=1,
        chat_kind="project",
        mention_ids=frozenset({2}),
        chat_member_ids=frozenset({3}),
    )
    assert rules.recipients(project_chat) == {2: rules.CHAT_MENTION}
    direct = Facts(
        event="chat.message_posted",
        actor_id=1,
        chat_kind="direct",
        chat_member_ids=frozenset({1, 2, 3}),
        mention_ids=frozenset({3}),
    )
    assert rules.recipients(direct) == {2: rules.CHAT_DIRECT, 3: rules.CHAT_MENTION}


def test_unrelated_events_notify_nobody() -> None:
    assert rules.recipients(Facts(event="task.deleted", actor_id=1, new_assignee_id=2)) == {}


def test_ids_from_event_data_accept_ints_and_digit_strings_only() -> None:
    assert rules.as_ids([1, "2", "x", None, True, 3.5]) == frozenset({1, 2})
    assert rules.as_ids("1,2") == frozenset()


def test_texts_say_what_happened() -> None:
    assert rules.describe(rules.ASSIGNED, data={}, changes={}) == "assigned you"
    assert (
        rules.describe(rules.STATUS, data={}, changes={"status": ["To do", "Done"], "due_date": [None, "2026-12-01"]})
        == "moved it from To do to Done; changed the due date to 2026-12-01"
    )
    assert rules.describe(rules.DUE, data={}, changes={"due_date": ["2026-12-01", None]}) == "removed the due date"
    assert (
        rules.describe(rules.MENTION, data={"excerpt": "  can you\nlook? "}, changes={})
        == "mentioned you: “can you look?”"
    )
    assert rules.describe(rules.COMMENT, data={}, changes={}) == "commented"
    long = rules.describe(rules.CHAT_DIRECT, data={"excerpt": "x" * 500}, changes={})
    assert long.startswith("sent you a message: “xxx")
    assert long.endswith("…”")
    assert len(long) < 170
    assert rules.moved_changes({"from_status": "To do", "status": "Doing"}) == {"status": ["To do", "Doing"]}
    assert rules.moved_changes({"from_status": "Doing", "status": "Doing"}) == {}
