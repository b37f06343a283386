"""The live websocket at /api/v1/workspaces/<ws>/live (docs/api.md, "Live updates").

One connection = one user in one workspace. On connect it joins the workspace's group through
this process's hub (live/hub.py: the outbox subscriber publishes every event to the group, from
whichever node made the change; the group has one member per process, which hands each event to
its local connections) and says hello; then each event is sent on when the user may see it (a
Visibility cached per connection, refreshed when a membership or a project's privacy changes)
and, when the client subscribed to projects, when it belongs to one of them.

The hub offers each event to `offer()`, which decides in place (no task switch, no copy) and,
when nothing is waiting to go out before it, writes the event's JSON text, encoded once per
event (live.wire), itself (`_send_now`); otherwise it queues the text for the connection's sender
task. Anything that needs the database first (a visibility refresh, a catch-up in progress)
queues the event itself, handled in order by that same task.

An event addressed to some people (`data["audience"]`, e.g. a direct message) goes only to
their connections, live and on catch-up. Every connection also joins its user's group
(`live.user.<id>`), through which subscribers.send_to_user pushes `{"user": {...}}`.

Catch-up (`resume_after`) runs beside live delivery: live events that arrive meanwhile wait in
a buffer and go out after the missed ones, and every id is sent at most once per connection,
so nothing falls in the gap between the database read and the group, and nothing is doubled.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections import OrderedDict, deque
from collections.abc import Coroutine, Generator
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from labora.live import selectors
from labora.live.auth import ORIGIN_REFUSED, TOKEN_INVALID
from labora.live.hub import Hub, hub_for
from labora.live.selectors import NOBODY, Visibility
from labora.live.subscribers import remember_server_loop, user_group, workspace_group

logger = logging.getLogger("labora.live")

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_TOO_SLOW = 4408
CLOSE_SERVER_ERROR = 1011

PROJECT_KEY_RE = re.compile(r"^[A-Za-z][A-Za-z0-9]{1,9}$")
MAX_MESSAGE_BYTES = 4096
MAX_SUBSCRIPTIONS = 200
REMEMBERED_IDS = 2000
# Live events held while a catch-up runs; beyond this the connection is closed (4408) and the
# client reconnects and resumes from its last id, which loses nothing.
MAX_BUFFERED = 10_000

# Events after which a connection reads its Visibility again (who may see which project);
# see LiveConsumer._needs_refresh for which of them concern which connection.
_PROJECT_MEMBER_EVENTS = {"project.member_added", "project.member_removed", "project.member_role_changed"}


def presence_group(workspace_id: int, task_key: str) -> str:
    return f"live.presence.{workspace_id}.{task_key}"


def _error(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


class _Resume:
    """Awaiting this finishes a coroutine that already ran up to its first suspension, where it
    yielded `pending` (LiveConsumer._send_now): the awaiting task waits on `pending` as the
    coroutine would have, then resumes it (or throws the task's cancellation into it)."""

    __slots__ = ("coro", "pending")

    def __init__(self, coro: Coroutine[Any, Any, Any], pending: Any) -> None:
        self.coro = coro
        self.pending = pending

    def __await__(self) -> Generator[Any, None, Any]:
        coro, value = self.coro, self.pending
        while True:
            try:
                yield value
            except BaseException as exc:
                try:
                    value = coro.throw(exc)
                except StopIteration as stop:
                    return stop.value
            else:
                try:
                    value = coro.send(None)
                except StopIteration as stop:
                    return stop.value


class LiveConsumer(AsyncJsonWebsocketConsumer):
    # --- state -------------------------------------------------------------------------------
    workspace: Any = None
    group: str = ""
    personal: str = ""  # live.user.<id>: pushes meant for this user only (send_to_user)
    visibility: Visibility = NOBODY
    me: dict[str, str]
    projects: set[str] | None  # None: every project the user may see
    catching_up: bool = False
    buffer: list[dict[str, Any]]
    sent: OrderedDict[int, None]
    viewing: str | None = None
    viewers: dict[str, dict[str, str]]
    hub: Hub | None = None
    # What the sender task (_pump) sends next, in order: a str is an event's JSON text already
    # checked; a dict is a message still to handle (live.event, live.pong, live.caught_up); a
    # _Resume is a frame offer() began to send (_send_now) that has to wait for the socket.
    outgoing: deque[str | dict[str, Any] | _Resume]
    _wake: asyncio.Future[None] | None = None
    _pump_task: asyncio.Task[None] | None = None
    stopped: bool = False  # closing (too far behind, or a server error): take nothing more
    _closing: asyncio.Future[None] | None = None
    # offer() may only decide an event itself when nothing before it is pending: not before the
    # hello (the Visibility is read during connect) and not while the sender task handles a
    # message that may change the Visibility (a refresh awaits the database).
    _busy: bool = True

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels runs close_old_connections() on its sync thread before every handler: a thread
        # hop per message, so per event per connection (most of the cost at 1,000 connections,
        # bench/live.py). Every database access here goes through database_sync_to_async, which
        # does that itself around the call, so the hop is skipped.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        remember_server_loop(asyncio.get_running_loop())
        self.projects = None
        self.buffer = []
        self.sent = OrderedDict()
        self.viewers = {}
        self.outgoing = deque()
        self.catch_up_task: asyncio.Task[None] | None = None
        await self.accept()  # a close code (4401/4403) and its reason need an accepted socket
        user = self.scope.get("user")
        how = self.scope.get("live_auth", "none")
        if user is None or not user.is_authenticated:
            if how == TOKEN_INVALID:
                reason = "The token is unknown, expired or revoked. Create one in Settings → API tokens."
            elif how == ORIGIN_REFUSED:
                reason = "The session cookie is only accepted from this site's own pages; send a token instead."
            else:
                reason = "Sign in, or send Authorization: Bearer <token> (or ?token=<token>)."
            await self.close(code=CLOSE_UNAUTHENTICATED, reason=reason)
            return
        slug = str(self.scope["url_route"]["kwargs"]["ws"])
        membership = await database_sync_to_async(selectors.membership_for)(user=user, workspace_slug=slug)
        if membership is None:
            await self.close(
                code=CLOSE_FORBIDDEN,
                reason=f"No workspace '{slug}' among yours. Check the slug in GET /api/v1/workspaces."[:120],
            )
            return
        self.workspace = membership.workspace
        self.me = {"id": user.public_id, "name": user.display_name, "initials": user.initials}
        self.group = workspace_group(self.workspace.pk)
        # Join before reading anything: whatever commits from now on reaches us through the group.
        self.hub = await hub_for(self.channel_layer)
        await self.hub.join(self.group, self)  # events from now on wait in self.outgoing
        try:
            self.personal = user_group(user.pk)
            await self.channel_layer.group_add(self.personal, self.channel_name)
            await self._refresh_visibility()
            last = await database_sync_to_async(selectors.last_event_id)(workspace=self.workspace)
            await self.send_json(
                {
                    "hello": {
                        "workspace": self.workspace.slug,
                        "user": self.me,
                        "role": membership.role,
                        "last_event": last,
                    }
                }
            )
        except BaseException:
            # Never leave the hub holding a connection that did not open (disconnect() may not run).
            self.stopped = True
            await self.hub.leave(self.group, self)
            self.group = ""
            raise
        self._pump_task = asyncio.create_task(self._pump())  # then whatever arrived meanwhile

    async def disconnect(self, code: int) -> None:
        if self.catch_up_task is not None:
            self.catch_up_task.cancel()
        if self.viewing:
            await self._leave_presence()
        if self._pump_task is not None:
            self._pump_task.cancel()
        if self.group and self.hub is not None:
            await self.hub.leave(self.group, self)
        if self.personal:
            await self.channel_layer.group_discard(self.personal, self.channel_name)

    # --- client messages ---------------------------------------------------------------------
    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        if self.workspace is None:
            return
        if text_data is None:
            await self.send_json(_error("invalid", "Send JSON text frames, not binary ones."))
            return
        if len(text_data) > MAX_MESSAGE_BYTES:
            await self.send_json(_error("invalid", f"A message is at most {MAX_MESSAGE_BYTES} bytes."))
            return
        await super().receive(text_data=text_data, **kwargs)

    @classmethod
    async def decode_json(cls, text_data: str) -> Any:
        try:
            return json.loads(text_data)
        except ValueError:
            return None

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict) or len(content) != 1:
            await self.send_json(
                _error(
                    "invalid",
                    'Send one JSON object with one key: {"subscribe": {"project": "OPS"}}, '
                    '{"unsubscribe": {"project": "OPS"}}, {"resume_after": <event id>} or '
                    '{"presence": {"task": "OPS-12"}}.',
                )
            )
            return
        (kind, value), *_ = content.items()
        handlers = {
            "subscribe": self._subscribe,
            "unsubscribe": self._unsubscribe,
            "resume_after": self._resume_after,
            "presence": self._presence,
            "ping": self._ping,
        }
        handler = handlers.get(kind)
        if handler is None:
            await self.send_json(
                _error(
                    "unknown_message",
                    f"Unknown message {kind!r}: use subscribe, unsubscribe, resume_after, presence or ping.",
                )
            )
            return
        await handler(value)

    async def _ping(self, value: Any) -> None:
        # Answered through the hub's channel, behind the events already on their way to this
        # process: a pong means every event published before the ping has been sent (or filtered).
        assert self.hub is not None
        await self.hub.send_local(
            self, {"type": "live.pong", "value": value if isinstance(value, (int, str)) else None}
        )

    async def live_pong(self, message: dict[str, Any]) -> None:
        await self.send_json({"pong": message.get("value")})

    def _project_key(self, value: Any) -> str | None:
        if not isinstance(value, dict) or set(value) != {"project"} or not isinstance(value["project"], str):
            return None
        key = value["project"].strip()
        return "*" if key == "*" else key.upper()

    async def _subscribe(self, value: Any) -> None:
        key = self._project_key(value)
        if key is None or (key != "*" and not PROJECT_KEY_RE.match(key)):
            await self.send_json(
                _error("invalid", 'subscribe takes {"project": "<key>"} (e.g. "OPS"), or {"project": "*"} for all.')
            )
            return
        if key == "*":
            self.projects = None
            await self.send_json({"subscribed": {"project": "*"}})
            return
        exists = await database_sync_to_async(selectors.project_exists)(workspace=self.workspace, key=key)
        if not exists or not self.visibility.sees_project(key):
            # The same answer for a project that does not exist and one the user may not see.
            await self.send_json(
                _error(
                    "not_found",
                    f"No project '{key}' that you can see in this workspace; nothing of it will be sent. "
                    "See GET /api/v1/workspaces/{ws}/projects.",
                    subscribe={"project": key},
                )
            )
            return
        if self.projects is None:
            self.projects = set()
        if len(self.projects) >= MAX_SUBSCRIPTIONS:
            await self.send_json(_error("too_many", f"At most {MAX_SUBSCRIPTIONS} project subscriptions."))
            return
        self.projects.add(key)
        await self.send_json({"subscribed": {"project": key}})

    async def _unsubscribe(self, value: Any) -> None:
        key = self._project_key(value)
        if key is None:
            await self.send_json(
                _error("invalid", 'unsubscribe takes {"project": "<key>"}, or {"project": "*"} for every project.')
            )
            return
        if key == "*":
            self.projects = set()
        elif self.projects is not None:
            self.projects.discard(key)
        else:
            # From "everything" to "everything but this one" is not a state we keep: say so.
            await self.send_json(
                _error(
                    "not_subscribed",
                    f"Not subscribed to {key}: the connection receives every project. "
                    'Subscribe to the projects you want first ({"subscribe": {"project": "OPS"}}).',
                )
            )
            return
        await self.send_json({"unsubscribed": {"project": key}})

    async def _resume_after(self, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            await self.send_json(
                _error("invalid", "resume_after takes the id of the last event you received: an integer, 0 or more.")
            )
            return
        if self.catching_up:
            await self.send_json(_error("busy", "A catch-up is already running on this connection; wait for it."))
            return
        total = await database_sync_to_async(selectors.count_after)(workspace=self.workspace, after=value)
        if total > selectors.MAX_CATCH_UP:
            await self.send_json(
                _error(
                    "too_far_behind",
                    f"{total} changes since event {value}, more than {selectors.MAX_CATCH_UP}: reload the page "
                    "(or re-read the resources) instead; live events continue from now.",
                )
            )
            return
        self.catching_up = True
        self.catch_up_task = asyncio.create_task(self._catch_up(value))

    async def _catch_up(self, after: int) -> None:
        sent = 0
        cursor = after
        try:
            while True:
                batch = await database_sync_to_async(selectors.events_after)(workspace=self.workspace, after=cursor)
                # Read now, these are filtered by today's Visibility (like the activity log).
                for payload in batch:
                    cursor = payload["id"]
                    if await self._deliver(payload):
                        sent += 1
                if len(batch) < selectors.CATCH_UP_BATCH:
                    break
        except Exception:
            logger.exception("live catch-up failed", extra={"after": after})
            await self.close(code=CLOSE_SERVER_ERROR, reason="The catch-up failed: reconnect and resume.")
            return
        # Through the hub's channel, behind every live event already on its way to this
        # connection: when it is handled, everything published before the read ended is in the buffer.
        assert self.hub is not None
        await self.hub.send_local(self, {"type": "live.caught_up", "after": after, "sent": sent, "cursor": cursor})

    async def live_caught_up(self, message: dict[str, Any]) -> None:
        sent = int(message["sent"])
        pending = sorted(self.buffer, key=lambda p: p["id"])
        self.buffer = []
        self.catching_up = False
        for payload in pending:  # sent already (read from the database) are skipped by id
            await self._maybe_refresh_for(payload)
            if await self._deliver(payload):
                sent += 1
        last = max([int(message["cursor"]), int(message["after"]), *(p["id"] for p in pending)])
        await self.send_json({"resumed": {"after": message["after"], "sent": sent, "last_event": last}})

    # --- presence ----------------------------------------------------------------------------
    async def _presence(self, value: Any) -> None:
        if not isinstance(value, dict) or set(value) != {"task"} or not isinstance(value["task"], (str, type(None))):
            await self.send_json(
                _error("invalid", 'presence takes {"task": "OPS-12"} while viewing a task, {"task": null} after.')
            )
            return
        raw = (value["task"] or "").strip()
        if not raw:
            if self.viewing:
                await self._leave_presence()
            await self.send_json({"presence": {"task": None, "viewers": []}})
            return
        key = await database_sync_to_async(selectors.task_exists)(workspace=self.workspace, key=raw)
        if key is None or not self.visibility.sees_project(key.rsplit("-", 1)[0]):
            await self.send_json(
                _error(
                    "not_found",
                    f"No task '{raw[:30]}' that you can see in this workspace.",
                    presence={"task": raw[:30]},
                )
            )
            return
        if key == self.viewing:
            await self._send_viewers()
            return
        if self.viewing:
            await self._leave_presence()
        self.viewing = key
        self.viewers = {self.channel_name: self.me}
        group = presence_group(self.workspace.pk, key)
        await self.channel_layer.group_add(group, self.channel_name)
        await self.channel_layer.group_send(
            group, {"type": "presence.join", "task": key, "channel": self.channel_name, "user": self.me}
        )
        await self._send_viewers()

    async def _leave_presence(self) -> None:
        key, self.viewing, self.viewers = self.viewing, None, {}
        if not key:
            return
        group = presence_group(self.workspace.pk, key)
        await self.channel_layer.group_discard(group, self.channel_name)
        await self.channel_layer.group_send(
            group, {"type": "presence.leave", "task": key, "channel": self.channel_name}
        )

    async def _send_viewers(self) -> None:
        people: dict[str, dict[str, str]] = {}
        for user in self.viewers.values():
            people.setdefault(user["id"], user)
        viewers = sorted(people.values(), key=lambda u: (u["name"].lower(), u["id"]))
        await self.send_json({"presence": {"task": self.viewing, "viewers": viewers}})

    async def presence_join(self, message: dict[str, Any]) -> None:
        if message.get("task") != self.viewing or message["channel"] == self.channel_name:
            return
        self.viewers[message["channel"]] = message["user"]
        # Tell the newcomer we are here too (directly: the group already knows).
        await self.channel_layer.send(
            message["channel"],
            {"type": "presence.here", "task": self.viewing, "channel": self.channel_name, "user": self.me},
        )
        await self._send_viewers()

    async def presence_here(self, message: dict[str, Any]) -> None:
        if message.get("task") != self.viewing:
            return
        self.viewers[message["channel"]] = message["user"]
        await self._send_viewers()

    async def presence_leave(self, message: dict[str, Any]) -> None:
        if message.get("task") != self.viewing or message["channel"] not in self.viewers:
            return
        del self.viewers[message["channel"]]
        await self._send_viewers()

    async def live_user(self, message: dict[str, Any]) -> None:
        """A push for this user only (subscribers.send_to_user)."""
        await self.send_json({"user": message.get("message")})

    # --- events from the group ---------------------------------------------------------------
    def offer(self, message: dict[str, Any]) -> None:
        """The hub hands on one event (or a live.local message for this connection); never waits."""
        if self.stopped:
            return
        if (
            not self._busy
            and not self.outgoing
            and not self.catching_up
            and message["type"] == "live.event"
            and not self._needs_refresh(message)
        ):
            # The common case, decided here: nothing queued before it could change the answer.
            if not self._admit(message):
                return
            if self._idle():
                self._send_now(message["text"])
                return
            self.outgoing.append(message["text"])
        else:
            self.outgoing.append(message)
        if len(self.outgoing) > MAX_BUFFERED:
            # The client does not read (or the server cannot keep up with it): it reconnects
            # and resumes from its last id, which loses nothing.
            self.stopped = True
            self.outgoing.clear()
            self._closing = asyncio.ensure_future(
                self.close(code=CLOSE_TOO_SLOW, reason="Too many changes at once: reconnect and resume.")
            )
            return
        wake = self._wake
        if wake is not None and not wake.done():
            wake.set_result(None)

    def _idle(self) -> bool:
        """Is the sender task waiting for work (nothing queued, nothing being sent)?"""
        wake = self._wake
        return wake is not None and not wake.done() and not self.outgoing

    def _send_now(self, text: str) -> None:
        """Write one event's frame from offer() itself, without waking the sender task.

        At 1,000 connections the hub's fan-out was 1,000 task wake-ups per event (a future, a
        task step, the sender loop) around sends that do not wait: the ASGI send of a websocket
        frame returns at once unless the socket's write buffer is full. So the send coroutine
        is run here up to its first suspension; when it does suspend (a client that reads
        slowly), the sender task finishes it, before anything queued after it (_Resume)."""
        coro = self.send(text_data=text)
        try:
            pending = coro.send(None)
        except StopIteration:
            return
        except OSError:  # the socket went away (uvicorn's ClientDisconnected): disconnect() cleans up
            logger.debug("live send failed", exc_info=True)
            self.stopped = True
            return
        except Exception:
            logger.exception("live send failed")
            self.stopped = True
            self._closing = asyncio.ensure_future(
                self.close(code=CLOSE_SERVER_ERROR, reason="A server error: reconnect and resume.")
            )
            return
        self.outgoing.append(_Resume(coro, pending))
        wake = self._wake
        if wake is not None and not wake.done():
            wake.set_result(None)

    async def _pump(self) -> None:
        """Send what offer() queued, in order; the only task that sends events once connected."""
        loop = asyncio.get_running_loop()
        try:
            while True:
                if not self.outgoing:
                    self._busy = False
                    self._wake = loop.create_future()
                    await self._wake
                    self._wake = None
                    continue
                item = self.outgoing.popleft()
                if isinstance(item, str):
                    await self.send(text_data=item)
                elif isinstance(item, _Resume):
                    await item  # a frame _send_now started and the socket's buffer held up
                else:
                    self._busy = True
                    await self.dispatch(item)
                    self._busy = False
        except asyncio.CancelledError:
            raise
        except OSError:  # the socket went away under us (uvicorn's ClientDisconnected): disconnect() cleans up
            logger.debug("live sender stopped", exc_info=True)
        except Exception:
            # Anything else (a database error while refreshing the Visibility) ends the connection
            # instead of leaving it open and silent: the client reconnects and resumes.
            logger.exception("live sender failed")
            self.stopped = True
            with contextlib.suppress(Exception):
                await self.close(code=CLOSE_SERVER_ERROR, reason="A server error: reconnect and resume.")

    async def live_event(self, message: dict[str, Any]) -> None:
        """One event from the group, as a live.wire envelope."""
        if self.catching_up:
            self.buffer.append(message)
            if len(self.buffer) > MAX_BUFFERED:
                await self.close(code=CLOSE_TOO_SLOW, reason="Too many changes at once: reconnect and resume.")
            return
        await self._maybe_refresh_for(message)
        await self._deliver(message)

    async def _deliver(self, envelope: dict[str, Any]) -> bool:
        """Send one event unless already sent here, not visible, or outside the subscriptions."""
        if not self._admit(envelope):
            return False
        await self.send(text_data=envelope["text"])
        return True

    def _admit(self, envelope: dict[str, Any]) -> bool:
        """May this event go out here (not sent yet, visible, subscribed)? If so, remember its id."""
        event_id = envelope["id"]
        if event_id in self.sent:
            return False
        audience = envelope.get("audience")  # .get: envelopes published before audiences existed
        if audience is not None:
            # Addressed to some people (a direct message): only their connections receive it,
            # guests included; an addressed project event still needs the project to be visible.
            if self.scope["user"].pk not in audience:
                return False
            if envelope["project"] and not self.visibility.sees_project(envelope["project"]):
                return False
        elif not self.visibility.allows(envelope):
            return False
        project = envelope["project"]
        if project and self.projects is not None and project not in self.projects:
            return False
        self.sent[event_id] = None
        if len(self.sent) > REMEMBERED_IDS:
            self.sent.popitem(last=False)
        return True

    def _needs_refresh(self, envelope: dict[str, Any]) -> bool:
        """Does this event change what this connection's user may see?"""
        name = envelope["event"]
        user = self.scope["user"]
        if name == "project.created":
            return bool(envelope["private"])  # hidden from members, unless they are in it
        if name == "project.updated":
            return bool(envelope["privacy_changed"])
        if name in _PROJECT_MEMBER_EVENTS:
            return bool(envelope["user"] == user.email)
        if name == "member.role_changed":
            return True  # the event names the membership, not the user: re-read (rare)
        if name == "member.removed":
            return bool(envelope["user"] == user.public_id)
        return False

    async def _maybe_refresh_for(self, envelope: dict[str, Any]) -> None:
        if self._needs_refresh(envelope):
            await self._refresh_visibility()

    async def _refresh_visibility(self) -> None:
        user = self.scope["user"]
        membership, self.visibility = await database_sync_to_async(selectors.visibility_for)(
            user=user, workspace=self.workspace
        )
        if membership is None:
            await self.close(code=CLOSE_FORBIDDEN, reason="You are no longer a member of this workspace.")
            return
        if self.projects:
            self.projects = {key for key in self.projects if self.visibility.sees_project(key)}
        if self.viewing and not self.visibility.sees_project(self.viewing.rsplit("-", 1)[0]):
            await self._leave_presence()
            await self.send_json({"presence": {"task": None, "viewers": []}})
