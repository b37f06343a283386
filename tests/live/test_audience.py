"""Addressed events (`data["audience"]`) and per-user pushes (send_to_user), over the real ASGI
application with Channels' WebsocketCommunicator."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.db import transaction

from labora.core import events as domain_events
from labora.core.models import DomainEvent
from labora.live import wire
from labora.live.subscribers import send_to_user
from labora.workspaces.models import Role, Workspace
from tests import factories
from tests.live.conftest import communicator, connect, events, nothing_more, receive, run

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def team() -> dict[str, Any]:
    """Owner Olivia, members Ann and Bob, guest Gus, in workspace acme; Ann also owns `other`."""
    owner = factories.make_user(email="owner@example.com", name="Olivia Owner")
    ann = factories.make_user(email="ann@example.com", name="Ann Able")
    bob = factories.make_user(email="bob@example.com", name="Bob Baker")
    gus = factories.make_user(email="gus@example.com", name="Gus Guest")
    ws = factories.make_workspace(owner=owner, slug="acme", name="Acme")
    factories.add_member(ws, ann, Role.MEMBER)
    factories.add_member(ws, bob, Role.MEMBER)
    factories.add_member(ws, gus, Role.GUEST)
    other = factories.make_workspace(owner=ann, slug="other", name="Other")
    tokens = {name: factories.make_token(user) for name, user in (("owner", owner), ("ann", ann), ("bob", bob))}
    tokens["gus"] = factories.make_token(gus)
    return {"ws": ws, "other": other, "owner": owner, "ann": ann, "bob": bob, "gus": gus, "tokens": tokens}


def _record(*, workspace: Workspace, actor: Any, name: str, data: dict[str, Any]) -> int:
    with transaction.atomic():
        return int(domain_events.record(name=name, actor=actor, workspace=workspace, data=data).pk)


async def record(**kwargs: Any) -> int:
    return await database_sync_to_async(_record)(**kwargs)


def test_the_envelope_carries_the_audience_and_rejects_malformed_ones() -> None:
    base = {"id": 1, "event": "x.y", "project": None, "data": {}}
    assert wire.envelope(base)["audience"] is None
    assert wire.envelope({**base, "data": {"audience": [3, 1, 3]}})["audience"] == [1, 3]
    assert wire.envelope({**base, "data": {"audience": "everyone"}})["audience"] == []
    assert wire.envelope({**base, "data": {"audience": [True, "2", 5]}})["audience"] == [5]


def test_an_addressed_event_reaches_only_its_audience_even_guests_not_owners(team: dict[str, Any]) -> None:
    tokens, ws = team["tokens"], team["ws"]
    audience = [team["ann"].pk, team["gus"].pk]

    async def scenario() -> dict[str, list[dict[str, Any]]]:
        comms = {name: communicator("acme", token=tokens[name]) for name in ("owner", "ann", "bob", "gus")}
        for comm in comms.values():
            await connect(comm)
        secret = await record(
            workspace=ws, actor=team["ann"], name="chat.message_posted", data={"excerpt": "psst", "audience": audience}
        )
        public = await record(workspace=ws, actor=team["ann"], name="chat.message_posted", data={"excerpt": "hi"})
        seen: dict[str, list[dict[str, Any]]] = {}
        seen["ann"] = await events(comms["ann"], 2)
        seen["gus"] = await events(comms["gus"], 1)  # guests see nothing workspace-wide, but this is addressed
        seen["owner"] = await events(comms["owner"], 1)
        seen["bob"] = await events(comms["bob"], 1)
        for comm in comms.values():
            await nothing_more(comm)
            await comm.disconnect()
        seen["ids"] = [{"id": secret}, {"id": public}]
        return seen

    seen = run(scenario())
    secret, public = seen["ids"][0]["id"], seen["ids"][1]["id"]
    assert [m["id"] for m in seen["ann"]] == [secret, public]
    assert seen["ann"][0]["data"] == {"excerpt": "psst", "audience": audience}
    assert [m["id"] for m in seen["gus"]] == [secret]
    assert [m["id"] for m in seen["owner"]] == [public]  # not even the owner reads someone's DMs
    assert [m["id"] for m in seen["bob"]] == [public]


def test_catch_up_also_filters_by_audience(team: dict[str, Any]) -> None:
    tokens, ws = team["tokens"], team["ws"]

    async def scenario() -> tuple[int, list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
        start = await database_sync_to_async(
            lambda: DomainEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        )()
        secret = await record(
            workspace=ws, actor=team["ann"], name="chat.message_posted", data={"audience": [team["ann"].pk]}
        )
        public = await record(workspace=ws, actor=team["ann"], name="chat.message_posted", data={})
        results = []
        for name in ("bob", "ann"):
            comm = communicator("acme", token=tokens[name])
            await connect(comm)
            await comm.send_json_to({"resume_after": start})
            found = []
            while True:
                message = await receive(comm)
                if "resumed" in message:
                    resumed = message["resumed"]
                    break
                found.append(message)
            await comm.disconnect()
            results.append(found)
        assert [m["id"] for m in results[1]] == [secret, public]
        return public, results[0], results[1], resumed

    public, bob_saw, _ann_saw, resumed = run(scenario())
    assert [m["id"] for m in bob_saw] == [public]
    assert resumed["sent"] == 2  # Ann's catch-up


def test_send_to_user_reaches_every_connection_of_that_user_only(team: dict[str, Any]) -> None:
    tokens = team["tokens"]
    ann_id = team["ann"].pk

    async def scenario() -> tuple[list[dict[str, Any]], dict[str, Any]]:
        ann_acme = communicator("acme", token=tokens["ann"])
        ann_other = communicator("other", token=tokens["ann"])
        bob = communicator("acme", token=tokens["bob"])
        for comm in (ann_acme, ann_other, bob):
            await connect(comm)
        # From synchronous code (a subscriber's thread), as H2's notifications will.
        await database_sync_to_async(send_to_user)(ann_id, {"inbox": {"workspace": "acme", "unread": 3}})
        got = [await receive(ann_acme), await receive(ann_other)]
        await nothing_more(bob)
        await nothing_more(ann_acme)
        for comm in (ann_acme, ann_other, bob):
            await comm.disconnect()
        # After the disconnect nobody is in the group: sending is a harmless no-op.
        await database_sync_to_async(send_to_user)(ann_id, {"inbox": {"unread": 4}})
        return got, {}

    got, _ = run(scenario())
    assert got == [{"user": {"inbox": {"workspace": "acme", "unread": 3}}}] * 2


def test_send_to_user_with_nobody_connected_does_nothing() -> None:
    send_to_user(123456, {"inbox": {"unread": 1}})  # no layer group members: no error


def test_send_to_user_from_a_thread_running_another_event_loop() -> None:
    """Browser tests write data on Playwright's thread, which runs an event loop of its own:
    publishing from there must not raise (async_to_sync refuses to run in such a thread)."""
    import asyncio
    import threading

    errors: list[BaseException] = []

    async def inside_a_loop() -> None:
        send_to_user(123456, {"inbox": {"unread": 1}})

    def thread() -> None:  # a thread of its own: this one may already run a loop (browser tests)
        try:
            asyncio.run(inside_a_loop())
        except BaseException as error:  # reported to the test's thread
            errors.append(error)

    runner = threading.Thread(target=thread)
    runner.start()
    runner.join(10)
    assert errors == []
