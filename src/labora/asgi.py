"""ASGI entry point: HTTP through Django on lane threads; websockets through Channels (labora.live)."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labora.settings")

import django
from asgiref.sync import ThreadSensitiveContext
from channels.routing import ProtocolTypeRouter, URLRouter
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler


class LanedASGIHandler(ASGIHandler):
    """Django's ASGI handler, with each request's synchronous code run on one of a few
    long-lived threads ("lanes") instead of a thread made for that request alone.

    Django's own handler starts a new thread per request, so every request also opens a new
    database connection and pays for the thread's start. A fixed set of lanes keeps threads
    and their connections (CONN_MAX_AGE) across requests: about a third less CPU per API
    request on our benchmark (docs/decisions/0005). Up to `lanes` requests run their sync
    code at once, like a WSGI server with that many threads.
    """

    def __init__(self, lanes: int) -> None:
        super().__init__()
        self._lane_count = max(1, lanes)
        self._free: asyncio.Queue[ThreadPoolExecutor] | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        if self._free is None:  # made lazily: the queue belongs to the server's event loop
            self._free = asyncio.Queue()
            for n in range(self._lane_count):
                self._free.put_nowait(ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"labora-lane-{n}"))
        executor = await self._free.get()
        try:
            # The executor is ours: leaving the context does not shut it down (asgiref >= 3.9).
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            self._free.put_nowait(executor)


django.setup(set_prefix=False)

# Imported after setup: the consumers use models. Websockets bypass the lanes (docs/decisions/0005):
# consumers are async and reach the database through channels' database_sync_to_async.
from labora.live.auth import LiveAuthStack  # noqa: E402
from labora.live.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": LanedASGIHandler(lanes=settings.SYNC_LANES),
        "websocket": LiveAuthStack(URLRouter(websocket_urlpatterns)),
    }
)

# Everything loaded so far lives as long as the server: keep the collector from walking it on
# every full collection (labora.core.startup).
from labora.core.startup import freeze_startup  # noqa: E402

freeze_startup()
