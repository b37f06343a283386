"""Helpers for the live-update tests: a fresh in-memory channel layer per test, websocket
communicators against the real ASGI application (routing + auth), and a way to run a test's
coroutine on a loop of its own."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator

from labora.live import subscribers


@pytest.fixture(autouse=True)
def _fresh_channel_layer() -> Iterator[None]:
    """The in-memory layer keeps groups and queues (bound to a loop) between tests otherwise."""
    channel_layers.backends = {}
    subscribers.remember_server_loop(None)
    yield
    channel_layers.backends = {}
    subscribers.remember_server_loop(None)


def run(coro: Any, timeout: float = 60) -> Any:
    """asyncio.run in a thread of its own (a Playwright loop may hold this thread's loop)."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["result"] = asyncio.run(coro)
        except BaseException as exc:  # handed back to the test below
            box["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise TimeoutError("the test's coroutine did not finish")
    if "error" in box:
        raise box["error"]
    return box.get("result")


def communicator(
    ws: str,
    *,
    token: str | None = None,
    query_token: str | None = None,
    session: str | None = None,
    origin: str | None = "http://testserver",
) -> WebsocketCommunicator:
    from labora.asgi import application

    path = f"/api/v1/workspaces/{ws}/live"
    if query_token is not None:
        path += f"?token={query_token}"
    headers: list[tuple[bytes, bytes]] = [(b"host", b"testserver")]
    if origin:
        headers.append((b"origin", origin.encode()))
    if token is not None:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    if session is not None:
        headers.append((b"cookie", f"sessionid={session}".encode()))
    return WebsocketCommunicator(application, path, headers=headers)


async def connect(comm: WebsocketCommunicator) -> dict[str, Any]:
    """Connect and return the hello message (fails the test on a refusal)."""
    connected, _ = await comm.connect(timeout=10)
    assert connected
    first = await receive(comm)
    assert "hello" in first, first
    return first["hello"]


async def receive(comm: WebsocketCommunicator, timeout: float = 10) -> dict[str, Any]:
    message = await comm.receive_output(timeout)
    if message["type"] == "websocket.close":
        return {"closed": message.get("code"), "reason": message.get("reason", "")}
    assert message["type"] == "websocket.send", message
    return dict(json.loads(message["text"]))


async def events(comm: WebsocketCommunicator, count: int, timeout: float = 10) -> list[dict[str, Any]]:
    """The next `count` event messages (skipping control messages such as `resumed`)."""
    found: list[dict[str, Any]] = []
    while len(found) < count:
        message = await receive(comm, timeout)
        assert "closed" not in message, message
        if "event" in message:
            found.append(message)
    return found


async def nothing_more(comm: WebsocketCommunicator) -> None:
    """Prove nothing else is queued for the client: a ping's pong comes back first.

    The server handles one message at a time per connection, in order, so every event published
    before the ping was answered has been sent (or dropped) by then.
    """
    await comm.send_json_to({"ping": "end"})
    while True:
        message = await receive(comm)
        if message.get("pong") == "end":
            return
        assert "event" not in message, f"unexpected event {message}"


async def refusal(comm: WebsocketCommunicator) -> tuple[int, str]:
    """Connect to a socket the server accepts and then closes: (code, reason)."""
    connected, _ = await comm.connect(timeout=10)
    assert connected  # accepted first, so the close can carry a code and a reason
    message = await receive(comm)
    assert "closed" in message, message
    return int(message["closed"]), str(message["reason"])
