"""One fan-out per process: the channel-layer group of a workspace holds one member per server
process (this hub), not one per websocket connection.

Why: with a member per connection, one event became 1,000 channel-layer messages at 1,000
connections — 1,000 deep copies and queue puts in memory, 1,000 Redis round trips with
channels-redis — and 1,000 consumer wake-ups through Channels' dispatch loop, most of the
event-to-browser latency (docs/performance.md, "Live updates"). Now the publisher sends one
message per process; the hub reads it and hands it to each local connection of that workspace
(`LiveConsumer.offer`), which decides in place, without a task switch, whether its user may see
it, and writes the one JSON text (encoded once, live.wire) to its socket at once, or queues it
for its own sender task when something is already waiting to go out there.

Ordering: a connection's control messages that must come after the events published before them
(the pong of a ping, the end of a catch-up) travel through the hub's channel too
(`send_local`), behind those events, and reach the connection's queue in that order.

The hub belongs to one channel layer on one event loop (tests run a loop per test; a server has
one). Group memberships expire in channel layers (a day by default), so the hub renews its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, Protocol

logger = logging.getLogger("labora.live")

HUB_ATTRIBUTE = "_labora_live_hub"
# Channel layers drop group members after `group_expiry` (86,400 s by default): renew hourly.
RENEW_GROUPS_SECONDS = 3600.0


class Member(Protocol):
    channel_name: str

    def offer(self, message: dict[str, Any]) -> None: ...


class Hub:
    def __init__(self, layer: Any, loop: asyncio.AbstractEventLoop) -> None:
        self.layer = layer
        self.loop = loop
        self.channel = ""
        self.groups: dict[str, dict[str, Member]] = {}  # group -> channel name -> connection
        self.members: dict[str, Member] = {}  # channel name -> connection (for send_local)
        self._joined: dict[str, asyncio.Future[None]] = {}  # group -> done when the layer has us
        self._tasks: list[asyncio.Task[None]] = []
        self._handed: dict[int, asyncio.Future[None]] = {}  # event id -> done once offered here (publish)
        self._ready: asyncio.Task[None] = loop.create_task(self._start())

    async def _start(self) -> None:
        # The default prefix: channels-redis reads all of a process's channels from one key
        # named after it; another prefix would be a key nobody reads while connections wait.
        self.channel = await self.layer.new_channel()
        self._tasks = [self.loop.create_task(self._read()), self.loop.create_task(self._renew())]

    async def ready(self) -> None:
        await asyncio.shield(self._ready)

    @property
    def broken(self) -> bool:
        """Could not start (the layer refused a channel): the next connection makes a new hub."""
        return self._ready.done() and (self._ready.cancelled() or self._ready.exception() is not None)

    # --- membership ----------------------------------------------------------------------------
    async def join(self, group: str, member: Member) -> None:
        """Add a connection to `group`; returns once the channel layer delivers that group here."""
        await self.ready()
        self.members[member.channel_name] = member
        local = self.groups.get(group)
        if local is None:
            local = self.groups[group] = {}
            joined: asyncio.Future[None] = self.loop.create_future()
            self._joined[group] = joined
            local[member.channel_name] = member
            try:
                await self.layer.group_add(group, self.channel)
            except BaseException as exc:
                joined.set_exception(exc)
                joined.exception()  # retrieved: the connections waiting on it get it raised
                self.groups.pop(group, None)
                self._joined.pop(group, None)
                raise
            joined.set_result(None)
            return
        local[member.channel_name] = member
        await asyncio.shield(self._joined[group])

    async def leave(self, group: str, member: Member) -> None:
        local = self.groups.get(group)
        if local is not None:
            local.pop(member.channel_name, None)
            if not local:
                del self.groups[group]
                self._joined.pop(group, None)
                await self.layer.group_discard(group, self.channel)
                if group in self.groups:  # somebody joined again meanwhile: stay in the group
                    await self.layer.group_add(group, self.channel)
        if not any(member.channel_name in local for local in self.groups.values()):
            self.members.pop(member.channel_name, None)

    async def send_local(self, member: Member, message: dict[str, Any]) -> None:
        """Hand `message` to `member` behind every event already on its way to this process."""
        await self.layer.send(self.channel, {"type": "live.local", "to": member.channel_name, "message": message})

    async def publish(self, group: str, message: dict[str, Any], *, wait: float) -> None:
        """`group_send` one live.event; when this hub is in `group`, return only once it has
        handed the event to its connections here (at most `wait` seconds).

        The outbox runs live.publish in a request's thread (after its commit), then the other
        subscribers there (activity log, notifications, auto-schedule): run at the same time, they
        would share the GIL with this loop's 1,000 writes and stretch them. Waiting here keeps that
        thread off the GIL until this process's connections have their frames; the response
        leaves hardly later for it, since the same CPU work comes before it either way."""
        event_id = int(message["id"])
        waiter: asyncio.Future[None] | None = None
        if group in self.groups and event_id not in self._handed:
            waiter = self._handed[event_id] = self.loop.create_future()
        try:
            await self.layer.group_send(group, message)
            if waiter is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(waiter), wait)
        finally:
            if waiter is not None and self._handed.get(event_id) is waiter:
                del self._handed[event_id]

    # --- the reader ----------------------------------------------------------------------------
    async def _read(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis gone for a moment: the outbox publishes again later
                logger.exception("live hub could not read its channel")
                await asyncio.sleep(1)
                continue
            try:
                self.dispatch(message)
            except Exception:
                logger.exception("live hub could not hand on a message", extra={"type": message.get("type")})

    def dispatch(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "live.event":
            local = self.groups.get(str(message.get("group") or "")) or {}
            for member in list(local.values()):
                try:
                    member.offer(message)
                except Exception:  # one connection's trouble is not the others'
                    logger.exception("live connection refused an event", extra={"event_id": message.get("id")})
            waiter = self._handed.pop(int(message.get("id") or 0), None)
            if waiter is not None and not waiter.done():
                waiter.set_result(None)
        elif kind == "live.local":
            target = self.members.get(str(message.get("to") or ""))
            if target is not None:
                target.offer(message["message"])
        else:
            logger.warning("live hub got an unknown message", extra={"type": kind})

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(RENEW_GROUPS_SECONDS)
            for group in list(self.groups):
                with contextlib.suppress(Exception):
                    await self.layer.group_add(group, self.channel)


async def hub_for(layer: Any) -> Hub:
    """This process's hub for `layer`, on the running loop (made on first use)."""
    loop = asyncio.get_running_loop()
    hub: Hub | None = getattr(layer, HUB_ATTRIBUTE, None)
    if hub is None or hub.loop is not loop or hub.broken:
        hub = Hub(layer, loop)
        setattr(layer, HUB_ATTRIBUTE, hub)
    await hub.ready()
    return hub
