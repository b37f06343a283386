"""The per-process fan-out (live/hub.py): one channel-layer group member per process, events
queued during a connect go out after the hello, and a connection that falls too far behind is
closed (4408) instead of holding memory or the other connections."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from labora.live import consumers, selectors
from labora.live.hub import HUB_ATTRIBUTE
from labora.live.subscribers import workspace_group
from labora.live.wire import envelope
from labora.work.models import Task
from labora.work.services import project_create, task_create, task_update
from labora.workspaces.models import Role
from tests import factories
from tests.live.conftest import communicator, connect, events, nothing_more, receive, run

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def acme() -> dict[str, Any]:
    owner = factories.make_user(email="owner@example.com", name="Olivia Owner")
    member = factories.make_user(email="member@example.com", name="Mo Member")
    ws = factories.make_workspace(owner=owner, slug="acme", name="Acme")
    factories.add_member(ws, member, Role.MEMBER)
    ops = project_create(actor=owner, workspace=ws, key="OPS", name="Operations")
    return {"ws": ws, "owner": owner, "member": member, "ops1": task_create(actor=owner, project=ops, title="Keys")}


def token_for(user: Any) -> str:
    return factories.make_token(user)


def test_a_workspace_group_has_one_member_per_process_whatever_the_connections(acme: dict[str, Any]) -> None:
    member, owner = token_for(acme["member"]), token_for(acme["owner"])
    task = acme["ops1"]

    async def scenario() -> tuple[list[str], list[list[dict[str, Any]]], dict[str, Any]]:
        comms = [communicator("acme", token=t, origin=None) for t in (member, member, owner)]
        for comm in comms:
            await connect(comm)
        layer = get_channel_layer()
        group = workspace_group(acme["ws"].pk)
        joined = list(layer.groups[group])
        assert joined == [getattr(layer, HUB_ATTRIBUTE).channel]
        fresh = await database_sync_to_async(Task.objects.get)(pk=task.pk)
        await database_sync_to_async(task_update)(actor=acme["owner"], task=fresh, title="Rotate them all")
        received = [await events(comm, 1) for comm in comms]
        for comm in comms:
            await nothing_more(comm)
            await comm.disconnect()
        return joined, received, dict(layer.groups.get(group, {}))

    joined, received, left = run(scenario())
    assert len(joined) == 1, joined  # and it is the hub's channel (checked above)
    assert [[m["data"]["changes"]["title"][1] for m in got] for got in received] == [["Rotate them all"]] * 3
    assert left == {}  # the last connection gone, the process leaves the group


def test_an_event_committed_during_the_connect_arrives_after_the_hello(
    acme: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    token = token_for(acme["member"])
    real_last_event_id = selectors.last_event_id

    def last_event_id_with_a_change_meanwhile(*, workspace: Any) -> int:
        # Runs after the connection joined the group and read its Visibility, before the hello.
        task = Task.objects.get(pk=acme["ops1"].pk)
        task_update(actor=acme["owner"], task=task, title="Changed while connecting")
        return real_last_event_id(workspace=workspace)

    monkeypatch.setattr(selectors, "last_event_id", last_event_id_with_a_change_meanwhile)

    async def scenario() -> tuple[dict[str, Any], list[dict[str, Any]]]:
        comm = communicator("acme", token=token)
        hello = await connect(comm)  # fails unless the hello comes first
        got = await events(comm, 1)
        await nothing_more(comm)
        await comm.disconnect()
        return hello, got

    hello, [message] = run(scenario())
    assert message["data"]["changes"]["title"][1] == "Changed while connecting"
    assert hello["last_event"] == message["id"]


def test_a_connection_that_falls_too_far_behind_is_closed_and_the_others_go_on(
    acme: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(consumers, "MAX_BUFFERED", 3)
    token = token_for(acme["owner"])
    group = workspace_group(acme["ws"].pk)

    def fake(event_id: int) -> dict[str, Any]:
        payload = {"id": event_id, "event": "task.updated", "project": "OPS", "data": {}}
        return {**envelope(payload), "group": group}

    async def scenario() -> tuple[dict[str, Any], list[int]]:
        slow, other = communicator("acme", token=token), communicator("acme", token=token)
        await connect(slow)
        layer = get_channel_layer()
        hub = getattr(layer, HUB_ATTRIBUTE)
        # Five events handed on without yielding: the senders cannot run in between.
        for event_id in range(1, 6):
            hub.dispatch(fake(event_id))
        closed = await receive(slow)
        await connect(other)
        hub.dispatch(fake(6))
        got = [m["id"] for m in await events(other, 1)]
        await other.disconnect()
        return closed, got

    closed, got = run(scenario())
    assert closed["closed"] == consumers.CLOSE_TOO_SLOW
    assert "reconnect and resume" in closed["reason"]
    assert got == [6]


def test_a_server_error_while_handing_on_an_event_closes_the_connection(
    acme: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not a connection left open and silent: 1011, and the client reconnects and resumes."""
    token = token_for(acme["member"])
    group = workspace_group(acme["ws"].pk)

    def database_down(**kwargs: Any) -> Any:
        raise RuntimeError("database unreachable")

    async def scenario() -> dict[str, Any]:
        comm = communicator("acme", token=token)
        await connect(comm)
        monkeypatch.setattr(selectors, "visibility_for", database_down)
        hub = getattr(get_channel_layer(), HUB_ATTRIBUTE)
        # A role change makes every connection read its Visibility again.
        payload = {"id": 99, "event": "member.role_changed", "project": None, "data": {}}
        hub.dispatch({**envelope(payload), "group": group})
        return await receive(comm)

    closed = run(scenario())
    assert closed["closed"] == consumers.CLOSE_SERVER_ERROR
    assert "reconnect and resume" in closed["reason"]
