"""Where the time of GET /api/v1/me goes: cProfile over in-process requests, in buckets.

Run by `python -m bench` in a subprocess whose environment points at the bench's data dir:
`python -m bench.profile_me TOKEN [N]`. Prints one JSON object: CPU milliseconds per request
for the whole request and for the parts that matter (the middleware stack, token
authentication, the /me view, SQL building in the ORM, the database driver, logging).
The requests go through Django's test client (the WSGI handler, in-process), so the ASGI
server's own share is not in these numbers; the bench reports it separately.
"""

from __future__ import annotations

import cProfile
import io
import json
import logging
import os
import pstats
import sys
import time
from typing import Any


def _cum(stats: pstats.Stats, file_part: str, func: str) -> float:
    """Cumulative seconds of the functions named `func` in files containing `file_part`."""
    total = 0.0
    for (filename, _line, name), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if name == func and file_part in filename:
            total += ct
    return total


def _tot(stats: pstats.Stats, file_part: str) -> float:
    """Own (tottime) seconds of every function in files containing `file_part`."""
    return sum(
        tt
        for (filename, _line, _name), (_cc, _nc, tt, _ct, _callers) in stats.stats.items()  # type: ignore[attr-defined]
        if file_part in filename
    )


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labora.settings")
    import django

    django.setup()
    from django.test import Client

    token = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    # Log as a served request would (JSON to a stream), but into memory.
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(io.StringIO())  # type: ignore[arg-type]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    for _ in range(50):
        assert client.get("/api/v1/me").status_code == 200

    began = time.process_time()
    for _ in range(n):
        client.get("/api/v1/me")
    plain_ms = (time.process_time() - began) / n * 1000

    profile = cProfile.Profile(time.process_time)
    profile.enable()
    for _ in range(n):
        client.get("/api/v1/me")
    profile.disable()
    stats = pstats.Stats(profile)

    def per_request(seconds: float) -> float:
        return round(seconds / n * 1000, 3)

    whole = _cum(stats, "django/core/handlers/base.py", "get_response")
    view_and_resolve = _cum(stats, "django/core/handlers/base.py", "_get_response")
    result: dict[str, Any] = {
        "requests": n,
        "cpu_ms_per_request_unprofiled": round(plain_ms, 3),
        "profiled_ms_per_request": per_request(whole),
        "middleware_stack_ms": per_request(whole - view_and_resolve),
        "token_auth_ms": per_request(_cum(stats, "labora/accounts/services.py", "token_authenticate")),
        "me_view_ms": per_request(_cum(stats, "labora/accounts/api.py", "_me")),
        "orm_sql_building_ms": per_request(_cum(stats, "django/db/models/sql/compiler.py", "as_sql")),
        # Executing SQL and fetching rows: the database itself plus its Python driver.
        "db_execute_ms": per_request(
            _cum(stats, "django/db/backends/utils.py", "_execute")
            + _cum(stats, "django/db/models/sql/compiler.py", "cursor_iter")
        ),
        "ninja_ms": per_request(_tot(stats, "site-packages/ninja/") + _tot(stats, "site-packages/pydantic")),
        "logging_ms": per_request(_cum(stats, "logging/__init__.py", "handle")),
        "session_and_auth_middleware_ms": per_request(
            _cum(stats, "django/contrib/auth/middleware.py", "get_user")
            + _cum(stats, "django/contrib/sessions/backends/db.py", "load")
        ),
    }
    # What a new database connection costs: under ASGI every request opens one (Django's
    # persistent connections live in a per-request context there).
    from django.db import connection

    from labora.accounts.models import User

    connection.close()
    began_cpu, began_wall = time.process_time(), time.perf_counter()
    for _ in range(100):
        User.objects.exists()
        connection.close()
    with_connect = (time.process_time() - began_cpu, time.perf_counter() - began_wall)
    User.objects.exists()
    began_cpu, began_wall = time.process_time(), time.perf_counter()
    for _ in range(100):
        User.objects.exists()
    reused = (time.process_time() - began_cpu, time.perf_counter() - began_wall)
    result["db_connect_cpu_ms"] = round((with_connect[0] - reused[0]) * 10, 3)
    result["db_connect_wall_ms"] = round((with_connect[1] - reused[1]) * 10, 3)

    top = io.StringIO()
    pstats.Stats(profile, stream=top).sort_stats("tottime").print_stats(15)
    result["top_by_own_time"] = top.getvalue()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
