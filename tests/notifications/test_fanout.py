"""The notifications.fanout subscriber: who gets what, collapse, idempotency, preferences, side effects."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from labora.core.models import DomainEvent
from labora.notifications import subscribers
from labora.notifications.models import (
    EmailMode,
    EmailSettings,
    Notification,
    NotificationPreference,
    NotificationReceipt,
)
from labora.notifications.services import project_watch
from labora.work import services as work
from labora.work.services.members import project_member_add
from labora.work.services.watchers import task_watch
from tests.notifications.conftest import Team, record_event


def inbox(user: Any) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user).order_by("id"))


def comment(team: Team, *, actor: Any, mentions: list[int], task: bool = True, excerpt: str = "Looks good") -> Any:
    data: dict[str, Any] = {
        "project": "OPS",
        "comment": "c1",
        "mentions": mentions,
        "teams": [],
        "excerpt": excerpt,
        "parent": None,
    }
    if task:
        data["task"] = team.task.key
    return record_event(name="comment.added", actor=actor, workspace=team.workspace, data=data, label="comment")


def test_the_new_assignee_is_notified_and_mailed_and_the_actor_is_not(team: Team, run_events: Any) -> None:
    with run_events():
        work.task_update(actor=team.owner, task=team.task, assignee="alice@example.com")

    [n] = inbox(team.alice)
    assert (n.kind, n.text, n.actor, n.task, n.project) == (
        "task.assigned",
        "assigned you",
        team.owner,
        team.task,
        team.project,
    )
    assert n.target_label == "OPS-1 Fix the login"
    assert n.link == "/w/acme/tasks/OPS-1/"
    assert n.unread
    assert n.count == 1
    assert not n.email_pending
    assert n.emailed_at is not None
    assert inbox(team.owner) == []
    [message] = mail.outbox
    assert message.to == ["alice@example.com"]
    assert message.subject == "[Acme] Olivia Owner assigned you · OPS-1 Fix the login"


def test_a_task_created_with_an_assignee_notifies_them(team: Team, run_events: Any) -> None:
    with run_events():
        work.task_create(actor=team.owner, project=team.project, title="Ship it", assignee="bob@example.com")
    [n] = inbox(team.bob)
    assert n.kind == "task.assigned"
    assert n.target_label == "OPS-2 Ship it"


def test_status_changes_reach_watchers_but_not_by_email_by_default(team: Team, run_events: Any) -> None:
    with run_events():
        task_watch(actor=team.bob, task=team.task)
        task_watch(actor=team.carol, task=team.task)
        work.task_update(actor=team.carol, task=team.task, status="In progress")

    [n] = inbox(team.bob)
    assert n.kind == "task.status_changed"
    assert n.text == "moved it from To do to In progress"
    assert inbox(team.carol) == []  # the actor
    assert inbox(team.owner)[0].kind == "task.status_changed"  # the reporter watches too
    assert mail.outbox == []  # status changes are inbox-only unless switched on


def test_a_board_move_is_a_status_change(team: Team, run_events: Any) -> None:
    from labora.work.services.tasks import task_move

    with run_events():
        task_watch(actor=team.bob, task=team.task)
        task_move(actor=team.owner, task=team.task, status="Done")
    [n] = inbox(team.bob)
    assert n.kind == "task.status_changed"
    assert "to Done" in n.text


def test_changes_within_ten_minutes_collapse_into_one_unread_row(team: Team, run_events: Any) -> None:
    with run_events():
        task_watch(actor=team.bob, task=team.task)
        work.task_update(actor=team.owner, task=team.task, status="In progress")
        work.task_update(actor=team.owner, task=team.task, due_date=datetime.date(2026, 12, 1))

    [n] = inbox(team.bob)
    assert n.count == 2
    assert n.kind == "task.due_changed"
    assert n.text == "changed the due date to 2026-12-01"
    assert len(n.event_ids) == 2

    # Older than the window: a new row.
    Notification.objects.filter(pk=n.pk).update(updated_at=timezone.now() - datetime.timedelta(minutes=11))
    with run_events():
        work.task_update(actor=team.owner, task=team.task, priority="high")
    assert [x.count for x in inbox(team.bob)] == [2, 1]

    # Read rows do not collapse either.
    Notification.objects.filter(recipient=team.bob).update(unread=False)
    with run_events():
        work.task_update(actor=team.owner, task=team.task, priority="low")
    assert [x.count for x in inbox(team.bob)] == [2, 1, 1]


def test_different_groups_do_not_collapse(team: Team, run_events: Any) -> None:
    with run_events():
        task_watch(actor=team.bob, task=team.task)
        work.task_update(actor=team.owner, task=team.task, status="In progress")
        comment(team, actor=team.owner, mentions=[team.bob.pk])
    assert [n.kind for n in inbox(team.bob)] == ["task.status_changed", "comment.mention"]


def test_redelivery_notifies_nobody_twice(team: Team, run_events: Any) -> None:
    with run_events():
        event = comment(team, actor=team.owner, mentions=[team.alice.pk])
    assert len(inbox(team.alice)) == 1
    event = DomainEvent.objects.get(pk=event.pk)

    from django.db import transaction

    with transaction.atomic():
        subscribers.fanout(event)  # the outbox delivering the same event again
    [n] = inbox(team.alice)
    assert n.count == 1
    assert NotificationReceipt.objects.filter(event=event).count() == 1


def test_comment_rules_watchers_and_mentions(team: Team, run_events: Any) -> None:
    with run_events():
        task_watch(actor=team.bob, task=team.task)
        comment(team, actor=team.alice, mentions=[team.carol.pk, team.alice.pk], excerpt="@carol please check")

    assert [(n.kind, n.text) for n in inbox(team.carol)] == [
        ("comment.mention", "mentioned you: “@carol please check”")
    ]
    assert [n.kind for n in inbox(team.bob)] == ["comment.added"]
    assert inbox(team.alice) == []  # mentioned herself: still the actor
    assert inbox(team.owner)[0].link == "/w/acme/tasks/OPS-1/#comment-c1"


def test_nobody_who_cannot_see_the_project_is_notified(team: Team, run_events: Any) -> None:
    with run_events():
        secret = work.project_create(
            actor=team.owner, workspace=team.workspace, key="SEC", name="Secret", is_private=True
        )
        project_member_add(actor=team.owner, project=secret, email="guest@example.com", role="viewer")
        record_event(
            name="comment.added",
            actor=team.owner,
            workspace=team.workspace,
            data={
                "project": "SEC",
                "comment": "c9",
                "mentions": [team.bob.pk, team.guest.pk, team.outsider.pk, 999999],
                "excerpt": "hush",
            },
        )
    assert inbox(team.bob) == []  # a member, but the project is private
    assert inbox(team.outsider) == []  # another workspace
    assert [n.kind for n in inbox(team.guest)] == ["comment.mention"]  # a viewer sees it


def test_a_guest_without_the_project_shared_is_not_notified(team: Team, run_events: Any) -> None:
    with run_events():
        comment(team, actor=team.owner, mentions=[team.guest.pk])
    assert inbox(team.guest) == []


def test_project_comments_reach_project_watchers(team: Team, run_events: Any) -> None:
    with run_events():
        project_watch(actor=team.carol, project=team.project)
        comment(team, actor=team.owner, mentions=[], task=False, excerpt="Kick-off on Monday")
    [n] = inbox(team.carol)
    assert (n.kind, n.target_label, n.link, n.task) == (
        "comment.added",
        "OPS Operations",
        "/w/acme/projects/OPS/",
        None,
    )


def test_direct_chat_messages_reach_the_other_members(team: Team, run_events: Any) -> None:
    data = {
        "message": 7,
        "channel": "dm-1",
        "kind": "direct",
        "mentions": [],
        "members": [team.alice.pk, team.bob.pk],
        "excerpt": "Hi Bob",
    }
    for _ in range(2):
        with run_events():
            record_event(
                name="chat.message_posted", actor=team.alice, workspace=team.workspace, data=data, label="Alice Adams"
            )
    [n] = inbox(team.bob)
    assert (n.kind, n.text, n.count, n.subject) == ("chat.direct", "sent you a message: “Hi Bob”", 2, "chat:dm-1")
    assert n.link == "/w/acme/chat/dm-1/m/7/"
    assert inbox(team.alice) == []
    assert len(mail.outbox) == 2  # direct messages e-mail by default, one per message in instant mode


def test_project_chat_mentions_respect_project_visibility(team: Team, run_events: Any) -> None:
    with run_events():
        work.project_create(actor=team.owner, workspace=team.workspace, key="SEC", name="Secret", is_private=True)
        for key in ("SEC", "OPS"):
            record_event(
                name="chat.message_posted",
                actor=team.owner,
                workspace=team.workspace,
                data={
                    "channel": f"ch-{key}",
                    "kind": "project",
                    "project": key,
                    "mentions": [team.bob.pk],
                    "excerpt": "hey",
                },
            )
    assert [n.subject for n in inbox(team.bob)] == ["chat:ch-OPS"]


def test_preferences_inbox_off_email_on_writes_an_archived_row_and_mails(team: Team, run_events: Any) -> None:
    NotificationPreference.objects.create(
        user=team.alice, workspace=team.workspace, kind="task.assigned", channel="inbox", enabled=False
    )
    with run_events():
        work.task_update(actor=team.owner, task=team.task, assignee="alice@example.com")
    [n] = inbox(team.alice)
    assert n.archived_at is not None
    assert not n.unread
    assert len(mail.outbox) == 1


def test_preferences_both_off_write_nothing(team: Team, run_events: Any) -> None:
    for channel in ("inbox", "email"):
        NotificationPreference.objects.create(
            user=team.alice, workspace=team.workspace, kind="task.assigned", channel=channel, enabled=False
        )
    with run_events():
        work.task_update(actor=team.owner, task=team.task, assignee="alice@example.com")
    assert inbox(team.alice) == []
    assert mail.outbox == []


@pytest.mark.parametrize("mode", [EmailMode.HOURLY, EmailMode.OFF])
def test_digest_and_off_modes_send_no_instant_mail(team: Team, run_events: Any, mode: str) -> None:
    EmailSettings.objects.create(user=team.alice, mode=mode)
    with run_events():
        work.task_update(actor=team.owner, task=team.task, assignee="alice@example.com")
    [n] = inbox(team.alice)
    assert mail.outbox == []
    assert n.email_pending is (mode == EmailMode.HOURLY)


def test_recipients_get_a_live_push_with_their_unread_count(team: Team, run_events: Any, monkeypatch: Any) -> None:
    pushed: list[tuple[int, dict[str, Any]]] = []
    import labora.live.subscribers as live

    monkeypatch.setattr(live, "send_to_user", lambda user_id, message: pushed.append((user_id, message)))
    with run_events():
        comment(team, actor=team.owner, mentions=[team.alice.pk, team.bob.pk])
    assert sorted(user_id for user_id, _ in pushed) == sorted([team.alice.pk, team.bob.pk])
    message = dict(pushed)[team.alice.pk]
    assert message["unread"] == 1
    assert message["workspace"] == "acme"
    assert message["notification"]["kind"] == "comment.mention"


def test_a_failing_push_does_not_undo_the_notifications(team: Team, run_events: Any, monkeypatch: Any) -> None:
    import labora.live.subscribers as live

    def broken(user_id: int, message: dict[str, Any]) -> None:
        raise RuntimeError("layer down")

    monkeypatch.setattr(live, "send_to_user", broken)
    with run_events():
        comment(team, actor=team.owner, mentions=[team.alice.pk])
    assert len(inbox(team.alice)) == 1


def test_twenty_mentions_cost_a_fixed_number_of_queries(
    team: Team, run_events: Any, django_assert_max_num_queries: Any
) -> None:
    from labora.workspaces.models import Role
    from tests import factories

    people = [factories.make_user() for _ in range(20)]
    for person in people:
        factories.add_member(team.workspace, person, Role.MEMBER)
    with run_events():
        event = comment(team, actor=team.owner, mentions=[p.pk for p in people])
    Notification.objects.all().delete()
    NotificationReceipt.objects.all().delete()
    event = DomainEvent.objects.get(pk=event.pk)
    from django.db import transaction

    # 13 reads and writes (workspace, project, task, watchers, memberships, project roles, receipts,
    # preferences, e-mail modes, open rows, insert, receipts, unread counts) + the savepoint pair.
    with django_assert_max_num_queries(15), transaction.atomic():
        subscribers.fanout(event)
    assert Notification.objects.count() == 20


def test_with_the_chat_app_a_direct_message_and_a_project_mention_notify(team: Team, run_events: Any) -> None:
    """The same through H3's chat services (the event contract in labora.chat.services)."""
    chat = pytest.importorskip("labora.chat.services")
    with run_events():
        channel, _ = chat.direct_channel_open(actor=team.alice, workspace=team.workspace, members=[team.bob])
        chat.message_post(actor=team.alice, channel=channel, body="Lunch?")
        project_channel = chat.channel_for_project(actor=team.owner, project=team.project)
        chat.message_post(actor=team.owner, channel=project_channel, body="@carol can you check the build?")
    assert [(n.kind, n.text) for n in inbox(team.bob)] == [("chat.direct", "sent you a message: “Lunch?”")]
    assert inbox(team.alice) == []
    carol = inbox(team.carol)
    assert [n.kind for n in carol] == ["chat.mention"]
    assert carol[0].project == team.project


def test_with_the_comments_app_mentions_and_watchers_are_notified(team: Team, run_events: Any) -> None:
    """The same through H1's comment service (the event contract in labora.collaboration.services)."""
    comments = pytest.importorskip("labora.collaboration.services")
    with run_events():
        task_watch(actor=team.bob, task=team.task)
        comment = comments.comment_create(actor=team.alice, task=team.task, body="@carol@example.com have a look")
    [mention] = inbox(team.carol)
    assert mention.kind == "comment.mention"
    assert mention.link == f"/w/acme/tasks/OPS-1/#comment-{comment.public_id}"
    assert [n.kind for n in inbox(team.bob)] == ["comment.added"]
    assert inbox(team.alice) == []
