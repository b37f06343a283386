"""Helpers for command-line tests: run `labora` in a subprocess against a private data dir."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

LABORA = Path(sys.executable).with_name("labora")


def labora_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a `labora` subprocess: SQLite in `data_dir`, quiet logs.

    LABORA_TESTING (set by tests/conftest.py) is inherited: fast password hashes.
    """
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env.update({"LABORA_DATA_DIR": str(data_dir), "LABORA_LOG_LEVEL": "WARNING", **extra})
    return env


def run_labora(data_dir: Path, *args: str, check: bool = True, **env: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(LABORA), *args], env=labora_env(data_dir, **env), capture_output=True, text=True, timeout=120
    )
    if check and result.returncode != 0:
        raise AssertionError(f"labora {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite data dir per test session; tests get copies (migrating takes seconds)."""
    template = tmp_path_factory.mktemp("labora-migrated")
    run_labora(template, "migrate", "--no-input", "-v", "0")
    return template


@pytest.fixture
def data_dir(migrated_template: Path, tmp_path: Path) -> Path:
    """A private, migrated, empty data dir."""
    target = tmp_path / "data"
    shutil.copytree(migrated_template, target)
    return target


@pytest.fixture
def labora(data_dir: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """labora("createuser", "--email", ...) against the test's own data dir."""

    def run(*args: str, check: bool = True, **env: Any) -> subprocess.CompletedProcess[str]:
        return run_labora(data_dir, *args, check=check, **env)

    return run


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(autouse=True)
def fast_password_hashes(settings: Any) -> None:
    """Argon2 takes ~0.5 s a hash here; the demo alone makes 14. Tests need no strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
