"""The work-management benchmark: 100,000 tasks; list, board and search timings; concurrent creates.

Run with `python -m bench work` (all of `make bench` runs it after the foundation benchmark).
For each database (SQLite always; PostgreSQL when one answers, in a database named
`labora_bench_work` that it creates and drops) it:

1. migrates an empty data directory and seeds it with `bench/seed_work.py` (100,000 tasks
   over 50 projects, in bulk, with a progress bar on stderr);
2. starts one `labora serve` worker on a free loopback port and, over HTTP with keep-alive:
   - **filtered list**: GET /api/v1/workspaces/bench/projects/{largest}/tasks?q=...&page_size=50
     with a bearer token, for several filters, LIST_REQUESTS requests each, one client;
   - **board**: signs in through the sign-in form (session cookie) and GETs the board page
     of the project with 500 open cards, BOARD_REQUESTS times;
   - **search over all tasks**: GET /api/v1/workspaces/bench/tasks?q=... (workspace-wide) when
     the server has that route; otherwise the same queries on the largest project over HTTP,
     and the workspace-wide selector in-process (bench/work_inproc.py) — the table says which;
   - **concurrent creates**: 8 threads, each with its own HTTP connection, POST 25 tasks each
     to one project; afterwards the 200 keys must be distinct and exactly the 200 numbers
     after the project's counter, and the project must list them all;
3. runs bench/work_inproc.py for the in-process view (selectors without HTTP, query counts,
   the database's query plans), which is what explains a missed target.

The results replace the section between the bench:work markers in docs/performance.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from bench.foundation import (
    ROOT,
    Server,
    base_env,
    labora,
    line_count,
    loadavg,
    machine,
    postgres_admin_url,
    reference_loop_seconds,
    rss_mb,
    serve,
)

DOC = ROOT / "docs" / "performance.md"
START_MARK = "<!-- bench:work:start -->"
END_MARK = "<!-- bench:work:end -->"
DATABASE_NAME = "labora_bench_work"
LIST_REQUESTS = 300
BOARD_REQUESTS = 60
SEARCH_REQUESTS = 60
WARMUP = 10
WRITERS = 8
TASKS_PER_WRITER = 25

TARGET_LIST_P99_MS = 30.0
TARGET_BOARD_MS = 150.0
TARGET_SEARCH_MS = 100.0

# The filtered lists of the issue: the first is the headline one.
LIST_QUERIES = [
    "status:open assignee:me",
    "priority:high status:open",
    "due<+7d status:open",
    "label:security",
]
# Query-language searches over the whole workspace: full text, alone and combined.
SEARCH_QUERIES = [
    "text:invoice",
    "text:kubernetes status:open",
    "label:bug priority:urgent status:open",
    "assignee:me due<+7d",
]


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


@dataclass
class Timing:
    """Latencies of one kind of request: measured by the client and logged by the server."""

    name: str
    client_ms: list[float] = field(default_factory=list)
    server_ms: list[float] = field(default_factory=list)
    errors: int = 0
    matches: int | None = None
    note: str = ""

    def p(self, q: float, *, server: bool = False) -> float:
        return pct(self.server_ms if server else self.client_ms, q)


@dataclass
class Concurrency:
    writers: int
    per_writer: int
    created: int = 0
    errors: list[str] = field(default_factory=list)
    duplicates: int = 0
    lost: int = 0
    gaps: int = 0
    listed: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        expected = self.writers * self.per_writer
        return self.created == expected and not (self.duplicates or self.lost or self.gaps or self.errors)


@dataclass
class DbResult:
    database: str
    seed: dict[str, Any]
    migrate_s: float
    seed_s: float
    lists: list[Timing]
    board: Timing
    search: list[Timing]
    search_over_http: bool
    concurrency: Concurrency
    rss_mb: float
    inproc: dict[str, Any]
    load_during: str


# --- measuring -------------------------------------------------------------------------------


def server_durations(log: Path, since_line: int, path_prefix: str) -> list[float]:
    durations = []
    with log.open(encoding="utf-8", errors="replace") as fh:
        for i, line in enumerate(fh):
            if i < since_line or '"duration_ms"' not in line:
                continue
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if str(record.get("path", "")).startswith(path_prefix) and record.get("status") == 200:
                durations.append(float(record["duration_ms"]))
    return durations


def timed_gets(
    server: Server, client: httpx.Client, name: str, path: str, *, requests: int, count_key: str | None = "count"
) -> Timing:
    """`requests` sequential GETs of `path` (after WARMUP unmeasured ones) on one connection."""
    timing = Timing(name=name)
    for _ in range(WARMUP):
        client.get(path)
    mark = line_count(server.log)
    for _ in range(requests):
        t0 = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - t0) * 1000
        if response.status_code != 200:
            timing.errors += 1
            timing.note = f"{response.status_code}: {response.text[:200]}"
            continue
        timing.client_ms.append(elapsed)
        if count_key and timing.matches is None:
            timing.matches = int(response.json()[count_key])
    timing.server_ms = server_durations(server.log, mark, path.split("?", 1)[0])
    return timing


def api_client(server: Server, token: str) -> httpx.Client:
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=60)


def sign_in(server: Server, email: str, password: str) -> httpx.Client:
    """A client with a signed-in session, through the sign-in form like a browser."""
    client = httpx.Client(base_url=server.url, timeout=60, follow_redirects=False)
    form = client.get("/accounts/login/")
    form.raise_for_status()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    if match is None:
        raise RuntimeError("The sign-in page has no CSRF token field.")
    answer = client.post(
        "/accounts/login/",
        data={"email": email, "password": password, "csrfmiddlewaretoken": match.group(1)},
        headers={"Referer": f"{server.url}/accounts/login/"},
    )
    if answer.status_code != 302:
        raise RuntimeError(f"Signing in failed: {answer.status_code} {answer.text[:300]}")
    return client


def measure_board(server: Server, seed: dict[str, Any]) -> Timing:
    path = f"/w/{seed['workspace']}/projects/{seed['board']}/board/"
    client = sign_in(server, seed["email"], seed["password"])
    try:
        page = client.get(path)
        page.raise_for_status()
        cards = re.search(r'aria-label="[A-Z0-9]+ board, (\d+) task', page.text)
        timing = timed_gets(server, client, "board", path, requests=BOARD_REQUESTS, count_key=None)
        timing.matches = int(cards.group(1)) if cards else None
        timing.note = f"{len(page.content) / 1024:.0f} KB of HTML"
    finally:
        client.close()
    return timing


def workspace_search_exists(server: Server, seed: dict[str, Any]) -> bool:
    with api_client(server, seed["token"]) as client:
        answer = client.get(f"/api/v1/workspaces/{seed['workspace']}/tasks?q=text:invoice&page_size=1")
        return answer.status_code == 200 and "items" in answer.json()


def measure_concurrency(server: Server, seed: dict[str, Any], project: str) -> Concurrency:
    """WRITERS threads with their own connections create TASKS_PER_WRITER tasks each, at once."""
    result = Concurrency(writers=WRITERS, per_writer=TASKS_PER_WRITER)
    base = f"/api/v1/workspaces/{seed['workspace']}/projects/{project}"
    with api_client(server, seed["token"]) as client:
        newest = client.get(f"{base}/tasks?page_size=1&order=-key").json()["items"]
        before = int(newest[0]["key"].rsplit("-", 1)[1]) if newest else 0
    keys: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(WRITERS)

    def writer(n: int) -> None:
        with api_client(server, seed["token"]) as client:
            client.get("/api/v1/me")  # open the connection before the race starts
            start.wait()
            for i in range(TASKS_PER_WRITER):
                t0 = time.perf_counter()
                answer = client.post(
                    f"{base}/tasks", json={"title": f"Concurrent task {n}.{i}", "labels": ["bench"], "priority": "low"}
                )
                elapsed = (time.perf_counter() - t0) * 1000
                with lock:
                    if answer.status_code == 201:
                        keys.append(answer.json()["key"])
                        result.latencies_ms.append(elapsed)
                    else:
                        result.errors.append(f"{answer.status_code}: {answer.text[:160]}")

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - began
    result.created = len(keys)
    numbers = [int(key.rsplit("-", 1)[1]) for key in keys]
    result.duplicates = len(numbers) - len(set(numbers))
    expected = set(range(before + 1, before + 1 + len(numbers)))
    result.gaps = len(expected - set(numbers))
    # Lost: answered 201, but the project does not list it.
    with api_client(server, seed["token"]) as client:
        listed: set[str] = set()
        url: str | None = f"{base}/tasks?q={quote('text:Concurrent')}&page_size=200"
        while url:
            page = client.get(url).json()
            listed |= {item["key"] for item in page["items"]}
            url = page["next"]
    result.listed = len(listed & set(keys))
    result.lost = len(set(keys) - listed)
    return result


# --- one database ----------------------------------------------------------------------------


def bench_database(label: str, *, data_dir: Path, database_url: str | None, tasks: int, quick: bool) -> DbResult:
    env = base_env(data_dir, database_url)
    log = data_dir / "serve.log"
    print(f"[{label}] migrating an empty database...", flush=True)
    t0 = time.perf_counter()
    labora(env, "migrate", "--verbosity", "0")
    migrate_s = time.perf_counter() - t0
    print(f"[{label}] seeding {tasks:,} tasks (bench/seed_work.py)...", flush=True)
    t0 = time.perf_counter()
    seeded = subprocess.run(
        [sys.executable, "-m", "bench.seed_work", "--tasks", str(tasks)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
        timeout=1800,
    )
    seed_s = time.perf_counter() - t0
    seed = json.loads(seeded.stdout.strip().splitlines()[-1])
    print(f"[{label}]   {seed['tasks']:,} tasks, {seed['label_links']:,} task labels in {seed_s:.1f} s", flush=True)
    scale = 0.2 if quick else 1.0
    ws = seed["workspace"]
    largest = seed["largest"]
    # The concurrency target: a mid-sized project (not the board one, whose card count is fixed).
    middle = sorted(seed["projects"][2:], key=lambda p: p["tasks"])[len(seed["projects"][2:]) // 2]["key"]

    with serve(env, log) as server:
        loads: list[str] = [loadavg()]
        lists = []
        with api_client(server, seed["token"]) as client:
            for q in LIST_QUERIES:
                path = f"/api/v1/workspaces/{ws}/projects/{largest}/tasks?q={quote(q)}&page_size=50"
                timing = timed_gets(server, client, q, path, requests=int(LIST_REQUESTS * scale))
                lists.append(timing)
                if timing.errors:
                    print(f"[{label}]   {timing.errors} errors, e.g. {timing.note}", flush=True)
                print(
                    f"[{label}] list {largest} q={q!r}: {timing.matches} matches, p50 {timing.p(50):.1f} ms, "
                    f"p99 {timing.p(99):.1f} ms",
                    flush=True,
                )
        loads.append(loadavg())
        board = measure_board(server, seed)
        print(
            f"[{label}] board {seed['board']} ({board.matches} cards): p50 {board.p(50):.1f} ms, "
            f"p99 {board.p(99):.1f} ms",
            flush=True,
        )
        loads.append(loadavg())
        over_http = workspace_search_exists(server, seed)
        search = []
        with api_client(server, seed["token"]) as client:
            for q in SEARCH_QUERIES:
                if over_http:
                    path = f"/api/v1/workspaces/{ws}/tasks?q={quote(q)}&page_size=50"
                else:
                    path = f"/api/v1/workspaces/{ws}/projects/{largest}/tasks?q={quote(q)}&page_size=50"
                timing = timed_gets(server, client, q, path, requests=int(SEARCH_REQUESTS * scale))
                search.append(timing)
                print(
                    f"[{label}] search {'workspace' if over_http else largest} q={q!r}: {timing.matches} matches, "
                    f"p50 {timing.p(50):.1f} ms, p99 {timing.p(99):.1f} ms",
                    flush=True,
                )
        loads.append(loadavg())
        concurrency = measure_concurrency(server, seed, middle)
        print(
            f"[{label}] {WRITERS} writers x {TASKS_PER_WRITER} in {middle}: {concurrency.created} created, "
            f"{concurrency.duplicates} duplicate, {concurrency.gaps} missing numbers, {concurrency.lost} lost, "
            f"{len(concurrency.errors)} errors",
            flush=True,
        )
        loads.append(loadavg())
        rss = rss_mb(server.proc.pid)
    if os.environ.get("LABORA_BENCH_KEEP_LOGS"):
        shutil.copy(log, ROOT / f"bench-work-{label.lower()}-serve.log")

    print(f"[{label}] in-process selectors and query plans (bench/work_inproc.py)...", flush=True)
    config = {
        "email": seed["email"],
        "workspace": ws,
        "search": SEARCH_QUERIES,
        "list_project": largest,
        "list": LIST_QUERIES,
        "board_project": seed["board"],
        "plans": True,
    }
    inproc = json.loads(
        subprocess.run(
            [sys.executable, "-m", "bench.work_inproc", json.dumps(config)],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=1800,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    for item in inproc["search"]:
        print(f"[{label}]   workspace-wide q={item['q']!r}: {item['matches']} matches, p50 {item['p50_ms']} ms")
    return DbResult(
        database=label,
        seed=seed,
        migrate_s=migrate_s,
        seed_s=seed_s,
        lists=lists,
        board=board,
        search=search,
        search_over_http=over_http,
        concurrency=concurrency,
        rss_mb=rss,
        inproc=inproc,
        load_during=" / ".join(x.split()[0] for x in loads),
    )


@contextmanager
def postgres_database(admin_url: str) -> Iterator[tuple[str, str]]:
    """The database `labora_bench_work`, made empty; dropped afterwards. Yields (url, version)."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as conn:
        version = str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DATABASE_NAME)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE_NAME)))
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + DATABASE_NAME, version
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DATABASE_NAME)))


# --- the report --------------------------------------------------------------------------------


def code_version() -> str:
    """Which code ran: the commit, whether src/ had uncommitted changes, and where labora came from."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown code version"
    import labora

    where = Path(labora.__file__).resolve().parent.parent
    text = f"commit {head}" + (" with uncommitted changes in src/" if dirty else "")
    if where != ROOT / "src":
        text = f"the labora package in {where} (PYTHONPATH), next to {text}"
    return text


def _ok(good: bool) -> str:
    return "meets" if good else "**misses**"


def render(results: list[DbResult], info: dict[str, str], *, load_before: str, load_after: str) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    names = [r.database for r in results]
    lines = [
        START_MARK,
        "<!-- Generated by `python -m bench work` (bench/work.py); edit outside these markers. -->",
        "",
        f"Measured {when} on {info['nproc']} CPUs ({info['cpu']}, {info['memory']} RAM), {info['os']}, "
        f"Python {info['python']}, SQLite {info['sqlite']}"
        + (f", PostgreSQL {info['postgres']}" if info.get("postgres") else "")
        + f". Load average before / after the run: {load_before} / {load_after}; "
        f"reference loop (3 M Python additions): {info['reference_loop']} CPU s. Code: {info['code']}.",
        "",
        "| measure | " + " | ".join(names) + " | target |",
        "| --- | " + " | ".join("---:" for _ in results) + " | --- |",
    ]

    def row(name: str, values: list[str], target: str = "") -> None:
        lines.append(f"| {name} | " + " | ".join(values) + f" | {target} |")

    row(
        "seed: tasks / task labels / projects / members",
        [
            f"{r.seed['tasks']:,} / {r.seed['label_links']:,} / {len(r.seed['projects'])} / {r.seed['members']}"
            for r in results
        ],
    )
    row("seed: time (bench/seed_work.py, after migrate)", [f"{r.seed_s:.0f} s" for r in results])
    row("1-minute load average during the measurements", [r.load_during for r in results])
    first = results[0]
    for i, timing in enumerate(first.lists):
        title = f"list of 50, {first.seed['largest']} ({first.seed['projects'][0]['tasks']:,} tasks), `q={timing.name}`"
        row(
            f"{title}: p50 / p99 (server p99)",
            [
                f"{r.lists[i].p(50):.1f} / {r.lists[i].p(99):.1f} ms ({r.lists[i].p(99, server=True):.1f}) "
                f"{_ok(r.lists[i].p(99) < TARGET_LIST_P99_MS and not r.lists[i].errors)}"
                for r in results
            ],
            f"p99 < {TARGET_LIST_P99_MS:.0f} ms" if i == 0 else "",
        )
    row(
        f"board page, {first.seed['board']}: cards, p50 / p99 (server p99)",
        [
            f"{r.board.matches} cards, {r.board.p(50):.0f} / {r.board.p(99):.0f} ms ({r.board.p(99, server=True):.0f}) "
            f"{_ok(r.board.p(99) < TARGET_BOARD_MS and not r.board.errors)}"
            for r in results
        ],
        f"< {TARGET_BOARD_MS:.0f} ms for 500 cards",
    )
    row(
        "board, in-process: selector / whole page p50 (queries)",
        [
            f"{r.inproc['board']['selector_p50_ms']:.0f} / {r.inproc['board']['page_p50_ms']:.0f} ms "
            f"({r.inproc['board']['page_queries']})"
            for r in results
        ],
    )
    for i, timing in enumerate(first.search):
        where = "all tasks, HTTP" if first.search_over_http else f"{first.seed['largest']} only, HTTP"
        row(
            f"search ({where}) `q={timing.name}`: matches, p50 / p99",
            [
                f"{r.search[i].matches}, {r.search[i].p(50):.1f} / {r.search[i].p(99):.1f} ms"
                + (f" {_ok(r.search[i].p(99) < TARGET_SEARCH_MS)}" if r.search_over_http else "")
                for r in results
            ],
            f"< {TARGET_SEARCH_MS:.0f} ms over 100,000" if first.search_over_http and i == 0 else "",
        )
    for i, item in enumerate(first.inproc["search"]):
        row(
            f"search, all {first.seed['tasks']:,} tasks in-process (the API route without HTTP, page of 50) "
            f"`q={item['q']}`: matches (+ = at least), p50 / p99 (CPU p50)",
            [
                f"{r.inproc['search'][i]['matches']}, {r.inproc['search'][i]['p50_ms']:.0f} / "
                f"{r.inproc['search'][i]['p99_ms']:.0f} ms ({r.inproc['search'][i]['cpu_p50_ms']:.0f}) "
                f"{_ok(r.inproc['search'][i]['p99_ms'] < TARGET_SEARCH_MS)}"
                for r in results
            ],
            f"< {TARGET_SEARCH_MS:.0f} ms" if i == 0 else "",
        )
    row(
        f"{WRITERS} clients x {TASKS_PER_WRITER} creates: created, duplicate, missing, lost, errors",
        [
            f"{r.concurrency.created}, {r.concurrency.duplicates}, {r.concurrency.gaps}, {r.concurrency.lost}, "
            f"{len(r.concurrency.errors)} {_ok(r.concurrency.ok)}"
            for r in results
        ],
        "no lost or duplicated key",
    )
    row(
        f"{WRITERS} clients x {TASKS_PER_WRITER} creates: creates/s, latency p50 / p99",
        [
            f"{r.concurrency.created / r.concurrency.seconds:.0f}/s, {pct(r.concurrency.latencies_ms, 50):.0f} / "
            f"{pct(r.concurrency.latencies_ms, 99):.0f} ms"
            for r in results
        ],
    )
    row("RSS of the worker after all this", [f"{r.rss_mb:.0f} MB" for r in results])
    errors = [f"{r.database}: {e}" for r in results for e in r.concurrency.errors[:3]]
    if errors:
        lines += ["", "First errors of the concurrent creates:", ""] + [f"- `{e}`" for e in errors]
    lines += ["", "Query plans (first run's database, largest project / workspace; read with the notes below):", ""]
    for r in results:
        for kind in ("list", "search"):
            item = r.inproc[kind][0]
            lines += [
                f"<details><summary>{r.database}, {kind} <code>q={item['q']}</code>: "
                f"{item['queries']} queries, p50 {item['p50_ms']:.1f} ms in-process</summary>",
                "",
                "```",
                *("\n---\n".join(item["plans"]).splitlines()),
                "```",
                "",
                "</details>",
                "",
            ]
    lines += [END_MARK]
    return "\n".join(lines)


def write(section: str) -> None:
    """Replace the text between this benchmark's markers (appended when missing), keeping the rest."""
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Performance\n\n"
    if START_MARK in text and END_MARK in text:
        head, rest = text.split(START_MARK, 1)
        _old, tail = rest.split(END_MARK, 1)
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOC.write_text(text, encoding="utf-8")


# --- entry point -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench work", description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=100_000, help="Tasks to seed (default 100000).")
    parser.add_argument("--quick", action="store_true", help="A fifth of the requests (a smoke run).")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only.")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only.")
    parser.add_argument("--no-write", action="store_true", help=f"Print the table; leave {DOC.name} alone.")
    parser.add_argument("--json", type=Path, help="Also write every measurement (raw latencies too) to this file.")
    args = parser.parse_args(argv)

    info = machine()
    info["reference_loop"] = f"{reference_loop_seconds():.2f}"
    info["code"] = code_version()
    load_before = loadavg()
    results: list[DbResult] = []
    with tempfile.TemporaryDirectory(prefix="labora-bench-work-") as tmp:
        if not args.no_sqlite:
            sqlite_dir = Path(tmp) / "sqlite"
            sqlite_dir.mkdir()
            results.append(
                bench_database("SQLite", data_dir=sqlite_dir, database_url=None, tasks=args.tasks, quick=args.quick)
            )
        admin = None if args.no_postgres else postgres_admin_url()
        if admin:
            with postgres_database(admin) as (url, version):
                info["postgres"] = version
                pg_dir = Path(tmp) / "postgres"
                pg_dir.mkdir()
                results.append(
                    bench_database("PostgreSQL", data_dir=pg_dir, database_url=url, tasks=args.tasks, quick=args.quick)
                )
        elif not args.no_postgres:
            print("PostgreSQL not reachable: SQLite only.", flush=True)
    if not results:
        print("Nothing measured (both databases switched off).", flush=True)
        return 1
    section = render(results, info, load_before=load_before, load_after=loadavg())
    if args.json:
        args.json.write_text(json.dumps({"info": info, "results": [dataclasses.asdict(r) for r in results]}))
    print(section)
    if not args.no_write:
        write(section)
        print(f"Written to {DOC.relative_to(ROOT)}.")
    failed = [r.database for r in results if not r.concurrency.ok]
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
