"""The live websocket with Channels' WebsocketCommunicator against the real ASGI application:
authentication, delivery, permission filtering, catch-up without loss or duplicates, presence."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.test import Client

from labora.core.models import DomainEvent
from labora.live import selectors
from labora.work.models import Task
from labora.work.services import project_create, project_update, task_create, task_update
from labora.work.services.members import project_member_add
from labora.workspaces.models import Role
from tests import factories
from tests.live.conftest import communicator, connect, events, nothing_more, receive, refusal, run

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def acme() -> dict[str, Any]:
    """Owner, member, guest and outsider; public OPS (one task), private SEC (one task)."""
    owner = factories.make_user(email="owner@example.com", name="Olivia Owner")
    member = factories.make_user(email="member@example.com", name="Mo Member")
    guest = factories.make_user(email="guest@example.com", name="Gus Guest")
    stranger = factories.make_user(email="stranger@example.com", name="Stan Stranger")
    ws = factories.make_workspace(owner=owner, slug="acme", name="Acme")
    factories.add_member(ws, member, Role.MEMBER)
    factories.add_member(ws, guest, Role.GUEST)
    factories.make_workspace(owner=stranger, slug="other", name="Other")
    ops = project_create(actor=owner, workspace=ws, key="OPS", name="Operations")
    sec = project_create(actor=owner, workspace=ws, key="SEC", name="Security", is_private=True)
    return {
        "ws": ws,
        "owner": owner,
        "member": member,
        "guest": guest,
        "stranger": stranger,
        "ops": ops,
        "sec": sec,
        "ops1": task_create(actor=owner, project=ops, title="Rotate the keys"),
        "sec1": task_create(actor=owner, project=sec, title="Audit the vault"),
    }


def token_for(user: Any) -> str:
    return factories.make_token(user)


def session_for(user: Any) -> str:
    client = Client()
    client.force_login(user)
    return str(client.cookies[settings.SESSION_COOKIE_NAME].value)


async def write(fn: Any, **kwargs: Any) -> Any:
    """Call a service from the test's loop: it commits, then the outbox publishes."""
    return await database_sync_to_async(fn)(**kwargs)


async def fresh(task: Task) -> Task:
    return await database_sync_to_async(Task.objects.get)(pk=task.pk)


# --- authentication -----------------------------------------------------------------------------


def test_session_bearer_and_query_token_each_authenticate(acme: dict[str, Any]) -> None:
    session, token = session_for(acme["member"]), token_for(acme["member"])

    async def scenario() -> list[dict[str, Any]]:
        hellos = []
        for comm in (
            communicator("acme", session=session),
            communicator("acme", token=token, origin=None),
            communicator("acme", query_token=token, origin="https://elsewhere.example"),
        ):
            hellos.append(await connect(comm))
            await comm.disconnect()
        return hellos

    hellos = run(scenario())
    last = DomainEvent.objects.filter(workspace=acme["ws"]).order_by("-id").first()
    assert last is not None
    for hello in hellos:
        assert hello["workspace"] == "acme"
        assert hello["user"]["id"] == acme["member"].public_id
        assert hello["role"] == "member"
        assert hello["last_event"] == last.pk


def test_refusals_close_with_a_code_and_a_reason(acme: dict[str, Any]) -> None:
    stranger_token = token_for(acme["stranger"])
    session = session_for(acme["member"])

    async def scenario() -> list[tuple[int, str]]:
        return [
            await refusal(communicator("acme")),  # nobody
            await refusal(communicator("acme", token="lab_not-a-real-token")),
            await refusal(communicator("acme", token=stranger_token)),  # not a member
            await refusal(communicator("nowhere", token=stranger_token)),  # no such workspace: same answer
            await refusal(communicator("acme", session=session, origin="https://evil.example")),
        ]

    nobody, bad_token, stranger, unknown, foreign_origin = run(scenario())
    assert nobody[0] == 4401
    assert "Bearer" in nobody[1]
    assert bad_token[0] == 4401
    assert "token" in bad_token[1]
    assert stranger == (4403, "No workspace 'acme' among yours. Check the slug in GET /api/v1/workspaces.")
    assert unknown[0] == 4403
    assert "'nowhere'" in unknown[1]
    assert foreign_origin[0] == 4401
    assert "this site" in foreign_origin[1]


def test_an_unknown_websocket_address_is_refused_with_4404(acme: dict[str, Any]) -> None:
    from channels.testing import WebsocketCommunicator

    from labora.asgi import application

    code, reason = run(refusal(WebsocketCommunicator(application, "/api/v1/nothing")))
    assert code == 4404
    assert "/api/v1/workspaces/<workspace>/live" in reason


# --- delivery -----------------------------------------------------------------------------------


def test_a_task_update_reaches_a_connected_member_in_api_shape(acme: dict[str, Any]) -> None:
    token = token_for(acme["member"])
    owner, task = acme["owner"], acme["ops1"]

    async def scenario() -> dict[str, Any]:
        comm = communicator("acme", token=token)
        await connect(comm)
        await write(task_update, actor=owner, task=await fresh(task), priority="high")
        [message] = await events(comm, 1)
        await nothing_more(comm)
        await comm.disconnect()
        return message

    message = run(scenario())
    event = DomainEvent.objects.get(name="task.updated")
    assert message == {
        "id": event.pk,
        "event": "task.updated",
        "workspace": "acme",
        "project": "OPS",
        "task": "OPS-1",
        "actor": {"id": owner.public_id, "name": "Olivia Owner"},
        "at": event.created_at.isoformat(),
        "data": {"project": "OPS", "task": "OPS-1", "changes": {"priority": ["none", "high"]}},
    }


# --- permission filtering -----------------------------------------------------------------------


def test_a_private_projects_events_never_reach_a_non_member(acme: dict[str, Any]) -> None:
    member_token, owner_token = token_for(acme["member"]), token_for(acme["owner"])
    owner = acme["owner"]

    async def scenario() -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
        member = communicator("acme", token=member_token)
        boss = communicator("acme", token=owner_token)
        await connect(member)
        await connect(boss)
        await member.send_json_to({"subscribe": {"project": "SEC"}})
        refused = await receive(member)
        await write(task_update, actor=owner, task=await fresh(acme["sec1"]), title="Audit the vault twice")
        await write(task_create, actor=owner, project=acme["sec"], title="Change the locks")
        await write(task_update, actor=owner, task=await fresh(acme["ops1"]), title="Rotate all keys")
        seen_by_member = await events(member, 1)
        await nothing_more(member)
        seen_by_owner = await events(boss, 3)
        await member.disconnect()
        await boss.disconnect()
        return seen_by_member, seen_by_owner, refused

    seen_by_member, seen_by_owner, refused = run(scenario())
    assert refused["error"]["code"] == "not_found"
    assert "SEC" in refused["error"]["message"]
    assert [m["task"] for m in seen_by_member] == ["OPS-1"]
    assert [m["task"] for m in seen_by_owner] == ["SEC-1", "SEC-2", "OPS-1"]


def test_a_guest_sees_only_shared_projects_and_nothing_workspace_wide(acme: dict[str, Any]) -> None:
    guest_token = token_for(acme["guest"])
    owner = acme["owner"]

    async def scenario() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        comm = communicator("acme", token=guest_token)
        await connect(comm)
        await write(task_update, actor=owner, task=await fresh(acme["ops1"]), title="Not shared yet")
        await write(project_create, actor=owner, workspace=acme["ws"], key="WEB", name="Website")
        await nothing_more(comm)  # neither OPS (not shared) nor the workspace-wide project.created
        # Sharing OPS with the guest: from then on its events arrive (the visibility is re-read).
        await write(project_member_add, actor=owner, project=acme["ops"], email="guest@example.com")
        first = await events(comm, 1)
        await write(task_update, actor=owner, task=await fresh(acme["ops1"]), title="Shared now")
        await write(task_update, actor=owner, task=await fresh(acme["sec1"]), title="Still private")
        second = await events(comm, 1)
        await nothing_more(comm)
        await comm.disconnect()
        return first, second

    first, second = run(scenario())
    assert [(m["event"], m["project"]) for m in first] == [("project.member_added", "OPS")]
    assert [(m["event"], m["data"]["changes"]["title"][1]) for m in second] == [("task.updated", "Shared now")]


def test_a_project_made_private_stops_reaching_members_outside_it(acme: dict[str, Any]) -> None:
    member_token = token_for(acme["member"])
    owner = acme["owner"]

    async def scenario() -> list[dict[str, Any]]:
        comm = communicator("acme", token=member_token)
        await connect(comm)
        await comm.send_json_to({"subscribe": {"project": "ops"}})
        assert await receive(comm) == {"subscribed": {"project": "OPS"}}
        await write(task_update, actor=owner, task=await fresh(acme["ops1"]), title="Before")
        seen = await events(comm, 1)
        await write(project_update, actor=owner, project=acme["ops"], is_private=True)
        await write(task_update, actor=owner, task=await fresh(acme["ops1"]), title="After")
        await nothing_more(comm)
        await comm.disconnect()
        return seen

    seen = run(scenario())
    assert [m["data"]["changes"]["title"][1] for m in seen] == ["Before"]


def test_subscriptions_narrow_project_events(acme: dict[str, Any]) -> None:
    token = token_for(acme["owner"])
    owner = acme["owner"]

    async def scenario() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        comm = communicator("acme", token=token)
        await connect(comm)
        await comm.send_json_to({"subscribe": {"project": "SEC"}})
        assert await receive(comm) == {"subscribed": {"project": "SEC"}}
        await write(task_update, actor=owner, task=await fresh(acme["ops1"]), title="Ops change")
        await write(task_update, actor=owner, task=await fresh(acme["sec1"]), title="Sec change")
        narrowed = await events(comm, 1)
        await comm.send_json_to({"unsubscribe": {"project": "SEC"}})
        assert await receive(comm) == {"unsubscribed": {"project": "SEC"}}
        await write(task_update, actor=owner, task=await fresh(acme["sec1"]), title="Unheard")
        await nothing_more(comm)
        await comm.send_json_to({"subscribe": {"project": "*"}})
        assert await receive(comm) == {"subscribed": {"project": "*"}}
        await write(task_update, actor=owner, task=await fresh(acme["ops1"]), title="Everything again")
        again = await events(comm, 1)
        await comm.disconnect()
        return narrowed, again

    narrowed, again = run(scenario())
    assert [m["task"] for m in narrowed] == ["SEC-1"]
    assert [m["task"] for m in again] == ["OPS-1"]


# --- catch-up -------------------------------------------------------------------------------------


def test_resume_after_sends_every_missed_visible_event_in_order_then_continues_live(
    acme: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    member_token = token_for(acme["member"])
    owner = acme["owner"]
    ops1 = acme["ops1"]
    resume_from = DomainEvent.objects.order_by("-id").first().pk  # type: ignore[union-attr]
    # Missed while offline: three visible, one private.
    for title in ("one", "two"):
        task_update(actor=owner, task=Task.objects.get(pk=ops1.pk), title=title)
    task_update(actor=owner, task=Task.objects.get(pk=acme["sec1"].pk), title="private")
    task_create(actor=owner, project=acme["ops"], title="three")

    # The race: while the catch-up reads the database, more changes commit. One commits just
    # before the read (so it is both in the read and in the live buffer), one right after it
    # (only live). Both must arrive exactly once, after the missed ones and before "resumed".
    real_events_after = selectors.events_after
    calls = {"n": 0}

    def racing_events_after(**kwargs: Any) -> list[dict[str, Any]]:
        calls["n"] += 1
        if calls["n"] == 1:
            task_update(actor=owner, task=Task.objects.get(pk=ops1.pk), title="during, before the read")
        rows = real_events_after(**kwargs)
        if calls["n"] == 1:
            task_update(actor=owner, task=Task.objects.get(pk=ops1.pk), title="during, after the read")
        return rows

    monkeypatch.setattr(selectors, "events_after", racing_events_after)

    async def scenario() -> tuple[list[dict[str, Any]], dict[str, Any], list[dict[str, Any]]]:
        comm = communicator("acme", token=member_token)
        await connect(comm)
        await comm.send_json_to({"resume_after": resume_from})
        caught: list[dict[str, Any]] = []
        while True:
            message = await receive(comm)
            if "resumed" in message:
                resumed = message
                break
            caught.append(message)
        await write(task_update, actor=owner, task=await fresh(ops1), title="live again")
        live = await events(comm, 1)
        await nothing_more(comm)
        await comm.disconnect()
        return caught, resumed, live

    caught, resumed, live = run(scenario())
    visible = list(
        DomainEvent.objects.filter(workspace=acme["ws"], id__gt=resume_from)
        .exclude(data__project="SEC")
        .order_by("id")
        .values_list("id", flat=True)
    )
    ids = [m["id"] for m in caught] + [m["id"] for m in live]
    assert ids == visible  # every visible event, in id order, none twice, none private
    assert len(ids) == len(set(ids))
    titles = [m["data"].get("title") or m["data"].get("changes", {}).get("title", [None, None])[1] for m in caught]
    assert titles == ["one", "two", "three", "during, before the read", "during, after the read"]
    assert resumed["resumed"]["after"] == resume_from
    assert resumed["resumed"]["sent"] == 5


def test_resume_after_refuses_bad_ids_and_too_long_a_gap(acme: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    token = token_for(acme["owner"])
    monkeypatch.setattr(selectors, "MAX_CATCH_UP", 2)

    async def scenario() -> list[dict[str, Any]]:
        comm = communicator("acme", token=token)
        await connect(comm)
        answers = []
        for message in ({"resume_after": "12"}, {"resume_after": -1}, {"resume_after": True}, {"resume_after": 0}):
            await comm.send_json_to(message)
            answers.append(await receive(comm))
        await comm.disconnect()
        return answers

    *invalid, too_far = run(scenario())
    assert [a["error"]["code"] for a in invalid] == ["invalid"] * 3
    assert "integer" in invalid[0]["error"]["message"]
    assert too_far["error"]["code"] == "too_far_behind"
    assert "reload" in too_far["error"]["message"]


# --- bad input --------------------------------------------------------------------------------------


def test_bad_messages_are_answered_with_what_to_send(acme: dict[str, Any]) -> None:
    token = token_for(acme["member"])

    async def scenario() -> list[dict[str, Any]]:
        comm = communicator("acme", token=token)
        await connect(comm)
        answers = []
        for raw in (
            "not json",
            "[1, 2]",
            '{"dance": 1}',
            '{"subscribe": {"project": "no such key!"}}',
            '{"subscribe": {"project": "NOPE"}}',
            '{"subscribe": "OPS"}',
            '{"unsubscribe": {"project": "OPS"}}',
            '{"presence": {"task": 12}}',
            "x" * 5000,
        ):
            await comm.send_to(text_data=raw)
            answers.append(await receive(comm))
        await comm.send_to(bytes_data=b"\x00\x01")
        answers.append(await receive(comm))
        await comm.disconnect()
        return answers

    answers = run(scenario())
    codes = [a["error"]["code"] for a in answers]
    assert codes == [
        "invalid",
        "invalid",
        "unknown_message",
        "invalid",
        "not_found",
        "invalid",
        "not_subscribed",
        "invalid",
        "invalid",
        "invalid",
    ]
    assert '{"subscribe": {"project": "OPS"}}' in answers[0]["error"]["message"]
    assert "NOPE" in answers[4]["error"]["message"]
    assert "4096" in answers[8]["error"]["message"]


# --- presence -----------------------------------------------------------------------------------------


def test_presence_tells_each_viewer_of_a_task_who_else_is_there(acme: dict[str, Any]) -> None:
    tokens = {name: token_for(acme[name]) for name in ("owner", "member", "guest")}

    async def scenario() -> dict[str, Any]:
        owner = communicator("acme", token=tokens["owner"])
        member = communicator("acme", token=tokens["member"])
        guest = communicator("acme", token=tokens["guest"])
        for comm in (owner, member, guest):
            await connect(comm)
        out: dict[str, Any] = {}
        await owner.send_json_to({"presence": {"task": "ops-1"}})
        out["owner_alone"] = await receive(owner)
        await member.send_json_to({"presence": {"task": "OPS-1"}})
        out["member_joined"] = await receive(member)
        out["owner_told"] = await receive(owner)
        out["member_told"] = await receive(member)  # the owner's "here" reply
        await guest.send_json_to({"presence": {"task": "OPS-1"}})  # OPS is not shared with the guest
        out["guest_refused"] = await receive(guest)
        await member.disconnect()
        out["owner_after_leave"] = await receive(owner)
        await owner.send_json_to({"presence": {"task": None}})
        out["owner_left"] = await receive(owner)
        await owner.disconnect()
        await guest.disconnect()
        return out

    out = run(scenario())
    olivia = {"id": acme["owner"].public_id, "name": "Olivia Owner", "initials": "OO"}
    mo = {"id": acme["member"].public_id, "name": "Mo Member", "initials": "MM"}
    assert out["owner_alone"] == {"presence": {"task": "OPS-1", "viewers": [olivia]}}
    assert out["member_joined"] == {"presence": {"task": "OPS-1", "viewers": [mo]}}
    assert out["owner_told"] == {"presence": {"task": "OPS-1", "viewers": [mo, olivia]}}
    assert out["member_told"] == {"presence": {"task": "OPS-1", "viewers": [mo, olivia]}}
    assert out["guest_refused"]["error"]["code"] == "not_found"
    assert out["owner_after_leave"] == {"presence": {"task": "OPS-1", "viewers": [olivia]}}
    assert out["owner_left"] == {"presence": {"task": None, "viewers": []}}


# --- publishing through the outbox ------------------------------------------------------------------


def test_a_failed_publish_is_retried_by_the_worker_and_arrives_once(
    acme: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from channels.layers import get_channel_layer
    from django.utils import timezone

    from labora.core import events as outbox
    from labora.core.models import DomainEvent, EventDelivery

    token = token_for(acme["member"])
    owner = acme["owner"]
    # Only the failed publish below may be pending: events of the set-up (whose after-commit
    # dispatch depends on how the test database wraps transactions) count as delivered.
    DomainEvent.objects.filter(delivered_at__isnull=True).update(delivered_at=timezone.now())

    async def scenario() -> tuple[list[dict[str, Any]], int]:
        comm = communicator("acme", token=token)
        await connect(comm)
        layer = get_channel_layer()
        real_group_send = layer.group_send

        async def unreachable(group: str, message: dict[str, Any]) -> None:
            raise ConnectionError("the channel layer is down")

        monkeypatch.setattr(layer, "group_send", unreachable)
        task = await write(task_update, actor=owner, task=await fresh(acme["ops1"]), title="While down")
        monkeypatch.setattr(layer, "group_send", real_group_send)
        await nothing_more(comm)  # not published: the live subscriber failed, the event is pending
        acknowledged = await database_sync_to_async(
            EventDelivery.objects.filter(subscriber="live.publish", event__name="task.updated").count
        )()
        assert acknowledged == 0
        await database_sync_to_async(outbox.redeliver_pending)(grace_seconds=0)
        await database_sync_to_async(outbox.redeliver_pending)(grace_seconds=0)  # a second run: nothing
        got = await events(comm, 1)
        await nothing_more(comm)
        await comm.disconnect()
        assert task.title == "While down"
        return got, await database_sync_to_async(
            EventDelivery.objects.filter(subscriber="live.publish", event__name="task.updated").count
        )()

    got, acknowledged = run(scenario())
    assert [m["data"]["changes"]["title"][1] for m in got] == ["While down"]
    assert acknowledged == 1
