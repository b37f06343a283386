"""The live-updates benchmark: event-to-browser latency with 1,000 websocket clients on one node.

Run with `python -m bench live` (`make bench` runs it after the other benchmarks). For each
channel layer — the in-memory one (the embedded default) and Redis when one answers at
REDIS_URL (default redis://127.0.0.1:6379/8, a database this benchmark flushes) — it:

1. migrates an empty SQLite data directory, creates a user, a workspace, a project and a task,
   and starts one `labora serve` on a free loopback port;
2. connects CLIENTS websocket clients (asyncio on uvloop when installed, as the server runs, the
   `websockets` library, one process; each frame is timed on arrival and parsed after the run) to
   /api/v1/workspaces/bench/live with ?token=, and waits for each one's hello;
3. makes WRITES changes one after the other through the HTTP API (PATCH the task's title, with
   If-Match), waiting after each until every client has received its event (or 10 s passed);
4. reports, over all (write, client) pairs, the time from the HTTP write's response to the
   event's receipt by the client (p50, p99, max). Delivery happens after commit, before the
   response is sent, so a client often has its event before the writer has read its response:
   those count as 0. So it also reports the time from the event being recorded (its `at`, in
   the server's transaction; same machine, same clock) to receipt — the event-to-browser
   latency proper — and from the request's start, which includes the write itself.

Everything runs on the same machine (2 cores here): the server, the one process holding the
1,000 clients, and the writer. The results replace the section between the bench:live markers
in docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.foundation import DOC, base_env, labora, loadavg, machine, serve

START_MARK = "<!-- bench:live:start -->"
END_MARK = "<!-- bench:live:end -->"
EMAIL = "bench@example.com"
PASSWORD = "bench-password-0123"  # noqa: S105  (a throwaway account in a temporary data dir)
TARGET_P99_MS = 200.0
REDIS_URL = os.environ.get("LABORA_BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


@dataclass
class LiveResult:
    label: str
    clients: int
    writes: int
    connect_s: float = 0.0
    from_response_ms: list[float] = field(default_factory=list)
    from_request_ms: list[float] = field(default_factory=list)
    from_event_ms: list[float] = field(default_factory=list)  # the event's `at` (recorded) to receipt
    write_ms: list[float] = field(default_factory=list)
    client_cpu_ms: float = float("nan")  # the client process's CPU per write, while the writes ran
    delivered: int = 0
    expected: int = 0
    error: str = ""

    @property
    def ok(self) -> bool:
        return (
            not self.error
            and self.delivered == self.expected
            and pct(self.from_response_ms, 99) < TARGET_P99_MS
            and pct(self.from_event_ms, 99) < TARGET_P99_MS
        )


@dataclass
class _Waiting:
    """The write whose event the clients are waiting for, counted as frames arrive."""

    marker: str = ""
    count: int = 0
    done: asyncio.Event = field(default_factory=asyncio.Event)


def _marker(title: str) -> str:
    # The new title in the frame's text: `"title":["<before>","<after>"]` (compact JSON).
    return json.dumps(title, ensure_ascii=False) + "]"


async def _measure(
    url: str, token: str, *, clients: int, writes: int, result: LiveResult, compression: str | None = "deflate"
) -> None:
    from websockets.asyncio.client import connect

    ws_url = url.replace("http://", "ws://") + f"/api/v1/workspaces/bench/live?token={token}"
    # Every frame as it arrived: (text, perf_counter, wall clock). Parsed only after the run: a
    # browser parses its own frame, while this one process holds all the clients, and decoding
    # 1,000 JSON messages per event here would delay the last clients' receipts by the first
    # ones' parsing, a cost no real client pays. Arrival is all that is timed.
    frames: list[tuple[str, float, float]] = []
    waiting = _Waiting()
    ready = asyncio.Semaphore(0)

    async def client() -> None:
        async with connect(
            ws_url, max_queue=None, open_timeout=120, ping_interval=None, compression=compression
        ) as socket:
            first = True
            async for raw in socket:
                now = time.perf_counter()
                if first:  # the hello
                    first = False
                    ready.release()
                    continue
                text = raw if isinstance(raw, str) else raw.decode()
                frames.append((text, now, time.time()))
                if waiting.marker and waiting.marker in text:
                    waiting.count += 1
                    if waiting.count == clients:
                        waiting.done.set()

    began = time.perf_counter()
    tasks: list[asyncio.Task[None]] = []
    for i in range(clients):
        tasks.append(asyncio.create_task(client()))
        if i % 50 == 49:
            await asyncio.sleep(0.05)  # do not flood the accept queue
    for _ in range(clients):
        await asyncio.wait_for(ready.acquire(), 300)
    result.connect_s = time.perf_counter() - began

    timing: dict[str, tuple[float, float]] = {}  # title -> (request sent, response read)
    cpu_began = time.process_time()
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as http:
        version = (await http.get("/api/v1/workspaces/bench/tasks/LIVE-1")).json()["version"]
        for n in range(writes):
            title = f"Live benchmark change {n}"
            waiting.marker, waiting.count, waiting.done = _marker(title), 0, asyncio.Event()
            sent = time.perf_counter()
            answer = await http.patch(
                "/api/v1/workspaces/bench/tasks/LIVE-1", json={"title": title}, headers={"If-Match": str(version)}
            )
            answered = time.perf_counter()
            answer.raise_for_status()
            version = answer.json()["version"]
            result.write_ms.append((answered - sent) * 1000)
            timing[title] = (sent, answered)
            with contextlib.suppress(TimeoutError):  # counted as not delivered below
                await asyncio.wait_for(waiting.done.wait(), 10)
            await asyncio.sleep(0.05)
    result.client_cpu_ms = (time.process_time() - cpu_began) * 1000 / max(1, writes)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)

    got: dict[str, int] = defaultdict(int)
    for text, now, wall in frames:
        message = json.loads(text)
        title = ((message.get("data") or {}).get("changes") or {}).get("title", [None, None])[1]
        if title not in timing:
            continue
        sent, answered = timing[title]
        if now - sent > 10 + (answered - sent):
            continue  # after the 10 s the writer waited: not delivered
        got[title] += 1
        result.from_event_ms.append((wall - datetime.fromisoformat(message["at"]).timestamp()) * 1000)
        result.from_response_ms.append(max(0.0, (now - answered) * 1000))
        result.from_request_ms.append((now - sent) * 1000)
    result.delivered = sum(got.values())
    result.expected = clients * len(timing)


def _run(coro: Any) -> None:
    """asyncio.run, on uvloop when installed (uvicorn serves on it too): the one client process
    holds 1,000 sockets, and the stock loop's per-frame overhead there is not the server's."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(coro)
    else:
        uvloop.run(coro)


def _redis_available() -> bool:
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.flushdb()
        client.close()
        return True
    except Exception:
        return False


def bench_layer(label: str, *, redis_url: str | None, clients: int, writes: int) -> LiveResult:
    result = LiveResult(label=label, clients=clients, writes=writes)
    data_dir = Path(tempfile.mkdtemp(prefix="labora-bench-live-"))
    try:
        env = base_env(data_dir, None)
        env["LABORA_LOG_LEVEL"] = "WARNING"
        env.pop("REDIS_URL", None)
        if redis_url:
            env["REDIS_URL"] = redis_url
        labora(env, "migrate", "--no-input", "-v", "0")
        labora(env, "createuser", "--email", EMAIL, "--password", PASSWORD, "--workspace", "bench")
        token = labora(env, "token", "create", "--email", EMAIL, "--name", "bench").strip()
        with serve(env, data_dir / "serve.log") as server:
            headers = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=server.url, headers=headers, timeout=30) as http:
                http.post("/api/v1/workspaces/bench/projects", json={"key": "LIVE", "name": "Live"}).raise_for_status()
                http.post("/api/v1/workspaces/bench/projects/LIVE/tasks", json={"title": "Watched"}).raise_for_status()
            print(f"[{label}] connecting {clients} websocket clients...", flush=True)
            _run(_measure(server.url, token, clients=clients, writes=writes, result=result))
    except Exception as exc:  # reported in the table, not hidden; the server's log is kept
        result.error = f"{type(exc).__name__}: {exc} (server log: {data_dir / 'serve.log'})"
        print(f"[{label}] failed: {result.error}", file=sys.stderr, flush=True)
    else:
        shutil.rmtree(data_dir, ignore_errors=True)
    print(
        f"[{label}] {result.delivered}/{result.expected} delivered; from response p50 "
        f"{pct(result.from_response_ms, 50):.1f} ms, p99 {pct(result.from_response_ms, 99):.1f} ms",
        flush=True,
    )
    return result


def render(results: list[LiveResult], info: dict[str, str], *, load_before: str, load_after: str) -> str:
    lines = [
        START_MARK,
        "<!-- Generated by `python -m bench live` (bench/live.py); edit outside these markers. -->",
        "## Live updates: event to browser",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {info['nproc']} cores ({info['cpu']}), "
        f"Python {info['python']}; load average {load_before} before, {load_after} after. One `labora serve` "
        "(SQLite), the websocket clients in one asyncio process (uvloop; each frame timed on arrival, "
        "parsed after the run) and the writer on the same machine.",
        "",
        "| | " + " | ".join(r.label for r in results) + " | target |",
        "| --- | " + " | ".join("---" for _ in results) + " | --- |",
    ]

    def row(name: str, values: list[str], target: str = "") -> None:
        lines.append(f"| {name} | " + " | ".join(values) + f" | {target} |")

    row("websocket clients", [str(r.clients) for r in results])
    row("writes (PATCH a task's title)", [str(r.writes) for r in results])
    row("all clients connected in", [f"{r.connect_s:.1f} s" for r in results])
    row("events delivered", [f"{r.delivered} / {r.expected}" for r in results], "all")
    row("write response p50", [f"{pct(r.write_ms, 50):.1f} ms" for r in results])
    for q in (50, 99):
        row(
            f"response → receipt p{q}",
            [f"{pct(r.from_response_ms, q):.1f} ms" for r in results],
            f"p99 < {TARGET_P99_MS:.0f} ms" if q == 99 else "",
        )
    row("response → receipt max", [f"{max(r.from_response_ms, default=float('nan')):.1f} ms" for r in results])
    for q in (50, 99):
        row(
            f"event recorded → receipt p{q}",
            [f"{pct(r.from_event_ms, q):.1f} ms" for r in results],
            f"p99 < {TARGET_P99_MS:.0f} ms" if q == 99 else "",
        )
    for q in (50, 99):
        row(f"request start → receipt p{q}", [f"{pct(r.from_request_ms, q):.1f} ms" for r in results])
    row("client process CPU per write (all clients' frames read)", [f"{r.client_cpu_ms:.1f} ms" for r in results])
    row("met", ["yes" if r.ok else "NO" for r in results])
    errors = [f"- {r.label}: {r.error}" for r in results if r.error]
    if errors:
        lines += ["", "Errors:", *errors]
    lines += [
        "",
        "The delivery path: the write commits, the outbox subscriber `live.publish` sends the event to "
        "the workspace's channel-layer group (before the HTTP response leaves), whose one member per "
        "server process (`live/hub.py`) hands it to that process's connections; each checks its cached "
        "visibility in place and queues the JSON text, encoded once per event, for its sender task. "
        "'response → receipt' counts an "
        "event received before the writer read its response as 0 ms; 'event recorded → receipt' runs "
        "from the event's timestamp, taken inside the write's transaction, to the client's receipt; "
        "'request start → receipt' includes the whole write.",
        END_MARK,
    ]
    return "\n".join(lines)


def write_section(section: str, doc: Path = DOC) -> None:
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Performance\n\n"
    if START_MARK in text and END_MARK in text:
        head, rest = text.split(START_MARK, 1)
        _old, tail = rest.split(END_MARK, 1)
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    doc.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench live", description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=1000, help="Websocket clients (default 1000).")
    parser.add_argument("--writes", type=int, default=30, help="Changes to time (default 30).")
    parser.add_argument("--no-redis", action="store_true", help="Only the in-memory channel layer.")
    parser.add_argument("--no-write", action="store_true", help="Print the table; leave docs/performance.md alone.")
    args = parser.parse_args(argv)

    info = machine()
    load_before = loadavg()
    results = [bench_layer("in-memory layer", redis_url=None, clients=args.clients, writes=args.writes)]
    if not args.no_redis and _redis_available():
        results.append(bench_layer("Redis layer", redis_url=REDIS_URL, clients=args.clients, writes=args.writes))
    section = render(results, info, load_before=load_before, load_after=loadavg())
    print(section)
    if not args.no_write:
        write_section(section)
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
