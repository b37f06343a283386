"""The per-process fan-out (live/hub.py): one channel-layer group member per process, events
queued during a connect go out after the hello, and a connection that falls too far behind is
closed (4408) instead of holding memory or the other connections."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction

from labora.core import events as core_events
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


def _only_connection(hub: Any) -> Any:
    (connection,) = hub.members.values()
    return connection


def test_an_event_is_written_to_an_idle_connection_while_the_hub_hands_it_on(acme: dict[str, Any]) -> None:
    """No task switch per connection: when the hub's dispatch returns, the frame is written."""
    token = token_for(acme["owner"])
    group = workspace_group(acme["ws"].pk)

    async def scenario() -> tuple[int, list[int]]:
        comm = communicator("acme", token=token)
        await connect(comm)
        await nothing_more(comm)  # the connection's sender task now waits for work
        hub = getattr(get_channel_layer(), HUB_ATTRIBUTE)
        hub.dispatch({**envelope({"id": 41, "event": "task.updated", "project": "OPS", "data": {}}), "group": group})
        written = comm.output_queue.qsize()  # nothing awaited since the dispatch
        got = [m["id"] for m in await events(comm, 1)]
        await comm.disconnect()
        return written, got

    written, got = run(scenario())
    assert written == 1
    assert got == [41]


def test_a_frame_held_up_by_the_socket_goes_out_before_the_events_after_it(acme: dict[str, Any]) -> None:
    """A client that reads slowly: the send that must wait is finished by the sender task, and
    the events handed on meanwhile follow it in order; afterwards, sends are direct again."""
    token = token_for(acme["owner"])
    group = workspace_group(acme["ws"].pk)

    def fake(event_id: int) -> dict[str, Any]:
        return {**envelope({"id": event_id, "event": "task.updated", "project": "OPS", "data": {}}), "group": group}

    async def scenario() -> tuple[int, list[int], int, list[int]]:
        comm = communicator("acme", token=token)
        await connect(comm)
        await nothing_more(comm)
        hub = getattr(get_channel_layer(), HUB_ATTRIBUTE)
        connection = _only_connection(hub)
        socket_free = asyncio.Event()
        real_send = connection.send
        held: list[str] = []

        async def slow_send(text_data: str | None = None, **kwargs: Any) -> None:
            if text_data is not None and not held:
                held.append(text_data)
                await socket_free.wait()  # the write buffer is full until the client reads
            await real_send(text_data=text_data, **kwargs)

        connection.send = slow_send
        for event_id in (1, 2, 3):
            hub.dispatch(fake(event_id))
        waiting = len(connection.outgoing)  # the held frame, then 2 and 3
        socket_free.set()
        first = [m["id"] for m in await events(comm, 3)]
        await nothing_more(comm)
        hub.dispatch(fake(4))
        direct = comm.output_queue.qsize()
        after = [m["id"] for m in await events(comm, 1)]
        await comm.disconnect()
        return waiting, first, direct, after

    waiting, first, direct, after = run(scenario())
    assert waiting == 3
    assert first == [1, 2, 3]
    assert direct == 1
    assert after == [4]


def test_publish_returns_once_this_processs_connections_have_the_event(acme: dict[str, Any]) -> None:
    """live.publish keeps the request's thread waiting until the local fan-out is done
    (Hub.publish): the other outbox subscribers then do not share the GIL with it."""
    token = token_for(acme["member"])
    group = workspace_group(acme["ws"].pk)

    async def scenario() -> tuple[int, int, list[int]]:
        comm = communicator("acme", token=token)
        await connect(comm)
        await nothing_more(comm)
        hub = getattr(get_channel_layer(), HUB_ATTRIBUTE)
        payload = {"id": 77, "event": "task.updated", "project": "OPS", "data": {}}
        await hub.publish(group, {**envelope(payload), "group": group}, wait=5)
        written = comm.output_queue.qsize()
        # A group this process has no connection in: nothing to wait for.
        await hub.publish("live.ws.999999", {**envelope({**payload, "id": 78}), "group": "live.ws.999999"}, wait=5)
        got = [m["id"] for m in await events(comm, 1)]
        pending = len(hub._handed)
        await comm.disconnect()
        return written, pending, got

    written, pending, got = run(scenario())
    assert written == 1
    assert pending == 0
    assert got == [77]


def test_live_publish_runs_first_among_the_outbox_subscribers() -> None:
    names = [sub.name for sub in core_events.subscribers()]
    assert names[0] == "live.publish"
    for other in ("collaboration.activity_log", "planning.auto_schedule", "notifications.fanout"):
        assert other in names


def test_the_outbox_runs_subscribers_by_priority_then_registration(transactional_db: Any) -> None:
    ran: list[str] = []

    def recorder(name: str) -> Any:
        def handler(event: Any) -> None:
            ran.append(name)

        return handler

    registered = [("tests.late", 200), ("tests.default_a", core_events.DEFAULT_PRIORITY), ("tests.early", -5)]
    registered.append(("tests.default_b", core_events.DEFAULT_PRIORITY))
    for name, priority in registered:
        core_events.subscriber(name, events=["test.order"], priority=priority)(recorder(name))
    try:
        with transaction.atomic():
            core_events.record(name="test.order", actor=None)
    finally:
        for name, _ in registered:
            core_events.unregister(name)
    assert ran == ["tests.early", "tests.default_a", "tests.default_b", "tests.late"]
