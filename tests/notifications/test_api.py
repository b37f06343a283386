"""The notifications API: the inbox, marking, preferences, project watching."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from labora.core.models import DomainEvent
from labora.notifications.models import EmailSettings, Notification, NotificationPreference, ProjectWatch
from labora.work import services as work
from tests.conftest import ApiClient
from tests.notifications.conftest import Team

BASE = "/api/v1/workspaces/acme"


def make_notifications(team: Team, user: Any, n: int, **extra: Any) -> list[Notification]:
    now = timezone.now()
    rows = [
        Notification(
            workspace=team.workspace,
            recipient=user,
            kind="comment.mention",
            group="mentions",
            subject=f"task:{team.task.pk}",
            actor=team.owner,
            task=team.task,
            project=team.project,
            target_label="OPS-1 Fix the login",
            text=f"mentioned you: “{i}”",
            link="/w/acme/tasks/OPS-1/",
            updated_at=now - datetime.timedelta(minutes=i),
            created_at=now - datetime.timedelta(minutes=i),
            **extra,
        )
        for i in range(n)
    ]
    return Notification.objects.bulk_create(rows)


@pytest.fixture
def alice_api(team: Team, api_for: Any) -> ApiClient:
    return api_for(team.alice)


def test_the_list_shows_my_notifications_unread_first(team: Team, alice_api: ApiClient) -> None:
    [read, unread] = make_notifications(team, team.alice, 2)
    Notification.objects.filter(pk=read.pk).update(unread=False, read_at=timezone.now())
    make_notifications(team, team.bob, 1)  # someone else's

    body = alice_api.get(f"{BASE}/notifications").json()

    assert body["count"] == 2
    assert body["next"] is None
    first = body["items"][0]
    assert first["id"] == unread.public_id
    assert first == {
        "id": unread.public_id,
        "kind": "comment.mention",
        "actor": {"id": team.owner.public_id, "email": "owner@example.com", "name": "Olivia Owner"},
        "task": "OPS-1",
        "project": "OPS",
        "target": "OPS-1 Fix the login",
        "text": "mentioned you: “1”",
        "count": 1,
        "link": "/w/acme/tasks/OPS-1/",
        "created_at": first["created_at"],
        "updated_at": first["updated_at"],
        "read": False,
        "archived": False,
    }
    assert [i["read"] for i in body["items"]] == [False, True]
    only_unread = alice_api.get(f"{BASE}/notifications?unread=true").json()
    assert [i["id"] for i in only_unread["items"]] == [unread.public_id]


def test_the_list_filters_by_kind_and_refuses_unknown_kinds(team: Team, alice_api: ApiClient) -> None:
    make_notifications(team, team.alice, 2)
    assert alice_api.get(f"{BASE}/notifications?kind=task.assigned").json()["count"] == 0
    assert alice_api.get(f"{BASE}/notifications?kind=comment.mention").json()["count"] == 2
    bad = alice_api.get(f"{BASE}/notifications?kind=bogus")
    assert bad.status_code == 422
    assert bad.json()["error"]["fields"] == {"kind": "unknown kind"}


def test_the_list_is_paginated_and_costs_the_same_queries_for_any_size(
    team: Team, alice_api: ApiClient, django_assert_num_queries: Any
) -> None:
    make_notifications(team, team.alice, 3)
    alice_api.get(f"{BASE}/notifications")  # the token's last use is recorded once, on the first request
    with django_assert_num_queries(4):  # the token, the membership, the count, the page (with its joins)
        alice_api.get(f"{BASE}/notifications?page_size=2")
    make_notifications(team, team.alice, 30)
    with django_assert_num_queries(4):
        body = alice_api.get(f"{BASE}/notifications?page_size=20").json()
    assert len(body["items"]) == 20
    assert body["count"] == 33
    assert "page=2" in body["next"]


def test_mark_read_by_ids_and_all(team: Team, alice_api: ApiClient) -> None:
    rows = make_notifications(team, team.alice, 3)
    response = alice_api.post_json(f"{BASE}/notifications/read", {"ids": [rows[0].public_id]})
    assert response.status_code == 200
    assert response.json() == {"changed": 1, "unread": 2}
    assert alice_api.post_json(f"{BASE}/notifications/read", {"all": True}).json() == {"changed": 2, "unread": 0}
    assert DomainEvent.objects.filter(name="notification.read", actor=team.alice, workspace=None).count() == 2

    back = alice_api.post_json(f"{BASE}/notifications/unread", {"ids": [rows[2].public_id]})
    assert back.json() == {"changed": 1, "unread": 1}


def test_archive_and_unarchive(team: Team, alice_api: ApiClient) -> None:
    [row] = make_notifications(team, team.alice, 1)
    assert alice_api.post_json(f"{BASE}/notifications/archive", {"ids": [row.public_id]}).json() == {
        "changed": 1,
        "unread": 0,
    }
    assert alice_api.get(f"{BASE}/notifications").json()["count"] == 0
    archived = alice_api.get(f"{BASE}/notifications?archived=true").json()["items"]
    assert [(i["id"], i["archived"], i["read"]) for i in archived] == [(row.public_id, True, True)]
    alice_api.post_json(f"{BASE}/notifications/unarchive", {"ids": [row.public_id]})
    assert alice_api.get(f"{BASE}/notifications").json()["count"] == 1


def test_someone_elses_ids_are_not_found_and_nothing_changes(team: Team, alice_api: ApiClient) -> None:
    [mine] = make_notifications(team, team.alice, 1)
    [bobs] = make_notifications(team, team.bob, 1)
    response = alice_api.post_json(f"{BASE}/notifications/read", {"ids": [mine.public_id, bobs.public_id]})
    assert response.status_code == 404
    assert bobs.public_id in response.json()["error"]["message"]
    assert Notification.objects.filter(unread=True).count() == 2
    assert not DomainEvent.objects.filter(name="notification.read").exists()


def test_marking_needs_ids_or_all(team: Team, alice_api: ApiClient) -> None:
    response = alice_api.post_json(f"{BASE}/notifications/read", {})
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"ids": "required"}
    assert alice_api.post_json(f"{BASE}/notifications/unread", {"ids": []}).status_code == 422


def test_outsiders_get_404(team: Team, api_for: Any) -> None:
    outsider = api_for(team.outsider)
    assert outsider.get(f"{BASE}/notifications").status_code == 404
    assert outsider.post_json(f"{BASE}/notifications/read", {"all": True}).status_code == 404
    assert outsider.get(f"{BASE}/notification-preferences").status_code == 404
    assert outsider.put_json(f"{BASE}/projects/OPS/watch").status_code == 404


def test_preferences_defaults_then_a_versioned_change(team: Team, alice_api: ApiClient) -> None:
    body = alice_api.get(f"{BASE}/notification-preferences").json()
    assert body["version"] == 1
    assert body["email_mode"] == "instant"
    kinds = {row["kind"]: (row["inbox"], row["email"]) for row in body["kinds"]}
    assert kinds["task.assigned"] == (True, True)
    assert kinds["task.status_changed"] == (True, False)
    assert len(kinds) == 8

    changed = alice_api.put_json(
        f"{BASE}/notification-preferences",
        {"version": 1, "email_mode": "daily", "kinds": [{"kind": "task.status_changed", "email": True}]},
    )
    assert changed.status_code == 200
    body = changed.json()
    assert body["version"] == 2
    assert body["email_mode"] == "daily"
    assert {r["kind"]: r["email"] for r in body["kinds"]}["task.status_changed"] is True
    assert NotificationPreference.objects.get(user=team.alice).enabled is True
    event = DomainEvent.objects.get(name="notification.preferences_changed")
    assert event.changes == {"email_mode": ["instant", "daily"], "task.status_changed.email": [False, True]}

    stale = alice_api.put_json(f"{BASE}/notification-preferences", {"email_mode": "off"}, HTTP_IF_MATCH="1")
    assert stale.status_code == 409
    assert EmailSettings.objects.get(user=team.alice).mode == "daily"


def test_preferences_refuse_unknown_kinds_and_modes(team: Team, alice_api: ApiClient) -> None:
    assert (
        alice_api.put_json(f"{BASE}/notification-preferences", {"kinds": [{"kind": "x", "email": True}]}).status_code
        == 422
    )
    assert alice_api.put_json(f"{BASE}/notification-preferences", {"email_mode": "weekly"}).status_code == 422
    twice = alice_api.put_json(
        f"{BASE}/notification-preferences",
        {"kinds": [{"kind": "task.assigned", "email": True}, {"kind": "task.assigned", "inbox": False}]},
    )
    assert twice.status_code == 422
    assert not NotificationPreference.objects.exists()
    assert not EmailSettings.objects.exists()


def test_watching_a_project(team: Team, alice_api: ApiClient) -> None:
    response = alice_api.put_json(f"{BASE}/projects/OPS/watch")
    assert response.status_code == 200
    assert response.json() == {"project": "OPS", "watching": True, "watchers": 1}
    assert alice_api.put_json(f"{BASE}/projects/ops/watch").json()["watchers"] == 1  # twice: no change
    assert DomainEvent.objects.filter(name="project.watcher_added").count() == 1

    assert alice_api.delete(f"{BASE}/projects/OPS/watch").status_code == 204
    assert not ProjectWatch.objects.exists()
    assert DomainEvent.objects.filter(name="project.watcher_removed").count() == 1


def test_a_private_project_cannot_be_watched_by_those_who_cannot_see_it(
    team: Team, alice_api: ApiClient, run_events: Any
) -> None:
    with run_events():
        work.project_create(actor=team.owner, workspace=team.workspace, key="SEC", name="Secret", is_private=True)
    assert alice_api.put_json(f"{BASE}/projects/SEC/watch").status_code == 404
    assert not ProjectWatch.objects.exists()
