"""`labora serve`: migrates, serves the API and runs the embedded worker; stops cleanly."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.cli.conftest import LABORA, free_port, labora_env, run_labora


def _wait_for(url: str, *, timeout: float, until: Any = None) -> httpx.Response:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = httpx.get(url, timeout=2)
            if last.status_code == 200 and (until is None or until(last.json())):
                return last
        except httpx.TransportError as exc:
            last = exc
        time.sleep(0.2)
    raise AssertionError(f"{url} not ready after {timeout}s: {last!r}")


def _serve(data_dir: Path) -> Iterator[tuple[str, Path, subprocess.Popen[str]]]:
    port = free_port()
    proc = subprocess.Popen(
        [str(LABORA), "serve", "--port", str(port)],
        env=labora_env(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield f"http://127.0.0.1:{port}", data_dir, proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=10)


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[tuple[str, Path, subprocess.Popen[str]]]:
    """`labora serve` on a free port with an empty data dir: it migrates the database itself."""
    yield from _serve(tmp_path / "fresh")


@pytest.fixture
def server(data_dir: Path) -> Iterator[tuple[str, Path, subprocess.Popen[str]]]:
    """`labora serve` on a free port with an already migrated data dir."""
    yield from _serve(data_dir)


def test_serve_migrates_answers_health_and_its_embedded_worker_checks_in(fresh_server: Any) -> None:
    base, _data_dir, proc = fresh_server

    # (a deadline, not a measurement: migrating a fresh database takes long on a loaded machine)
    health = _wait_for(f"{base}/api/v1/health", timeout=90)
    assert health.json()["database"] == "ok"
    # The embedded worker writes its first heartbeat on its first tick.
    assert _wait_for(f"{base}/api/v1/health", timeout=30, until=lambda body: body["worker"] == "ok")

    proc.send_signal(signal.SIGTERM)
    out, _err = proc.communicate(timeout=15)
    assert proc.returncode == 0
    assert f"Labora is running at {base}/" in out


def test_a_token_from_the_command_line_authenticates_against_the_running_server(server: Any) -> None:
    base, data_dir, _proc = server
    _wait_for(f"{base}/api/v1/health", timeout=90)
    run_labora(data_dir, "createuser", "--email", "ana@example.com", "--password", "a-long-pass-phrase")

    created = run_labora(data_dir, "token", "create", "--email", "ana@example.com", "--name", "CI")

    assert created.stdout.count("\n") == 1  # nothing but the token, so T=$(labora token create ...) works
    token = created.stdout.strip()
    assert token.startswith("lab_")
    me = httpx.get(f"{base}/api/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert me.status_code == 200
    assert me.json()["email"] == "ana@example.com"


def test_serve_without_the_worker_reports_it_not_running(data_dir: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [str(LABORA), "serve", "--port", str(port), "--no-worker"],
        env=labora_env(data_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        health = _wait_for(f"http://127.0.0.1:{port}/api/v1/health", timeout=30)
        assert health.json()["worker"] == "not_running"
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=15) == 0
