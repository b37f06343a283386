"""The inbox page, its actions, the bell badge, the preferences page and the Watch button."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from labora.notifications.models import EmailSettings, Notification, NotificationPreference, ProjectWatch
from tests.notifications.conftest import Team
from tests.notifications.test_api import make_notifications

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def alice(team: Team) -> Client:
    client = Client()
    client.force_login(team.alice)
    return client


def test_the_inbox_lists_unread_first_with_links_and_actions(team: Team, alice: Client) -> None:
    [read, unread] = make_notifications(team, team.alice, 2)
    Notification.objects.filter(pk=read.pk).update(unread=False)

    html = alice.get("/w/acme/inbox/").content.decode()

    assert html.index(f'id="n-{unread.public_id}"') < html.index(f'id="n-{read.public_id}"')
    assert f"/w/acme/inbox/{unread.public_id}/open/" in html
    assert "Olivia Owner</strong> mentioned you: “1”" in html
    assert 'aria-label="Mark as read"' in html
    assert 'aria-label="Mark as unread"' in html
    assert "Mark all read" in html
    assert 'x-data="inbox"' in html


def test_the_inbox_page_costs_the_same_queries_for_any_number(
    team: Team, alice: Client, django_assert_max_num_queries: Any
) -> None:
    make_notifications(team, team.alice, 3)
    alice.get("/w/acme/inbox/")
    with django_assert_max_num_queries(12) as small:
        alice.get("/w/acme/inbox/")
    make_notifications(team, team.alice, 40)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = alice.get("/w/acme/inbox/")
    assert response.content.decode().count("data-inbox-item") == 30  # one page


def test_filters_show_unread_archived_and_kinds(team: Team, alice: Client) -> None:
    [a, b] = make_notifications(team, team.alice, 2)
    Notification.objects.filter(pk=a.pk).update(unread=False)
    Notification.objects.filter(pk=b.pk).update(kind="task.assigned")
    assert alice.get("/w/acme/inbox/?show=unread").content.decode().count("data-inbox-item") == 1
    assert alice.get("/w/acme/inbox/?kind=task.assigned").content.decode().count("data-inbox-item") == 1
    empty = alice.get("/w/acme/inbox/?show=archived").content.decode()
    assert "Nothing archived" in empty
    partial = alice.get("/w/acme/inbox/?kind=task.assigned", **HTMX).content.decode()
    assert partial.lstrip().startswith('<div id="inbox-list"')


def test_an_htmx_action_answers_the_row_and_the_new_count(team: Team, alice: Client) -> None:
    [n] = make_notifications(team, team.alice, 1)
    response = alice.post(f"/w/acme/inbox/{n.public_id}/", {"verb": "read", "show": "inbox"}, **HTMX)
    assert response.status_code == 200
    assert json.loads(response["HX-Trigger"]) == {"labora:inbox-count": {"unread": 0}}
    html = response.content.decode()
    assert html.startswith('<li class="inbox-item"')
    assert 'aria-label="Mark as unread"' in html
    assert alice.post(f"/w/acme/inbox/{n.public_id}/", {"verb": "explode"}).status_code == 422

    archived = alice.post(f"/w/acme/inbox/{n.public_id}/", {"verb": "archive", "show": "inbox"}, **HTMX)
    assert archived.content == b""  # it leaves the inbox view
    assert Notification.objects.get(pk=n.pk).archived_at is not None


def test_without_javascript_an_action_redirects_back(team: Team, alice: Client) -> None:
    [n] = make_notifications(team, team.alice, 1)
    response = alice.post(f"/w/acme/inbox/{n.public_id}/", {"verb": "archive", "next": "/w/acme/inbox/?show=all"})
    assert response.status_code == 302
    assert response["Location"] == "/w/acme/inbox/?show=all"
    evil = alice.post(f"/w/acme/inbox/{n.public_id}/", {"verb": "unarchive", "next": "https://evil.example.com/"})
    assert evil["Location"] == "/w/acme/inbox/"


def test_opening_marks_read_and_goes_to_the_item(team: Team, alice: Client) -> None:
    [n] = make_notifications(team, team.alice, 1)
    response = alice.get(f"/w/acme/inbox/{n.public_id}/open/")
    assert response.status_code == 302
    assert response["Location"] == "/w/acme/tasks/OPS-1/"
    assert not Notification.objects.get(pk=n.pk).unread


def test_read_all_and_the_badge(team: Team, alice: Client) -> None:
    make_notifications(team, team.alice, 3)
    assert '<span class="bell-count" data-inbox-count>3<span class="sr-only"> unread</span></span>' in (
        alice.get("/w/acme/inbox/badge/").content.decode()
    )
    alice.post("/w/acme/inbox/read-all/")
    assert "hidden" in alice.get("/w/acme/inbox/badge/").content.decode()


def test_someone_elses_notification_is_not_found(team: Team, alice: Client) -> None:
    [bobs] = make_notifications(team, team.bob, 1)
    assert alice.get(f"/w/acme/inbox/{bobs.public_id}/open/").status_code == 404
    assert alice.post(f"/w/acme/inbox/{bobs.public_id}/", {"verb": "read"}).status_code == 404
    assert Notification.objects.get(pk=bobs.pk).unread


def test_outsiders_cannot_see_the_inbox(team: Team) -> None:
    client = Client()
    client.force_login(team.outsider)
    assert client.get("/w/acme/inbox/").status_code == 404
    assert client.get("/w/acme/inbox/badge/").status_code == 404


def test_the_shell_links_the_inbox_and_loads_the_badge_lazily(team: Team, alice: Client) -> None:
    html = alice.get("/w/acme/").content.decode()
    assert 'href="/w/acme/inbox/"' in html
    assert 'hx-get="/w/acme/inbox/badge/"' in html


def test_the_preferences_page_saves_and_refuses_stale_forms(team: Team, alice: Client) -> None:
    page = alice.get("/w/acme/settings/notifications/").content.decode()
    assert 'name="email:task.assigned" id="email-1" aria-label="Assigned to you by e-mail" checked' in page
    assert 'name="version" value="1"' in page

    form = {"version": "1", "email_mode": "daily", "inbox:task.assigned": "on", "email:task.status_changed": "on"}
    response = alice.post("/w/acme/settings/notifications/", form)
    assert response.status_code == 302
    assert EmailSettings.objects.get(user=team.alice).mode == "daily"
    saved = {(p.kind, p.channel): p.enabled for p in NotificationPreference.objects.filter(user=team.alice)}
    assert saved[("task.status_changed", "email")] is True
    assert saved[("comment.mention", "inbox")] is False  # unticked

    stale = alice.post("/w/acme/settings/notifications/", {**form, "email_mode": "off"})
    assert stale.status_code == 409
    assert "changed by someone else" in stale.content.decode()
    assert EmailSettings.objects.get(user=team.alice).mode == "daily"


def test_the_watch_button(team: Team, alice: Client) -> None:
    button = alice.get("/w/acme/projects/OPS/watch/").content.decode()
    assert 'aria-pressed="false"' in button
    assert "Watch" in button
    toggled = alice.post("/w/acme/projects/OPS/watch/", {"watch": "1"}, **HTMX).content.decode()
    assert 'aria-pressed="true"' in toggled
    assert "Watching" in toggled
    assert ProjectWatch.objects.filter(user=team.alice).count() == 1
    alice.post("/w/acme/projects/OPS/watch/", {"watch": "0"}, **HTMX)
    assert not ProjectWatch.objects.exists()
    assert 'hx-get="/w/acme/projects/OPS/watch/"' in alice.get("/w/acme/projects/OPS/").content.decode()
