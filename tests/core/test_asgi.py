"""The ASGI entry point runs requests' synchronous code on a few long-lived lane threads."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx
import pytest
from django.core.signals import request_started

from labora.asgi import LanedASGIHandler


def _run(coro: Any) -> Any:
    """asyncio.run in a thread of its own: Playwright's sync API may hold this thread's loop."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["result"] = asyncio.run(coro)
        except BaseException as exc:  # handed back to the test below
            box["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(60)
    if "error" in box:
        raise box["error"]
    return box.get("result")


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_share_a_fixed_set_of_lane_threads() -> None:
    handler = LanedASGIHandler(lanes=2)
    seen: list[str] = []

    def remember_thread(**kwargs: Any) -> None:
        seen.append(threading.current_thread().name)

    async def many() -> list[int]:
        transport = httpx.ASGITransport(app=handler)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            answers = await asyncio.gather(*[client.get("/api/v1/health") for _ in range(12)])
        return [a.status_code for a in answers]

    request_started.connect(remember_thread)
    try:
        statuses = _run(many())
    finally:
        request_started.disconnect(remember_thread)

    assert statuses == [200] * 12
    assert len(seen) == 12
    assert set(seen) <= {"labora-lane-0_0", "labora-lane-1_0"}


def test_only_http_goes_to_django() -> None:
    handler = LanedASGIHandler(lanes=1)

    with pytest.raises(ValueError, match="websocket"):
        _run(handler({"type": "websocket"}, None, None))
