"""The in-memory channel layer for one process (the embedded default), made to scale with the
number of connections.

Channels' InMemoryChannelLayer sweeps every channel and every group membership for expired
entries on each `receive()` — once per connection per message, so one event delivered to 1,000
connections cost a million checks (over a second of CPU; bench/live.py). Here the sweep runs at
most once a second; expiry (60 s for an unread message) is far coarser than that anyway.
And `group_send` puts the message on each member's queue in turn, instead of starting one
asyncio task per member and waiting for them all.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer as ChannelsInMemoryChannelLayer

SWEEP_EVERY_SECONDS = 1.0


class InMemoryChannelLayer(ChannelsInMemoryChannelLayer):
    _next_sweep = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now < self._next_sweep:
            return
        self._next_sweep = now + SWEEP_EVERY_SECONDS
        super()._clean_expired()

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        assert isinstance(message, dict), "Message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        for channel in list(self.groups.get(group, {})):
            # Like channels' own layers, a full channel misses group messages. send() never
            # suspends (a put_nowait), so this loop runs without yielding to other tasks.
            with contextlib.suppress(ChannelFull):
                await self.send(channel, message)
