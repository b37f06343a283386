"""In-process measurements for the work benchmark: routes and selectors without HTTP, query plans.

Run by `python -m bench work` in a subprocess whose environment points at the seeded data dir:
`python -m bench.work_inproc CONFIG_JSON`, where the config names the workspace, the bench
user's e-mail, the projects to look at and the queries. Prints one JSON object:

- `search`: for each query, the workspace-wide list route `GET /api/v1/workspaces/{ws}/tasks?q=`
  (first page of 50) served in-process by Django's test client, so everything the server does
  for it is timed (authentication, the selector, ranking window, capped count, serialisation)
  but not HTTP: wall and CPU milliseconds p50 / p99 over REPS runs, the number of SQL queries,
  the matches (`count`, and whether it is exact), and the plan of the queries on tasks
  (EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite) — the diagnosis of a miss;
- `list`: the same for the filtered project lists the HTTP benchmark requests;
- `board`: the board's card query alone (views.board.board_cards) and the whole board page
  through Django's test client (cards + template), p50 / p99, queries, so the template's share
  is visible.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

REPS = 30


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def _interpolate(sql: str, params: Any) -> str:
    """The SQL with its parameters as literals, good enough to EXPLAIN (numbers, strings, dates)."""
    if not params:
        return sql

    def literal(value: Any) -> str:
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, (int, float)):
            return str(value)
        return "'" + str(value).replace("'", "''") + "'"

    parts = sql.split("%s")
    if len(parts) != len(params) + 1:
        return sql
    text = parts[0]
    for value, part in zip(params, parts[1:], strict=True):
        text += literal(value) + part
    return text.replace("%%", "%")


def _plans(sqls: list[str]) -> list[str]:
    from django.db import connection

    plans = []
    with connection.cursor() as cursor:
        for sql in sqls:
            try:
                if connection.vendor == "postgresql":
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    plans.append("\n".join(str(row[0]) for row in cursor.fetchall()))
                else:
                    cursor.execute("EXPLAIN QUERY PLAN " + sql)
                    plans.append("\n".join(str(row[-1]) for row in cursor.fetchall()))
            except Exception as exc:  # a plan is a diagnosis: never fail the bench for one
                plans.append(f"(no plan: {exc})")
    return plans


def _measure(run: Callable[[], Any], reps: int = REPS) -> dict[str, Any]:
    from django.db import connection

    run()  # warm the caches the first run fills (prepared plans, Python imports)
    sqls: list[str] = []

    def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        sqls.append(_interpolate(sql, params))
        return execute(sql, params, many, context)

    # An execute wrapper, unlike CaptureQueriesContext, survives the connection being closed
    # and reopened at the start of a request (the board page goes through the test client).
    with connection.execute_wrapper(capture):
        result = run()
    times = []
    cpu = []
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        run()
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return {
        "p50_ms": round(statistics.median(times), 2),
        "p99_ms": round(_pct(times, 99), 2),
        "cpu_p50_ms": round(statistics.median(cpu), 2),
        "queries": len(sqls),
        "sql": sqls,
        "result": result,
    }


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labora.settings")
    import django

    django.setup()
    import logging

    from django.test import Client

    from labora.core.startup import freeze_startup

    # Measure what the server does: `labora serve` freezes its startup objects (labora.asgi), so
    # a full collection there walks only what requests made. Without this, one full collection
    # of Django's ~125,000 startup objects (~75 ms on a 2-CPU VM) landed in 2 of ~1,200 runs and,
    # with REPS runs per query, became the reported p99 of whichever query it hit.
    freeze_startup()

    logging.disable(logging.WARNING)  # the request log would go to stdout, where our JSON goes

    from labora.accounts.models import User
    from labora.work import selectors
    from labora.work.models import Project
    from labora.work.views import board as board_view
    from labora.workspaces.models import Workspace

    config = json.loads(sys.argv[1])
    user = User.objects.get(email=config["email"])
    workspace = Workspace.objects.get(slug=config["workspace"])
    out: dict[str, Any] = {"search": [], "list": []}

    api = Client()
    api.force_login(user)  # the API takes the session too; a token only adds one indexed lookup

    def paged(project: Project | None, q: str) -> Callable[[], str]:
        base = f"/api/v1/workspaces/{workspace.slug}"
        url = f"{base}/projects/{project.key}/tasks" if project is not None else f"{base}/tasks"

        def run() -> str:
            response = api.get(url, {"q": q, "page_size": 50})
            assert response.status_code == 200, response.content[:300]
            body = response.json()
            assert len(body["items"]) == min(50, body["count"])
            return f"{body['count']:,}" + ("" if body.get("count_exact", True) else "+")

        return run

    def on_tasks(sqls: list[str]) -> list[str]:
        return [sql for sql in sqls if '"work_task"' in sql.split(" FROM ", 1)[-1][:40]][:3]

    for q in config["search"]:
        m = _measure(paged(None, q))
        plans = _plans(on_tasks(m["sql"])) if config.get("plans") else []
        out["search"].append({"q": q, "matches": m.pop("result"), **m, "plans": plans})
    listed = Project.objects.get(workspace=workspace, key=config["list_project"])
    for q in config["list"]:
        m = _measure(paged(listed, q))
        plans = _plans(on_tasks(m["sql"])) if config.get("plans") else []
        out["list"].append({"q": q, "matches": m.pop("result"), **m, "plans": plans})

    board = Project.objects.get(workspace=workspace, key=config["board_project"])
    statuses = selectors.workflow_get(project=board)[0]

    def cards() -> int:  # what the board page reads for its cards (labora.work.views.board)
        found = selectors.task_list(user=user, workspace=workspace, project=board)
        return len(board_view.board_cards(found, board, statuses))

    selector = _measure(cards)
    client = Client()
    client.force_login(user)
    url = f"/w/{workspace.slug}/projects/{board.key}/board/"

    def page() -> int:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return len(response.content)

    whole = _measure(page)
    out["board"] = {
        "cards": selector.pop("result"),
        "selector_p50_ms": selector["p50_ms"],
        "selector_queries": selector["queries"],
        "page_p50_ms": whole["p50_ms"],
        "page_p99_ms": whole["p99_ms"],
        "page_queries": whole["queries"],
        "page_bytes": whole["result"],
    }
    for item in out["search"] + out["list"]:
        item.pop("sql")
    sys.stdout.write(json.dumps(out) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
