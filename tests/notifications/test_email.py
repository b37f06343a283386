"""E-mail: instant mails over real SMTP (aiosmtpd), digests, one-click unsubscribe links."""

from __future__ import annotations

import datetime
import email
import email.policy
import socket
import time
from collections.abc import Iterator
from email.message import Message
from typing import Any
from unittest import mock

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.test import Client
from django.utils import timezone

from labora.notifications import emails
from labora.notifications.models import EmailMode, EmailSettings, Notification, NotificationPreference
from labora.notifications.tasks import digest_tick, send_notification_emails, send_one
from labora.work import services as work
from labora.work.services.watchers import task_watch
from tests.notifications.conftest import Team, record_event


class Collector:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(
            (
                envelope.mail_from,
                list(envelope.rcpt_tos),
                email.message_from_bytes(envelope.content, policy=email.policy.default),
            )
        )
        return "250 OK"


@pytest.fixture
def smtp(settings: Any) -> Iterator[Collector]:
    """A real SMTP server on localhost; Django sends to it with its SMTP backend."""
    collector = Collector()
    with socket.socket() as probe:  # a free port (aiosmtpd's own start-up check needs a real one)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.PUBLIC_URL = "https://labora.example.com"
    try:
        yield collector
    finally:
        controller.stop()


def parts(message: Message) -> dict[str, str]:
    found = {}
    for part in message.walk():
        if part.get_content_maintype() == "text":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            found[part.get_content_type()] = payload.decode(part.get_content_charset() or "utf-8")
    return found


def test_an_assignment_is_mailed_over_smtp_with_one_click_unsubscribe(
    team: Team, run_events: Any, smtp: Collector
) -> None:
    with run_events():
        work.task_update(actor=team.owner, task=team.task, assignee="alice@example.com")

    [(sender, recipients, message)] = smtp.messages
    assert recipients == ["alice@example.com"]
    assert "labora@localhost" in sender
    assert message["Subject"].strip() == "[Acme] Olivia Owner assigned you · OPS-1 Fix the login"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header_url = message["List-Unsubscribe"].strip().strip("<>")
    assert header_url.startswith("https://labora.example.com/notifications/unsubscribe/")
    body = parts(message)
    assert set(body) == {"text/plain", "text/html"}
    assert "Olivia Owner assigned you" in body["text/plain"]
    assert "https://labora.example.com/w/acme/tasks/OPS-1/" in body["text/plain"]
    assert 'href="https://labora.example.com/w/acme/tasks/OPS-1/"' in body["text/html"]
    assert "Stop all Labora e-mail" in body["text/html"]
    token = header_url.rsplit("/unsubscribe/", 1)[1].strip("/")
    assert emails.read_unsubscribe_token(token) == emails.Unsubscribe(team.alice.pk, team.workspace.pk, "task.assigned")
    [n] = Notification.objects.filter(recipient=team.alice)
    assert not n.email_pending
    assert n.emailed_at is not None


def test_an_email_that_fails_to_send_stays_owed(team: Team, run_events: Any) -> None:
    EmailSettings.objects.create(user=team.alice, mode=EmailMode.HOURLY)  # nothing sent at once
    with run_events():
        work.task_update(actor=team.owner, task=team.task, assignee="alice@example.com")
    EmailSettings.objects.filter(user=team.alice).update(mode=EmailMode.INSTANT)
    [n] = Notification.objects.filter(recipient=team.alice)

    with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=OSError("SMTP down")):
        with pytest.raises(RuntimeError, match="1 of 1 e-mails failed"):
            send_notification_emails.call([n.pk])
    n.refresh_from_db()
    assert n.email_pending
    assert n.emailed_at is None

    # Ten minutes later the tick queues it again.
    assert digest_tick(now=timezone.now() + datetime.timedelta(minutes=11)) == 1
    n.refresh_from_db()
    assert not n.email_pending
    assert n.emailed_at is not None
    assert send_one(n.pk) == "skipped"  # never twice
    assert len(mail.outbox) == 1


def test_switching_email_off_before_the_job_runs_sends_nothing(team: Team, run_events: Any) -> None:
    EmailSettings.objects.create(user=team.alice, mode=EmailMode.HOURLY)
    with run_events():
        work.task_update(actor=team.owner, task=team.task, assignee="alice@example.com")
    EmailSettings.objects.filter(user=team.alice).update(mode=EmailMode.OFF)
    [n] = Notification.objects.filter(recipient=team.alice)
    assert send_notification_emails.call([n.pk]) == {"skipped": 1}
    assert mail.outbox == []


def _hourly_user_with_activity(team: Team, run_events: Any) -> None:
    EmailSettings.objects.create(user=team.bob, mode=EmailMode.HOURLY)
    NotificationPreference.objects.create(
        user=team.bob, workspace=team.workspace, kind="task.status_changed", channel="email", enabled=True
    )
    with run_events():
        second = work.task_create(actor=team.owner, project=team.project, title="Write the docs")
        task_watch(actor=team.bob, task=team.task)
        task_watch(actor=team.bob, task=second)
        work.task_update(actor=team.owner, task=team.task, assignee="bob@example.com")
        work.task_update(actor=team.owner, task=second, status="In progress")
        record_event(
            name="comment.added",
            actor=team.alice,
            workspace=team.workspace,
            data={
                "project": "OPS",
                "task": "OPS-2",
                "comment": "c1",
                "mentions": [team.bob.pk],
                "excerpt": "Need help?",
            },
        )
        record_event(
            name="comment.added",
            actor=team.alice,
            workspace=team.workspace,
            data={"project": "OPS", "comment": "c2", "mentions": [team.bob.pk], "excerpt": "Team lunch"},
        )


def test_a_digest_groups_what_is_owed_by_project_and_task(team: Team, run_events: Any, smtp: Collector) -> None:
    _hourly_user_with_activity(team, run_events)
    assert smtp.messages == []  # hourly: nothing at once
    assert Notification.objects.filter(recipient=team.bob, email_pending=True).count() == 4

    assert digest_tick() == 1

    [(_, recipients, message)] = smtp.messages
    assert recipients == ["bob@example.com"]
    assert message["Subject"] == "[Acme] Your hourly digest: 4 notifications"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = parts(message)["text/plain"]
    # Grouped: the workspace, its project, then each thread with its lines.
    assert text.index("== Acme (4) ==") < text.index("OPS Operations")
    assert text.index("* OPS-1 Fix the login") < text.index("Olivia Owner assigned you")
    assert text.index("* OPS-2 Write the docs") < text.index("Olivia Owner moved it from To do to In progress")
    assert text.index("Olivia Owner moved it") < text.index("Alice Adams mentioned you: “Need help?”")
    assert text.count("* OPS-2 Write the docs") == 1
    assert "Alice Adams mentioned you: “Team lunch”" in text
    assert not Notification.objects.filter(recipient=team.bob, email_pending=True).exists()
    assert EmailSettings.objects.get(user=team.bob).last_digest_at is not None

    # Within the hour: nothing more, even with something new.
    with run_events():
        work.task_update(actor=team.owner, task=team.task, status="Done")
    assert digest_tick() == 0
    # An hour later: the next digest.
    assert digest_tick(now=timezone.now() + datetime.timedelta(hours=1, minutes=1)) == 1
    assert len(smtp.messages) == 2
    assert smtp.messages[1][2]["Subject"] == "[Acme] Your hourly digest: 1 notification"


def test_the_digest_grouping_keeps_each_notification_once() -> None:
    class Row:
        def __init__(self, ws: int, project: Any, subject: str, label: str) -> None:
            self.workspace_id = ws
            self.workspace = mock.Mock(name="ws", slug=f"ws{ws}")
            self.workspace.name = f"W{ws}"
            self.project = project
            self.subject = subject
            self.target_label = label
            self.link = f"/{subject}"

    ops = mock.Mock(key="OPS")
    ops.name = "Operations"
    rows = [
        Row(1, ops, "task:1", "OPS-1"),
        Row(1, None, "chat:x", "#x"),
        Row(1, ops, "task:1", "OPS-1"),
        Row(2, ops, "task:9", "OPS-9"),
    ]
    groups = emails.group_for_digest(rows)  # type: ignore[arg-type]
    assert [(g.name, g.count, [p.label for p in g.projects]) for g in groups] == [
        ("W1", 3, ["OPS Operations", "Conversations"]),
        ("W2", 1, ["OPS Operations"]),
    ]
    assert [len(t.items) for t in groups[0].projects[0].tasks] == [2]


def _token(team: Team, kind: str) -> str:
    return emails.unsubscribe_token(user_id=team.alice.pk, workspace_id=team.workspace.pk, kind=kind)


def test_the_unsubscribe_link_asks_first_then_works_without_signing_in(team: Team) -> None:
    client = Client(enforce_csrf_checks=True)
    url = f"/notifications/unsubscribe/{_token(team, 'comment.mention')}/"

    page = client.get(url)
    assert page.status_code == 200
    assert "Stop e-mail about “Mentions in comments” in <strong>Acme</strong>" in page.content.decode()
    assert not NotificationPreference.objects.exists()  # a GET (or a link scanner) changes nothing

    done = client.post(url, {"List-Unsubscribe": "One-Click"})  # RFC 8058: no cookie, no CSRF token
    assert done.status_code == 200
    assert "You are unsubscribed" in done.content.decode()
    pref = NotificationPreference.objects.get(user=team.alice, workspace=team.workspace, kind="comment.mention")
    assert (pref.channel, pref.enabled) == ("email", False)
    assert EmailSettings.objects.get(user=team.alice).version == 2


def test_unsubscribing_from_everything_turns_email_off(team: Team) -> None:
    response = Client().post(f"/notifications/unsubscribe/{_token(team, 'all')}/")
    assert response.status_code == 200
    assert EmailSettings.objects.get(user=team.alice).mode == EmailMode.OFF


def test_a_tampered_link_changes_nothing(team: Team) -> None:
    token = _token(team, "all")
    forged = token.replace(
        token.split(":")[0],
        emails.signing.dumps({"u": team.bob.pk, "w": team.workspace.pk, "k": "all"}, salt="other").split(":")[0],
    )
    for bad in (token[:-2] + "xx", forged, "nonsense"):
        response = Client().post(f"/notifications/unsubscribe/{bad}/")
        assert response.status_code == 400
        assert "This link does not work" in response.content.decode()
    assert not EmailSettings.objects.exists()


def test_an_expired_link_says_so_and_changes_nothing(team: Team) -> None:
    ninety_one_days_ago = time.time() - 91 * 24 * 3600
    with mock.patch("django.core.signing.time.time", return_value=ninety_one_days_ago):
        token = _token(team, "all")
    response = Client().post(f"/notifications/unsubscribe/{token}/")
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    assert not EmailSettings.objects.exists()
