"""Websocket routes: the live endpoint, and a clear refusal (4404) for any other address."""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer
from django.urls import path, re_path

from labora.live.consumers import LiveConsumer

CLOSE_NOT_FOUND = 4404


class UnknownRouteConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        await self.accept()
        await self.close(
            code=CLOSE_NOT_FOUND,
            reason="No websocket here: the live endpoint is /api/v1/workspaces/<workspace>/live.",
        )

    async def receive(self, text_data: Any = None, bytes_data: Any = None) -> None:
        return None


websocket_urlpatterns = [
    path("api/v1/workspaces/<slug:ws>/live", LiveConsumer.as_asgi()),
    re_path(r"", UnknownRouteConsumer.as_asgi()),
]
