"""Comments, reactions and mentions on tasks and projects: the API (API.md, Collaboration)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["comments"])
