"""Where the live-updates latency goes, on the server: `python -m bench.live_profile`.

The same scenario as bench/live.py (one workspace, CLIENTS websocket clients, WRITES sequential
PATCHes of one task), but the server runs inside this process (uvicorn on uvloop, like
`labora serve`) so it can be timed from the inside, and the clients and the writer run in a
separate process (bench.live._measure). For every event it reports:

- recorded → hub: from the event's `at` (taken in the write's transaction) to the moment this
  process's hub got it from the channel layer: the commit, the outbox subscribers that run
  before live.publish, the publish itself;
- hub → last frame written: the fan-out to every connection (visibility check, the websocket
  frame, permessage-deflate when negotiated, the socket write), until the last connection's
  frame is handed to the kernel;
- the server's CPU per event while the writes ran;
- what the clients measured (recorded → receipt), which on one machine also includes the
  client process's own work for 1,000 sockets.

Options: --no-deflate serves like `uvicorn --ws-per-message-deflate false` (browsers offer
permessage-deflate; the server decides), --client-no-deflate makes the clients not offer it,
--redis URL uses channels-redis, --profile FILE writes a cProfile of the server's thread while
the writes run (read it with `python -m pstats FILE`).
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from bench.foundation import base_env, free_port, loadavg
from bench.foundation import labora as run_labora
from bench.live import EMAIL, PASSWORD, LiveResult, _measure, _run, pct


def _client_main(argv: list[str]) -> int:
    url, token, clients, writes, compression = argv[0], argv[1], int(argv[2]), int(argv[3]), argv[4]
    result = LiveResult(label="client", clients=clients, writes=writes)
    _run(_measure(url, token, clients=clients, writes=writes, result=result, compression=compression or None))
    print(
        json.dumps(
            {
                "delivered": result.delivered,
                "expected": result.expected,
                "connect_s": result.connect_s,
                "from_event_ms": result.from_event_ms,
                "write_ms": result.write_ms,
                "client_cpu_ms": result.client_cpu_ms,
            }
        ),
        flush=True,
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.live_profile", description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--writes", type=int, default=30)
    parser.add_argument("--no-deflate", action="store_true", help="Server: no permessage-deflate.")
    parser.add_argument("--client-no-deflate", action="store_true", help="Clients: do not offer it.")
    parser.add_argument("--redis", default="", help="channels-redis at this URL (a database it may use).")
    parser.add_argument("--profile", default="", help="Write a cProfile of the server's thread here.")
    args = parser.parse_args(argv)

    data_dir = Path(tempfile.mkdtemp(prefix="labora-live-profile-"))
    env = base_env(data_dir, None)
    env["LABORA_LOG_LEVEL"] = "WARNING"
    env.pop("REDIS_URL", None)
    if args.redis:
        env["REDIS_URL"] = args.redis
        import redis

        redis.Redis.from_url(args.redis).flushdb()
    run_labora(env, "migrate", "--no-input", "-v", "0")
    run_labora(env, "createuser", "--email", EMAIL, "--password", PASSWORD, "--workspace", "bench")
    token = run_labora(env, "token", "create", "--email", EMAIL, "--name", "bench").strip()
    os.environ.clear()
    os.environ.update(env)

    import uvicorn

    importlib.import_module("labora.asgi")  # django.setup
    from labora.live.consumers import LiveConsumer
    from labora.live.hub import Hub

    got_at: dict[int, float] = {}  # event id -> hub got it (perf_counter)
    got_wall: dict[int, float] = {}
    last_sent: dict[int, float] = {}
    sends: dict[int, int] = {}
    text_of: dict[int, str] = {}
    cpu_at: dict[int, float] = {}  # event id -> process CPU seconds when the hub got it
    loop_cpu_at: dict[int, float] = {}  # event id -> the server loop thread's CPU seconds then
    loop_cpu_last: dict[int, float] = {}  # ... and when the event's last frame was written
    profiler = cProfile.Profile() if args.profile else None

    original_dispatch = Hub.dispatch

    def dispatch(self: Hub, message: dict[str, Any]) -> None:
        if message.get("type") == "live.event":
            event_id = int(message["id"])
            got_at[event_id] = time.perf_counter()
            got_wall[event_id] = time.time()
            text_of[event_id] = message["text"]
            cpu_at[event_id] = time.process_time()
            loop_cpu_at[event_id] = time.thread_time()
            if profiler is not None and len(cpu_at) == 1:
                profiler.enable()
        original_dispatch(self, message)

    Hub.dispatch = dispatch  # type: ignore[method-assign]

    original_send = LiveConsumer.send

    async def send(
        self: LiveConsumer, text_data: str | None = None, bytes_data: bytes | None = None, close: bool = False
    ) -> None:
        await original_send(self, text_data=text_data, bytes_data=bytes_data, close=close)
        if text_data is not None and text_data.startswith('{"id":'):
            event_id = int(text_data[6 : text_data.index(",")])
            last_sent[event_id] = time.perf_counter()
            loop_cpu_last[event_id] = time.thread_time()
            sends[event_id] = sends.get(event_id, 0) + 1

    LiveConsumer.send = send  # type: ignore[method-assign]

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    config = uvicorn.Config(
        "labora.asgi:application",
        host="127.0.0.1",
        port=port,
        log_config=None,
        lifespan="off",
        loop="uvloop",
        ws_per_message_deflate=not args.no_deflate,
    )
    server = uvicorn.Server(config)
    client_out: dict[str, Any] = {}

    def drive() -> None:
        try:
            with httpx.Client(base_url=url, timeout=30) as http:
                for _ in range(600):
                    try:
                        if http.get("/api/v1/health").status_code == 200:
                            break
                    except httpx.TransportError:
                        time.sleep(0.05)
                headers = {"Authorization": f"Bearer {token}"}
                http.post(
                    "/api/v1/workspaces/bench/projects", json={"key": "LIVE", "name": "Live"}, headers=headers
                ).raise_for_status()
                http.post(
                    "/api/v1/workspaces/bench/projects/LIVE/tasks", json={"title": "Watched"}, headers=headers
                ).raise_for_status()
            compression = "" if args.client_no_deflate else "deflate"
            proc = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "bench.live_profile",
                    "--client",
                    url,
                    token,
                    str(args.clients),
                    str(args.writes),
                    compression,
                ],
                capture_output=True,
                text=True,
                timeout=900,
                cwd=Path(__file__).resolve().parent.parent,
            )
            if proc.returncode != 0:
                print(proc.stderr, file=sys.stderr)
            else:
                client_out.update(json.loads(proc.stdout.strip().splitlines()[-1]))
        finally:
            server.should_exit = True

    load_before = loadavg()

    def report() -> None:
        from datetime import datetime

        to_hub, fan_out, fan_cpu = [], [], []
        for event_id, got in list(got_at.items()):
            if event_id not in last_sent:
                continue
            at = json.loads(text_of[event_id])["at"]
            to_hub.append((got_wall[event_id] - datetime.fromisoformat(at).timestamp()) * 1000)
            fan_out.append((last_sent[event_id] - got) * 1000)
            fan_cpu.append((loop_cpu_last[event_id] - loop_cpu_at[event_id]) * 1000)
        events = len(fan_out)
        ids = sorted(cpu_at)
        cpu_ms = (cpu_at[ids[-1]] - cpu_at[ids[0]]) * 1000 / (len(ids) - 1) if len(ids) > 1 else float("nan")
        received = client_out.get("from_event_ms", [])
        print(
            f"clients {args.clients}, events {events}, deflate server={'off' if args.no_deflate else 'on'} "
            f"clients={'off' if args.client_no_deflate else 'on'}, layer={'redis' if args.redis else 'memory'}; "
            f"load {load_before} -> {loadavg()}\n"
            f"  delivered {client_out.get('delivered')}/{client_out.get('expected')}; sends per event "
            f"{min(sends.values(), default=0)}..{max(sends.values(), default=0)}\n"
            f"  recorded -> hub         p50 {pct(to_hub, 50):7.1f}  p99 {pct(to_hub, 99):7.1f} ms\n"
            f"  hub -> last frame sent  p50 {pct(fan_out, 50):7.1f}  p99 {pct(fan_out, 99):7.1f} ms\n"
            f"  fan-out CPU (server loop thread, hub to last frame) p50 {pct(fan_cpu, 50):.1f}  "
            f"p99 {pct(fan_cpu, 99):.1f} ms\n"
            f"  server CPU per write (the request, the outbox, the fan-out) {cpu_ms:.1f} ms\n"
            f"  write response          p50 {pct(client_out.get('write_ms', []), 50):7.1f} ms\n"
            f"  clients: recorded -> receipt p50 {pct(received, 50):7.1f}  p99 {pct(received, 99):7.1f} ms; "
            f"client process CPU per write {client_out.get('client_cpu_ms', float('nan')):.1f} ms",
            flush=True,
        )

    def drive_then_stop() -> None:
        drive()
        # Seen with channels-redis: uvicorn's shutdown in this process does not always finish.
        # The numbers are all taken by now: report them and leave if it has not within 20 s.
        time.sleep(20)
        report()
        shutil.rmtree(data_dir, ignore_errors=True)
        os._exit(0)

    threading.Thread(target=drive_then_stop, daemon=True).start()
    server.run()
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.profile)
    shutil.rmtree(data_dir, ignore_errors=True)
    report()
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--client"]:
        raise SystemExit(_client_main(sys.argv[2:]))
    raise SystemExit(main())
