"""Two `labora serve` processes on different ports, sharing PostgreSQL and Redis: a change made
through node A's HTTP API reaches a websocket client connected to node B, and presence spans
both nodes."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.live.conftest import run

pytestmark = pytest.mark.postgres

LABORA = Path(sys.executable).with_name("labora")
PG_URL = os.environ.get("LABORA_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/labora")
REDIS_DB = 7  # flushed by this test
REDIS_URL = os.environ.get("LABORA_TEST_REDIS_URL", f"redis://127.0.0.1:6379/{REDIS_DB}")

SEED = """
import json
from labora.accounts.services import token_create, user_create
from labora.work.services import project_create, task_create
from labora.workspaces.services import workspace_create
owner = user_create(email="owner@example.com", password="correct-horse-battery-staple", name="Olivia Owner")
viewer = user_create(email="viewer@example.com", password="correct-horse-battery-staple", name="Vic Viewer")
ws = workspace_create(actor=owner, name="Acme", slug="acme")
from labora.workspaces.models import Membership
Membership.objects.create(workspace=ws, user=viewer, role="member")
project = project_create(actor=owner, workspace=ws, key="OPS", name="Operations")
task = task_create(actor=owner, project=project, title="Rotate the keys")
print(json.dumps({
    "owner": token_create(actor=owner, name="a")[1],
    "viewer": token_create(actor=viewer, name="b")[1],
    "version": task.version,
}))
"""


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def shared_backends() -> Iterator[tuple[str, str]]:
    """A fresh PostgreSQL database (dropped afterwards) and a flushed Redis database."""
    psycopg = pytest.importorskip("psycopg")
    redis = pytest.importorskip("redis")
    from psycopg import sql

    try:
        admin = psycopg.connect(PG_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.flushdb()
    except redis.exceptions.ConnectionError:
        admin.close()
        pytest.skip(f"Redis not reachable at {REDIS_URL}")
    name = f"labora_live_{uuid.uuid4().hex[:10]}"
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield PG_URL.rsplit("/", 1)[0] + "/" + name, REDIS_URL
        finally:
            client.flushdb()
            client.close()
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _env(tmp_path: Path, database_url: str, redis_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "LABORA_DATA_DIR": str(tmp_path / "data"),
            "SECRET_KEY": "two-nodes-share-one-secret-key-0123456789",
            "LABORA_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "labora.settings",
        }
    )
    return env


class Node:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        with log.open("wb") as out:
            self.proc = subprocess.Popen(
                [str(LABORA), "serve", "--port", str(self.port)], env=env, stdout=out, stderr=subprocess.STDOUT
            )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"labora serve exited with {self.proc.returncode}:\n{self.log.read_text()}")
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.url} did not answer within {timeout}s:\n{self.log.read_text()}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


async def _next(ws: Any, key: str, timeout: float = 15) -> dict[str, Any]:
    """The next message that has `key` (hello, event, presence...)."""
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        if key in message:
            return dict(message)


def test_a_change_on_node_a_reaches_a_websocket_client_of_node_b(
    shared_backends: tuple[str, str], tmp_path: Path
) -> None:
    websockets = pytest.importorskip("websockets")
    database_url, redis_url = shared_backends
    env = _env(tmp_path, database_url, redis_url)
    subprocess.run([str(LABORA), "migrate", "--no-input", "-v", "0"], env=env, check=True, timeout=300)
    seeded = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + SEED],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    tokens = json.loads(seeded.stdout.strip().splitlines()[-1])
    node_a, node_b = Node(env, tmp_path / "a.log"), Node(env, tmp_path / "b.log")
    try:
        node_a.wait_ready()
        node_b.wait_ready()

        async def scenario() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
            live_b = f"ws://127.0.0.1:{node_b.port}/api/v1/workspaces/acme/live?token={tokens['viewer']}"
            live_a = f"ws://127.0.0.1:{node_a.port}/api/v1/workspaces/acme/live?token={tokens['owner']}"
            async with websockets.connect(live_b) as on_b, websockets.connect(live_a) as on_a:
                await _next(on_b, "hello")
                await _next(on_a, "hello")
                # Idle past channels-redis's 5 s BZPOPMIN: a receive that timed out with it once
                # dropped idle connections (redis-py's own default read timeout is also 5 s).
                await asyncio.sleep(6)
                async with httpx.AsyncClient(base_url=node_a.url, timeout=10) as http:
                    answer = await http.patch(
                        "/api/v1/workspaces/acme/tasks/OPS-1",
                        json={"title": "Rotate every key"},
                        headers={"Authorization": f"Bearer {tokens['owner']}", "If-Match": str(tokens["version"])},
                    )
                    assert answer.status_code == 200, answer.text
                event = await _next(on_b, "event")
                # Presence across the nodes: the viewer on B and the owner on A look at OPS-1.
                await on_b.send(json.dumps({"presence": {"task": "OPS-1"}}))
                await _next(on_b, "presence")
                await on_a.send(json.dumps({"presence": {"task": "OPS-1"}}))
                seen_on_a = await _next(on_a, "presence")
                while len(seen_on_a["presence"]["viewers"]) < 2:
                    seen_on_a = await _next(on_a, "presence")
                seen_on_b = await _next(on_b, "presence")
                return event, seen_on_a, seen_on_b

        event, seen_on_a, seen_on_b = run(scenario())
    finally:
        node_a.stop()
        node_b.stop()
    assert event["event"] == "task.updated"
    assert event["task"] == "OPS-1"
    assert event["data"]["changes"]["title"] == ["Rotate the keys", "Rotate every key"]
    assert event["actor"]["name"] == "Olivia Owner"
    assert [v["name"] for v in seen_on_a["presence"]["viewers"]] == ["Olivia Owner", "Vic Viewer"]
    assert [v["name"] for v in seen_on_b["presence"]["viewers"]] == ["Olivia Owner", "Vic Viewer"]
