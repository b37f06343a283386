"""Chat objects for tests of other apps (tests/api/test_tenancy.py's World.known)."""

from __future__ import annotations

from typing import Any

from labora.chat import services


def chat_ids(owner: Any, member: Any, workspace: Any) -> dict[str, str]:
    """{"channel_id", "message_id"} of a direct conversation of `owner` and `member` with one message."""
    channel, _ = services.direct_channel_open(actor=owner, workspace=workspace, members=[member])
    message = services.message_post(actor=owner, channel=channel, body="Hello from the other workspace")
    return {"channel_id": channel.public_id, "message_id": str(message.pk)}
