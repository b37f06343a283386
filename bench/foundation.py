"""The foundation benchmark: start-up time, /api/v1/me latency and throughput, idle memory.

Run with `python -m bench` (`make bench`). For each database (SQLite always, PostgreSQL when
one answers at LABORA_BENCH_DATABASE_URL / LABORA_TEST_DATABASE_URL / postgres://postgres@127.0.0.1:5432)
it starts real `labora serve` processes on a free loopback port and measures:

- cold start: process spawn -> first 200 from /api/v1/health on an empty database (includes
  every migration);
- warm start: the same on the migrated database (median of several starts);
- GET /api/v1/me with a bearer token: one client (pure latency), then 8 concurrent
  keep-alive clients (throughput; latency then includes queueing behind the other 7), on one
  uvicorn worker, with the embedded background worker running as in a default install;
- the resident memory (VmRSS from /proc) of the server process, idle after start-up and
  idle after the load.

The results replace the section between the bench markers in docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
LABORA = Path(sys.executable).with_name("labora")
DOC = ROOT / "docs" / "performance.md"
START_MARK = "<!-- bench:foundation:start -->"
END_MARK = "<!-- bench:foundation:end -->"
TARGET_P99_MS = 10.0
TARGET_RSS_MB = 150.0
EMAIL = "bench@example.com"
PASSWORD = "bench-password-not-secret"  # noqa: S105


# --- the machine -----------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GB"
    except OSError:
        pass
    return {
        "nproc": str(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()),
        "cpu": cpu,
        "memory": mem,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "os": f"{platform.system()} {platform.release()}",
    }


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


# --- a server under test ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def base_env(data_dir: Path, database_url: str | None) -> dict[str, str]:
    drop = {"DATABASE_URL", "LABORA_TESTING", "SECRET_KEY", "LABORA_DEBUG", "LABORA_TASK_BACKEND"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["LABORA_DATA_DIR"] = str(data_dir)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def labora(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([str(LABORA), *args], env=env, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"labora {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def reference_loop_seconds() -> float:
    """CPU seconds of a fixed pure-Python loop: compares this machine with others."""
    began = time.process_time()
    total = 0
    for i in range(3_000_000):
        total += i
    return time.process_time() - began


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    url: str
    log: Path
    started_in: float = 0.0


@contextmanager
def serve(env: dict[str, str], log: Path, *, timeout: float = 120.0) -> Iterator[Server]:
    """`labora serve` on a free port; yields once /api/v1/health answered 200."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("ab") as out:
        began = time.perf_counter()
        proc = subprocess.Popen(
            [str(LABORA), "serve", "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    server = Server(proc=proc, url=url, log=log)
    try:
        deadline = began + timeout
        with httpx.Client(timeout=1.0) as client:
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"labora serve exited with {proc.returncode}; see {log}")
                try:
                    if client.get(f"{url}/api/v1/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.perf_counter() > deadline:
                    raise RuntimeError(f"no 200 from {url}/api/v1/health within {timeout}s; see {log}")
                time.sleep(0.01)
        server.started_in = time.perf_counter() - began
        yield server
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


# --- load ------------------------------------------------------------------------------------


@dataclass
class LoadResult:
    concurrency: int
    seconds: float
    requests: int
    errors: int
    latencies_ms: list[float] = field(default_factory=list)
    server_cpu_s: float = 0.0
    client_cpu_s: float = 0.0
    server_ms: list[float] = field(default_factory=list)  # as logged inside Django

    def per_request_ms(self, seconds: float) -> float:
        return seconds / self.requests * 1000 if self.requests else float("nan")

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def _load(url: str, token: str, *, concurrency: int, duration: float, warmup: int = 50) -> LoadResult:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=30) as client:
        for _ in range(warmup):
            (await client.get(url)).raise_for_status()
        result = LoadResult(concurrency=concurrency, seconds=0.0, requests=0, errors=0)
        stop_at = time.perf_counter() + duration

        async def one_client() -> None:
            while time.perf_counter() < stop_at:
                t0 = time.perf_counter()
                response = await client.get(url)
                elapsed = (time.perf_counter() - t0) * 1000
                if response.status_code == 200:
                    result.latencies_ms.append(elapsed)
                    result.requests += 1
                else:
                    result.errors += 1

        began = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(concurrency)))
        result.seconds = time.perf_counter() - began
    return result


def load(server: Server, url: str, token: str, *, concurrency: int, duration: float) -> LoadResult:
    """Load `url` and record the CPU both sides spent (server process, this client process)."""
    mark = line_count(server.log)
    cpu0, client0 = cpu_seconds(server.proc.pid), time.process_time()
    result = asyncio.run(_load(url, token, concurrency=concurrency, duration=duration))
    result.server_cpu_s = cpu_seconds(server.proc.pid) - cpu0
    result.client_cpu_s = time.process_time() - client0
    result.server_ms = server_side_ms(server.log, "/api/v1/me", mark)
    return result


def server_side_ms(log: Path, path: str, since_line: int) -> list[float]:
    """Per-request durations Labora itself logged (RequestIdMiddleware), from line `since_line` on."""
    durations = []
    with log.open(encoding="utf-8", errors="replace") as fh:
        for i, line in enumerate(fh):
            if i < since_line or '"duration_ms"' not in line:
                continue
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if record.get("path") == path and record.get("status") == 200:
                durations.append(float(record["duration_ms"]))
    return durations


def line_count(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(1 for _ in fh)


# --- one database ----------------------------------------------------------------------------


@dataclass
class DbResult:
    database: str
    cold_start_s: float
    warm_starts_s: list[float]
    rss_idle_mb: float
    rss_after_load_mb: float
    single: LoadResult
    concurrent: LoadResult
    profile: dict[str, Any]

    @property
    def warm_start_s(self) -> float:
        return statistics.median(self.warm_starts_s)


def bench_database(
    label: str, *, data_dir: Path, database_url: str | None, duration: float, concurrency: int, warm_runs: int
) -> DbResult:
    env = base_env(data_dir, database_url)
    log = data_dir / "serve.log"
    print(f"[{label}] cold start (empty database, migrations included)...", flush=True)
    with serve(env, log) as server:
        cold = server.started_in
    print(f"[{label}]   {cold:.2f} s", flush=True)

    labora(env, "createuser", "--email", EMAIL, "--password", PASSWORD, "--workspace", "bench")
    token = labora(env, "token", "create", "--email", EMAIL, "--name", "bench").strip()

    warm: list[float] = []
    for i in range(warm_runs):
        with serve(env, log) as server:
            warm.append(server.started_in)
            print(f"[{label}] warm start {i + 1}/{warm_runs}: {server.started_in:.2f} s", flush=True)
            if i < warm_runs - 1:
                continue
            me = f"{server.url}/api/v1/me"
            httpx.get(me, headers={"Authorization": f"Bearer {token}"}, timeout=10).raise_for_status()
            time.sleep(3)  # let start-up work (first worker ticks) settle
            rss_idle = rss_mb(server.proc.pid)
            print(f"[{label}] idle RSS {rss_idle:.1f} MB; 1 client for {duration / 2:.0f} s...", flush=True)
            single = load(server, me, token, concurrency=1, duration=duration / 2)
            print(
                f"[{label}]   {single.rps:.0f} req/s, p50 {single.pct(50):.2f} ms, p99 {single.pct(99):.2f} ms",
                flush=True,
            )
            print(f"[{label}] {concurrency} clients for {duration:.0f} s...", flush=True)
            concurrent = load(server, me, token, concurrency=concurrency, duration=duration)
            print(
                f"[{label}]   {concurrent.rps:.0f} req/s, p50 {concurrent.pct(50):.2f} ms, "
                f"p99 {concurrent.pct(99):.2f} ms",
                flush=True,
            )
            time.sleep(3)
            rss_after = rss_mb(server.proc.pid)
            print(f"[{label}] idle RSS after load {rss_after:.1f} MB", flush=True)
    print(f"[{label}] profiling GET /api/v1/me in-process...", flush=True)
    profile = json.loads(
        subprocess.run(
            [sys.executable, "-m", "bench.profile_me", token, "500"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=600,
        ).stdout
    )
    return DbResult(
        database=label,
        cold_start_s=cold,
        warm_starts_s=warm,
        rss_idle_mb=rss_idle,
        rss_after_load_mb=rss_after,
        single=single,
        concurrent=concurrent,
        profile=profile,
    )


# --- PostgreSQL --------------------------------------------------------------------------------


def postgres_admin_url() -> str | None:
    """An admin URL of a reachable PostgreSQL server, or None."""
    try:
        import psycopg
    except ImportError:
        return None
    candidates = [
        os.environ.get("LABORA_BENCH_DATABASE_URL"),
        os.environ.get("LABORA_TEST_DATABASE_URL"),
        "postgres://postgres@127.0.0.1:5432/postgres",
    ]
    for url in filter(None, candidates):
        admin = url.rsplit("/", 1)[0] + "/postgres"
        try:
            psycopg.connect(admin, connect_timeout=3).close()
        except psycopg.Error:
            continue
        return admin
    return None


@contextmanager
def postgres_database(admin_url: str) -> Iterator[tuple[str, str]]:
    """A fresh, empty database; dropped afterwards. Yields (url, server version)."""
    import psycopg
    from psycopg import sql

    name = f"labora_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        version = str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name, version
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


# --- the report --------------------------------------------------------------------------------


def _ok(good: bool) -> str:
    return "meets" if good else "**misses**"


def render(results: list[DbResult], info: dict[str, str], *, load_before: str, load_after: str) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        START_MARK,
        "<!-- Generated by `python -m bench` (bench/foundation.py); edit outside these markers. -->",
        "",
        f"Measured {when} on {info['nproc']} CPUs ({info['cpu']}, {info['memory']} RAM), {info['os']}, "
        f"Python {info['python']}, SQLite {info['sqlite']}"
        + (f", PostgreSQL {info['postgres']}" if info.get("postgres") else "")
        + f". Load average before / after the run: {load_before} / {load_after}; "
        f"reference loop (3 M Python additions): {info['reference_loop']} CPU s.",
        "",
        "| measure | " + " | ".join(r.database for r in results) + " | target |",
        "| --- | " + " | ".join("---:" for _ in results) + " | --- |",
    ]

    def row(name: str, values: list[str], target: str = "") -> None:
        lines.append(f"| {name} | " + " | ".join(values) + f" | {target} |")

    runs = len(results[0].warm_starts_s) if results else 0
    row(
        "cold start: spawn to first 200 on /api/v1/health, migrations included",
        [f"{r.cold_start_s:.2f} s" for r in results],
    )
    row(
        f"warm start: the same on the migrated database (median of {runs})",
        [f"{r.warm_start_s:.2f} s" for r in results],
    )
    for attr, title in (
        ("single", "1 client"),
        ("concurrent", f"{results[0].concurrent.concurrency if results else 8} clients"),
    ):
        loads: list[LoadResult] = [getattr(r, attr) for r in results]
        row(f"GET /api/v1/me, {title}: requests/s", [f"{x.rps:,.0f}" for x in loads])
        row(
            f"GET /api/v1/me, {title}: latency p50 / p99",
            [f"{x.pct(50):.1f} / {x.pct(99):.1f} ms ({_ok(x.pct(99) < TARGET_P99_MS)})" for x in loads],
            f"p99 < {TARGET_P99_MS:.0f} ms on loopback",
        )
        row(
            f"GET /api/v1/me, {title}: time inside Django p50 / p99",
            [f"{_pct(x.server_ms, 50):.1f} / {_pct(x.server_ms, 99):.1f} ms" for x in loads],
        )
        row(
            f"GET /api/v1/me, {title}: CPU per request, server / client",
            [f"{x.per_request_ms(x.server_cpu_s):.1f} / {x.per_request_ms(x.client_cpu_s):.1f} ms" for x in loads],
        )
    row("errors (non-200 answers)", [f"{r.single.errors + r.concurrent.errors}" for r in results], "0")
    row("idle RSS after start-up (1 worker)", [f"{r.rss_idle_mb:.0f} MB" for r in results])
    row(
        "idle RSS after the load (1 worker)",
        [f"{r.rss_after_load_mb:.0f} MB ({_ok(r.rss_after_load_mb < TARGET_RSS_MB)})" for r in results],
        f"< {TARGET_RSS_MB:.0f} MB per worker",
    )

    lines += [
        "",
        "Where a GET /api/v1/me spends its CPU (cProfile over 500 in-process requests; shares of the "
        "profiled time, which cProfile inflates about 3 times, so read the shares, not the milliseconds):",
        "",
        "| part of the request | " + " | ".join(r.database for r in results) + " |",
        "| --- | " + " | ".join("---:" for _ in results) + " |",
    ]
    row_p = [
        ("CPU per request without the profiler", "cpu_ms_per_request_unprofiled", False),
        ("middleware stack (12 middlewares, before and after the view)", "middleware_stack_ms", True),
        ("token authentication (sha256 + 1 query with select_related)", "token_auth_ms", True),
        ("the /me view (memberships query + schema)", "me_view_ms", True),
        ("  of both: ORM building SQL (compiler.as_sql)", "orm_sql_building_ms", True),
        ("  of both: executing SQL and fetching rows", "db_execute_ms", True),
        ("django-ninja + pydantic own time", "ninja_ms", True),
        ("logging the request line (JSON)", "logging_ms", True),
    ]
    for name, key, share in row_p:
        values = []
        for r in results:
            value = float(r.profile.get(key, float("nan")))
            whole = float(r.profile.get("profiled_ms_per_request") or float("nan"))
            values.append(f"{value / whole * 100:.0f} %" if share else f"{value:.1f} ms")
        lines.append(f"| {name} | " + " | ".join(values) + " |")
    connect = [
        f"{float(r.profile.get('db_connect_cpu_ms', 'nan')):.1f} / "
        f"{float(r.profile.get('db_connect_wall_ms', 'nan')):.1f} ms"
        for r in results
    ]
    lines.append(
        "| opening a database connection (once per request under ASGI): CPU / wall | " + " | ".join(connect) + " |"
    )
    lines += ["", END_MARK]
    return "\n".join(lines)


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def write_section(section: str, doc: Path = DOC) -> None:
    """Replace the text between the markers, keeping the rest of the file."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Performance\n\n"
    if START_MARK in text and END_MARK in text:
        head, rest = text.split(START_MARK, 1)
        _old, tail = rest.split(END_MARK, 1)
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(text, encoding="utf-8")


# --- entry point -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10.0, help="Seconds of load with N clients (default 10).")
    parser.add_argument("--concurrency", type=int, default=8, help="Concurrent clients (default 8).")
    parser.add_argument("--warm-runs", type=int, default=3, help="Warm starts to take the median of (default 3).")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only.")
    parser.add_argument("--no-write", action="store_true", help=f"Print the table; leave {DOC.name} alone.")
    args = parser.parse_args(argv)

    info = machine()
    info["reference_loop"] = f"{reference_loop_seconds():.2f}"
    load_before = loadavg()
    results: list[DbResult] = []
    with tempfile.TemporaryDirectory(prefix="labora-bench-") as tmp:
        sqlite_dir = Path(tmp) / "sqlite"
        sqlite_dir.mkdir()
        results.append(
            bench_database(
                "SQLite",
                data_dir=sqlite_dir,
                database_url=None,
                duration=args.duration,
                concurrency=args.concurrency,
                warm_runs=args.warm_runs,
            )
        )
        admin = None if args.no_postgres else postgres_admin_url()
        if admin:
            with postgres_database(admin) as (url, version):
                info["postgres"] = version
                pg_dir = Path(tmp) / "postgres"
                pg_dir.mkdir()
                results.append(
                    bench_database(
                        "PostgreSQL",
                        data_dir=pg_dir,
                        database_url=url,
                        duration=args.duration,
                        concurrency=args.concurrency,
                        warm_runs=args.warm_runs,
                    )
                )
        elif not args.no_postgres:
            print("PostgreSQL not reachable: SQLite only.", flush=True)
        if os.environ.get("LABORA_BENCH_KEEP_LOGS"):
            for sub in ("sqlite", "postgres"):
                if (Path(tmp) / sub / "serve.log").exists():
                    shutil.copy(Path(tmp) / sub / "serve.log", ROOT / f"bench-{sub}-serve.log")
    section = render(results, info, load_before=load_before, load_after=loadavg())
    print(section)
    if not args.no_write:
        write_section(section)
        print(f"Written to {DOC.relative_to(ROOT)}.")
    return 0
