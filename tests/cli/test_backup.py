"""`labora backup` / `labora restore`: a round trip into a fresh instance loses nothing."""

from __future__ import annotations

import json
import os
import shutil
import tarfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import run_labora

PG_URL = os.environ.get("LABORA_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/labora")


def _archive(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, bytes]]:
    """(manifest, every serialised row, media files) of a backup archive."""
    with tarfile.open(path, "r:gz") as tar:
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
        rows = json.load(tar.extractfile("data.json"))  # type: ignore[arg-type]
        media = {
            m.name: tar.extractfile(m).read()  # type: ignore[union-attr]
            for m in tar.getmembers()
            if m.name.startswith("media/") and m.isfile()
        }
    return manifest, rows, media


@pytest.fixture(scope="module")
def source(migrated_template: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """An instance with the demo workspace, a token and an uploaded file, and its backup.

    Built once for the module; tests only read it (or fail to restore over it)."""
    tmp_path = tmp_path_factory.mktemp("backup-source")
    data_dir = tmp_path / "data"
    shutil.copytree(migrated_template, data_dir)
    run_labora(data_dir, "demo")
    run_labora(data_dir, "token", "create", "--email", "demo@labora.local")
    (data_dir / "media" / "attachments").mkdir(parents=True)
    (data_dir / "media" / "attachments" / "brief é.pdf").write_bytes(b"%PDF-1.4 fake" * 100)
    archive = tmp_path / "backup.tar.gz"
    result = run_labora(data_dir, "backup", str(archive))
    assert "Backup written to" in result.stdout
    assert "accounts.user" in result.stderr  # progress, one line per model
    return data_dir, archive


def test_backup_holds_a_manifest_the_rows_and_the_media(source: tuple[Path, Path]) -> None:
    _data_dir, archive = source

    manifest, rows, media = _archive(archive)

    assert manifest["format"] == "labora-backup"
    assert manifest["database"]["vendor"] == "sqlite"
    assert manifest["counts"]["accounts.user"] == 7
    assert manifest["counts"]["workspaces.workspace"] == 1
    assert "sessions.session" not in manifest["counts"]
    assert "contenttypes.contenttype" not in manifest["counts"]
    assert sum(manifest["counts"].values()) == len(rows)
    assert list(media) == ["media/attachments/brief é.pdf"]


def test_round_trip_into_a_fresh_data_dir_loses_nothing(source: tuple[Path, Path], tmp_path: Path) -> None:
    _data_dir, archive = source
    target = tmp_path / "restored"  # empty: restore migrates it

    restored = run_labora(target, "restore", str(archive))

    assert "all row counts match" in restored.stdout
    again = tmp_path / "again.tar.gz"
    run_labora(target, "backup", str(again))
    before, after = _archive(archive), _archive(again)
    assert after[0]["counts"] == before[0]["counts"]
    assert after[1] == before[1]  # every row, every field
    assert after[2] == before[2]
    assert (target / "media" / "attachments" / "brief é.pdf").read_bytes() == b"%PDF-1.4 fake" * 100
    # The restored instance works: sign-in data intact, new rows get fresh ids.
    run_labora(
        target, "createuser", "--email", "new@example.com", "--password", "a-long-pass-phrase", "--workspace", "acme"
    )


def test_restore_refuses_an_instance_that_has_data(source: tuple[Path, Path]) -> None:
    data_dir, archive = source

    result = run_labora(data_dir, "restore", str(archive), check=False)

    assert result.returncode == 1
    assert "already holds data (7 users and 1 workspaces)" in result.stderr
    assert "LABORA_DATA_DIR" in result.stderr


def test_restore_rejects_a_file_that_is_not_a_backup(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.tar.gz"
    bogus.write_bytes(b"not a tarball")

    result = run_labora(tmp_path / "empty", "restore", str(bogus), check=False)

    assert result.returncode == 1
    assert "not a readable .tar.gz backup" in result.stderr


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new, empty PostgreSQL database for the test, dropped afterwards."""
    psycopg = pytest.importorskip("psycopg")
    from psycopg import sql

    try:
        admin = psycopg.connect(PG_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}")
    name = f"labora_restore_{uuid.uuid4().hex[:10]}"
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield PG_URL.rsplit("/", 1)[0] + "/" + name
        finally:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.mark.postgres
def test_a_sqlite_backup_restores_into_postgresql(source: tuple[Path, Path], tmp_path: Path, postgres_url: str) -> None:
    _data_dir, archive = source
    target = tmp_path / "pg"

    run_labora(target, "restore", str(archive), DATABASE_URL=postgres_url)

    again = tmp_path / "pg.tar.gz"
    run_labora(target, "backup", str(again), DATABASE_URL=postgres_url)
    before, after = _archive(archive), _archive(again)
    assert after[0]["database"]["vendor"] == "postgresql"
    assert after[0]["counts"] == before[0]["counts"]
    assert after[1] == before[1]  # compared as parsed JSON: jsonb may reorder object keys
    # Sequences were reset: the next row gets a fresh id instead of colliding.
    run_labora(
        target,
        "createuser",
        "--email",
        "new@example.com",
        "--password",
        "a-long-pass-phrase",
        DATABASE_URL=postgres_url,
    )


def test_times_keep_every_microsecond(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from labora.core.backup import _ExactEncoder

    moment = datetime(2026, 11, 23, 20, 22, 36, 500, tzinfo=UTC)  # 0.5 ms: DjangoJSONEncoder would say .000

    assert json.loads(json.dumps({"at": moment}, cls=_ExactEncoder))["at"] == "2026-11-23T20:22:36.000500+00:00"
