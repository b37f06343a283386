"""Publishes every workspace event to its workspace's channel-layer group, from the outbox.

The outbox runs this once per event (core.events: an acknowledgement row per subscriber), in
the process that made the change, right after its commit; a failure (Redis unreachable) leaves
the event pending and the worker publishes it again later. Connections drop an id they already
sent, so a repeat after a half-failed delivery is harmless.

Each connection then decides, with its cached Visibility, whether its user may see the event:
publishing does not know who is listening, on this node or another (channels-redis).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from labora.core.events import LIVE_PRIORITY, subscriber
from labora.core.models import DomainEvent
from labora.live import selectors
from labora.live.hub import HUB_ATTRIBUTE, Hub
from labora.live.wire import envelope

PUBLISH_TIMEOUT = 5.0
# How long live.publish waits, at most, for this process's hub to hand an event to its own
# connections before the outbox goes on with the other subscribers (Hub.publish). Waiting keeps
# the request's thread off the GIL while the event loop writes the frames (1,000 connections:
# ~50 ms); the cap bounds what a stuck hub can add to a write.
FANOUT_WAIT = 0.25

# The event loop of the server this process runs (set by the first websocket connection).
# The in-memory channel layer's queues belong to it, so a publish from a request's lane thread
# or from the embedded worker's thread must run there, not on a loop of its own.
_server_loop: asyncio.AbstractEventLoop | None = None


def remember_server_loop(loop: asyncio.AbstractEventLoop | None) -> None:
    global _server_loop
    _server_loop = loop


def workspace_group(workspace_id: int) -> str:
    return f"live.ws.{workspace_id}"


def user_group(user_id: int) -> str:
    """Every live connection of one user (any workspace, any node) is in this group."""
    return f"live.user.{int(user_id)}"


def group_send(group: str, message: dict[str, Any]) -> None:
    """Send `message` to a channel-layer group from synchronous code; raises if it fails."""
    layer = get_channel_layer()
    if layer is None:
        return
    loop = _server_loop
    if loop is not None and loop.is_running() and not loop.is_closed():
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:  # called on the server's loop itself: cannot block it
            loop.create_task(layer.group_send(group, message))
            return
        asyncio.run_coroutine_threadsafe(layer.group_send(group, message), loop).result(PUBLISH_TIMEOUT)
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        async_to_sync(layer.group_send)(group, message)
        return
    # Another loop runs in this thread (a caller's own, e.g. Playwright's sync API in browser
    # tests): async_to_sync refuses to run here, so the send runs on a thread of its own.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(async_to_sync(layer.group_send), group, message).result(PUBLISH_TIMEOUT)


def send_to_user(user_id: int, message: dict[str, Any]) -> None:
    """Deliver `{"user": message}` to every open live connection of one user (live.js dispatches
    it as the DOM event "labora:live-user"). Safe from synchronous code, like group_send; call it
    from an outbox subscriber, after the commit, never inside a writing transaction. `message`
    must be JSON-serialisable. Nobody connected: nothing happens."""
    group_send(user_group(user_id), {"type": "live.user", "message": message})


# First among the outbox subscribers (core.events.LIVE_PRIORITY): the activity log, notifications
# and auto-schedule each commit a transaction of their own for the same event; the browser need
# not wait for them.
@subscriber("live.publish", priority=LIVE_PRIORITY)
def publish(event: DomainEvent) -> None:
    found = selectors.payload_for_publish(event.pk)
    if found is None:
        return  # account-level events (sign-up, tokens) belong to no workspace
    workspace_id, payload = found
    group = workspace_group(workspace_id)
    # The group's members are hubs (live/hub.py), one per process: `group` tells them whose
    # connections the event is for.
    message = {**envelope(payload), "group": group}
    loop = _server_loop
    hub: Hub | None = getattr(get_channel_layer(), HUB_ATTRIBUTE, None)
    if hub is not None and loop is not None and hub.loop is loop and loop.is_running() and not loop.is_closed():
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is not loop:
            # From a request's (or the worker's) thread: this process's fan-out first (Hub.publish).
            asyncio.run_coroutine_threadsafe(hub.publish(group, message, wait=FANOUT_WAIT), loop).result(
                PUBLISH_TIMEOUT + FANOUT_WAIT
            )
            return
    group_send(group, message)
