"""The activity log: one entry per workspace event, written by the outbox subscriber, with
who did it, to what, and {field: [before, after]}; read through /workspaces/{ws}/activity."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from labora.collaboration.models import ActivityEntry
from labora.collaboration.subscribers import activity_log
from labora.core import events
from labora.core.models import DomainEvent
from labora.workspaces import services
from labora.workspaces.models import Membership, Role
from tests import factories
from tests.core.test_errors import assert_error_body


@pytest.fixture
def owner_ms(workspace: Any, user: Any) -> Membership:
    return Membership.objects.get(workspace=workspace, user=user)


def test_a_workspace_rename_is_logged_with_before_and_after(
    workspace: Any, owner_ms: Membership, run_events: Any
) -> None:
    with run_events():
        services.workspace_update(actor=owner_ms.user, workspace=workspace, membership=owner_ms, name="Acme Inc")

    entry = ActivityEntry.objects.get(name="workspace.updated")
    event = DomainEvent.objects.get(name="workspace.updated")
    assert entry.event_id == event.pk
    assert entry.workspace_id == workspace.pk
    assert entry.actor == owner_ms.user
    assert (entry.target_type, entry.target_id, entry.target_label) == (
        "workspaces.workspace",
        workspace.public_id,
        "Acme Inc",
    )
    assert entry.changes == {"name": ["Acme", "Acme Inc"]}
    assert entry.at == event.created_at


def test_a_role_change_is_logged_with_before_and_after(workspace: Any, owner_ms: Membership, run_events: Any) -> None:
    bob = factories.add_member(workspace, factories.make_user(email="bob@example.com"), role=Role.MEMBER)

    with run_events():
        services.member_change_role(
            actor=owner_ms.user, workspace=workspace, membership=owner_ms, target=bob, role="admin"
        )

    entry = ActivityEntry.objects.get(name="member.role_changed")
    assert entry.actor == owner_ms.user
    assert (entry.target_type, entry.target_label) == ("workspaces.membership", "bob@example.com")
    assert entry.changes == {"role": ["member", "admin"]}


def test_account_events_belong_to_no_workspace_history(db: Any, run_events: Any) -> None:
    with run_events():
        factories.make_user()

    assert DomainEvent.objects.filter(name="user.created").exists()
    assert ActivityEntry.objects.count() == 0


def test_the_subscriber_is_idempotent_by_event_id(workspace: Any, owner_ms: Membership) -> None:
    services.workspace_update(actor=owner_ms.user, workspace=workspace, membership=owner_ms, name="Acme Inc")
    event = DomainEvent.objects.get(name="workspace.updated")

    activity_log(event)
    activity_log(event)  # a re-delivery after a crash between the handler and its acknowledgement

    assert ActivityEntry.objects.filter(event=event).count() == 1


def test_redelivery_does_not_double_the_log(workspace: Any, owner_ms: Membership, run_events: Any) -> None:
    with run_events():
        services.workspace_update(actor=owner_ms.user, workspace=workspace, membership=owner_ms, name="Acme Inc")

    events.redeliver_pending(grace_seconds=0)
    events.dispatch(DomainEvent.objects.values_list("pk", flat=True))

    assert ActivityEntry.objects.filter(name="workspace.updated").count() == 1


def test_a_rolled_back_change_leaves_no_history(workspace: Any, owner_ms: Membership, run_events: Any) -> None:
    def failing_request() -> None:
        with transaction.atomic():
            services.workspace_update(actor=owner_ms.user, workspace=workspace, membership=owner_ms, name="Acme Inc")
            raise RuntimeError("the request fails after the service returned")

    with run_events(), pytest.raises(RuntimeError):
        failing_request()

    assert ActivityEntry.objects.count() == 0


# --- GET /workspaces/{ws}/activity ---------------------------------------------------------


def _task_event(workspace: Any, actor: Any, name: str, *, project: str, task: str, at_minutes_ago: int) -> None:
    with transaction.atomic():
        event = events.record(
            name=name,
            actor=actor,
            workspace=workspace,
            target_label=task,
            data={"project": project, "task": task},
            changes={"title": ["old", "new"]},
        )
    DomainEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - timedelta(minutes=at_minutes_ago))
    event.refresh_from_db()
    activity_log(event)


@pytest.fixture
def history(workspace: Any, user: Any) -> dict[str, Any]:
    bob = factories.add_member(workspace, factories.make_user(email="bob@example.com")).user
    _task_event(workspace, user, "task.created", project="OPS", task="OPS-1", at_minutes_ago=50)
    _task_event(workspace, bob, "task.updated", project="OPS", task="OPS-1", at_minutes_ago=40)
    _task_event(workspace, bob, "task.updated", project="WEB", task="WEB-7", at_minutes_ago=30)
    _task_event(workspace, user, "comment.added", project="WEB", task="WEB-7", at_minutes_ago=20)
    other = factories.make_workspace()
    _task_event(other, other.created_by, "task.created", project="OPS", task="OPS-1", at_minutes_ago=10)
    return {"bob": bob}


def _events_of(api: Any, query: str = "") -> list[tuple[str, str | None]]:
    body = api.get(f"/api/v1/workspaces/acme/activity{query}").json()
    return [(item["event"], item["actor"]) for item in body["items"]]


def test_activity_lists_the_workspaces_history_newest_first(api: Any, history: dict[str, Any]) -> None:
    body = api.get("/api/v1/workspaces/acme/activity").json()

    assert body["count"] == 4
    assert [(i["event"], i["actor"]) for i in body["items"]] == [
        ("comment.added", "owner@example.com"),
        ("task.updated", "bob@example.com"),
        ("task.updated", "bob@example.com"),
        ("task.created", "owner@example.com"),
    ]
    item = body["items"][0]
    assert set(item) == {"id", "event", "actor", "target", "changes", "at"}
    assert item["changes"] == {"title": ["old", "new"]}
    assert item["target"]["label"] == "WEB-7"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?task=OPS-1", [("task.updated", "bob@example.com"), ("task.created", "owner@example.com")]),
        ("?task=ops-1", [("task.updated", "bob@example.com"), ("task.created", "owner@example.com")]),
        ("?project=WEB", [("comment.added", "owner@example.com"), ("task.updated", "bob@example.com")]),
        ("?actor=BOB@example.com", [("task.updated", "bob@example.com"), ("task.updated", "bob@example.com")]),
        ("?event=comment.", [("comment.added", "owner@example.com")]),
        ("?project=OPS&actor=bob@example.com", [("task.updated", "bob@example.com")]),
        ("?project=NOPE", []),
    ],
)
def test_activity_filters(api: Any, history: dict[str, Any], query: str, expected: list[Any]) -> None:
    assert _events_of(api, query) == expected


def test_activity_pages(api: Any, history: dict[str, Any]) -> None:
    first = api.get("/api/v1/workspaces/acme/activity?page_size=3").json()
    second = api.get(first["next"]).json()

    assert len(first["items"]) == 3
    assert len(second["items"]) == 1
    assert second["next"] is None


def test_guests_do_not_see_the_history(workspace: Any, history: dict[str, Any], api_for: Any) -> None:
    guest = factories.add_member(workspace, role=Role.GUEST).user

    assert_error_body(api_for(guest).get("/api/v1/workspaces/acme/activity"), 403)


def test_activity_costs_the_same_queries_for_few_and_many_entries(
    workspace: Any, user: Any, api: Any, django_assert_num_queries: Any
) -> None:
    api.get("/api/v1/workspaces/acme/activity")  # warm up the token
    _task_event(workspace, user, "task.created", project="OPS", task="OPS-1", at_minutes_ago=1)
    with django_assert_num_queries(3) as few:  # (a first page that is not full: no COUNT)
        api.get("/api/v1/workspaces/acme/activity")
    for n in range(30):
        actor = factories.add_member(workspace).user if n % 3 == 0 else user
        _task_event(workspace, actor, "task.updated", project="OPS", task=f"OPS-{n}", at_minutes_ago=1)

    with django_assert_num_queries(3) as many:
        api.get("/api/v1/workspaces/acme/activity")

    assert len(few.captured_queries) == len(many.captured_queries)
