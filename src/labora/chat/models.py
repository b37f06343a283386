"""Chat: project channels and direct messages."""

from __future__ import annotations
