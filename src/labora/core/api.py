"""GET /api/v1/health: database, cache and worker state, without authentication."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from ninja import Router, Schema, Status

from labora.core.models import WorkerHeartbeat

router = Router(tags=["health"])
WORKER_STALE_SECONDS = 30


class HealthOut(Schema):
    status: str
    database: str
    cache: str
    worker: str
    version: str


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception:
        return "unreachable"


def _cache() -> str:
    try:
        cache.set("labora:health", "1", 10)
        return "ok" if cache.get("labora:health") == "1" else "unreachable"
    except Exception:
        return "unreachable"


def _worker() -> str:
    try:
        fresh = WorkerHeartbeat.objects.filter(
            seen_at__gte=timezone.now() - timedelta(seconds=WORKER_STALE_SECONDS)
        ).exists()
    except Exception:
        return "unknown"
    return "ok" if fresh else "not_running"


@router.get("/health", auth=None, response={200: HealthOut, 503: HealthOut}, summary="Service health")
def health(request: Any) -> Status[dict[str, str]]:
    """200 when the database and cache answer, 503 otherwise; `worker` says whether a
    background worker has checked in during the last 30 seconds."""
    from labora import __version__

    db, cache_state = _database(), _cache()
    ok = db == "ok" and cache_state == "ok"
    return Status(
        200 if ok else 503,
        {
            "status": "ok" if ok else "degraded",
            "database": db,
            "cache": cache_state,
            "worker": _worker(),
            "version": __version__,
        },
    )
