"""Shared fixtures. Test-mode settings come from the labora.testing plugin (pytest.ini)."""

from __future__ import annotations

# Test-mode environment variables are set by the `labora.testing` plugin (see pytest.ini),
# which pytest loads before Django reads its settings.
import contextlib
import glob
import json
import os
import tempfile
from typing import Any

import pytest
from django.test import Client

from tests import factories


@pytest.fixture
def user(db: Any) -> Any:
    return factories.make_user(email="owner@example.com", name="Olivia Owner")


@pytest.fixture
def workspace(user: Any) -> Any:
    return factories.make_workspace(owner=user, slug="acme", name="Acme")


@pytest.fixture
def token(user: Any) -> str:
    return factories.make_token(user)


class ApiClient(Client):
    """A Django test client that speaks JSON to /api/v1 with a bearer token."""

    def __init__(self, raw_token: str | None = None, **kwargs: Any) -> None:
        if raw_token:
            kwargs.setdefault("HTTP_AUTHORIZATION", f"Bearer {raw_token}")
        super().__init__(**kwargs)

    def _json(self, method: str, path: str, data: Any = None, **extra: Any) -> Any:
        body = json.dumps(data) if data is not None else ""
        return getattr(super(), method)(path, body, content_type="application/json", **extra)

    def post_json(self, path: str, data: Any = None, **extra: Any) -> Any:
        return self._json("post", path, data, **extra)

    def patch_json(self, path: str, data: Any = None, **extra: Any) -> Any:
        return self._json("patch", path, data, **extra)

    def put_json(self, path: str, data: Any = None, **extra: Any) -> Any:
        return self._json("put", path, data, **extra)


@pytest.fixture
def api(token: str) -> ApiClient:
    """An API client authenticated as `user` (owner of `workspace`)."""
    return ApiClient(token)


@pytest.fixture
def api_for() -> Any:
    """Build an API client for any user: api_for(user)."""

    def build(u: Any) -> ApiClient:
        return ApiClient(factories.make_token(u))

    return build


@pytest.fixture
def run_events(django_capture_on_commit_callbacks: Any) -> Any:
    """Run after-commit callbacks (event dispatch) inside the test transaction:

    with run_events():
        ...service calls...
    """

    def ctx() -> Any:
        return django_capture_on_commit_callbacks(execute=True)

    return ctx


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """pytest-django removes this process's SQLite test database file but not the `-wal` and
    `-shm` files WAL mode leaves beside it (settings: one file per test process)."""
    for path in glob.glob(os.path.join(tempfile.gettempdir(), f"labora-test-{os.getpid()}.sqlite3*")):
        if path.endswith(("-wal", "-shm")):
            with contextlib.suppress(OSError):
                os.remove(path)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The PostgreSQL run of `make test` leaves out tests marked db_free: they never reach the
    database (pytest-django would refuse it), so a second run only repeats the SQLite one."""
    if not os.environ.get("LABORA_TEST_SKIP_DB_FREE"):
        return
    kept = [item for item in items if item.get_closest_marker("db_free") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item.get_closest_marker("db_free")])
        items[:] = kept
