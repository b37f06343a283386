"""Whole-instance backup and restore (`labora backup PATH`, `labora restore PATH`).

The archive is a .tar.gz with:

- `manifest.json`: format version, Labora version, creation time, database vendor, the
  applied migrations and the number of rows per model (checked again after a restore);
- `data.json`: every row of every model worth keeping, as Django's serialisation — a JSON
  array with one object per line, so both sides stream it instead of holding it in memory;
- `media/...`: the uploaded files under MEDIA_ROOT.

Rows keep their primary keys (a restore goes into an empty database), except references to
content types and permissions: those rows are made by `migrate` and may get other ids in the
target, so they are written as natural keys (`["app_label", "model"]`).

Consistency: the dump reads every table inside one transaction that sees one snapshot —
REPEATABLE READ on PostgreSQL, a deferred read transaction on SQLite in WAL mode — so
writes made while a backup runs are either wholly in it or wholly out of it.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import sys
import tarfile
import tempfile
import time
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.python import Serializer as PythonSerializer
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder


class _ExactEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder cuts times to milliseconds; a backup keeps every microsecond."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime | clock_time):
            return o.isoformat()
        return super().default(o)


FORMAT = "labora-backup"
FORMAT_VERSION = 1
CHUNK = 2000

# Rebuilt by `migrate`, runtime-only, or worthless after a restore.
EXCLUDED = {
    "contenttypes.contenttype",  # made by migrate; referenced by natural key
    "auth.permission",  # made by migrate; referenced by natural key
    "sessions.session",  # everybody signs in again after a restore
    "admin.logentry",
    "core.workerheartbeat",  # which processes were alive on the old machine
}
# Models referenced by natural key instead of primary key.
NATURAL = {"contenttypes.contenttype", "auth.permission"}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says what to do."""


# --- what is in a backup ------------------------------------------------------------------


def backup_models() -> list[type[models.Model]]:
    """Every concrete model of every installed app except EXCLUDED, in a stable order."""
    chosen = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.label_lower in EXCLUDED:
            continue
        chosen.append(model)
    return sorted(chosen, key=lambda m: m._meta.label_lower)


class _Serializer(PythonSerializer):
    """Primary keys everywhere, natural keys only for the rows `migrate` makes."""

    def handle_fk_field(self, obj: models.Model, field: Any) -> None:
        self.use_natural_foreign_keys = field.remote_field.model._meta.label_lower in NATURAL
        super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj: models.Model, field: Any) -> None:
        self.use_natural_foreign_keys = field.remote_field.model._meta.label_lower in NATURAL
        super().handle_m2m_field(obj, field)


def _queryset(model: type[models.Model]) -> models.QuerySet[Any]:
    # The base manager: soft-deleted rows (the trash) are data too.
    qs = model._base_manager.order_by("pk")
    m2m = [f.name for f in model._meta.many_to_many if f.remote_field.through._meta.auto_created]  # type: ignore[union-attr]
    for name in m2m:
        related = model._meta.get_field(name).related_model
        if related is not None and related._meta.label_lower == "auth.permission":
            qs = qs.prefetch_related(f"{name}__content_type")
        else:
            qs = qs.prefetch_related(name)
    return qs


# --- progress ------------------------------------------------------------------------------


class Progress:
    """One line per model on stderr; redrawn in place while counting when stderr is a terminal."""

    def __init__(self, stream: Any = None, *, enabled: bool = True) -> None:
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = enabled and hasattr(self.stream, "isatty") and self.stream.isatty()
        self._label = ""
        self._total = 0
        self._last = 0.0

    def start(self, label: str, total: int) -> None:
        self._label, self._total, self._last = label, total, 0.0
        self.update(0)

    def update(self, done: int) -> None:
        if not self.tty:
            return
        now = time.monotonic()
        if done and done < self._total and now - self._last < 0.1:
            return
        self._last = now
        self.stream.write("\r" + self._line(done))
        self.stream.flush()

    def finish(self, done: int) -> None:
        if not self.enabled:
            return
        self.stream.write(("\r" if self.tty else "") + self._line(done) + "\n")
        self.stream.flush()

    def note(self, message: str) -> None:
        if self.enabled:
            self.stream.write(message + "\n")
            self.stream.flush()

    def _line(self, done: int) -> str:
        total = max(self._total, done)
        width = 24
        filled = width if not total else int(width * done / total)
        bar = "#" * filled + "-" * (width - filled)
        return f"  {self._label:<36} [{bar}] {done:>9,}/{total:,}"


# --- backup ----------------------------------------------------------------------------------


@dataclass
class BackupResult:
    path: Path
    counts: dict[str, int]
    media_files: int
    bytes: int


@contextmanager
def _snapshot(using: str) -> Iterator[None]:
    """A read transaction that sees one consistent state of the whole database."""
    connection = connections[using]
    if connection.vendor == "sqlite":
        # Settings make SQLite transactions BEGIN IMMEDIATE (take the write lock); a backup
        # only reads, so use a DEFERRED one: in WAL mode its first read fixes a snapshot
        # and writers go on meanwhile.
        connection.ensure_connection()
        previous = getattr(connection, "transaction_mode", None)
        connection.transaction_mode = "DEFERRED"  # type: ignore[attr-defined]
        try:
            with transaction.atomic(using=using):
                yield
        finally:
            connection.transaction_mode = previous  # type: ignore[attr-defined]
        return
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _applied_migrations(using: str) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connections[using]).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def _media_files(*, exclude: Path) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    return sorted(
        p
        for p in root.rglob("*")
        # `exclude`: our own scratch folder, in case the archive is written inside MEDIA_ROOT
        if p.is_file() and not p.is_symlink() and not p.resolve().is_relative_to(exclude)
    )


def dump_data(out: IO[str], *, using: str = DEFAULT_DB_ALIAS, progress: Progress | None = None) -> dict[str, int]:
    """Write every backed-up row to `out` (JSON array, one object per line); returns counts."""
    progress = progress or Progress(enabled=False)
    counts: dict[str, int] = {}
    out.write("[")
    first = True
    for model in backup_models():
        label = model._meta.label_lower
        qs = _queryset(model).using(using)
        total = qs.count()
        progress.start(label, total)
        done = 0
        for batch in _batches(qs.iterator(chunk_size=CHUNK), CHUNK):
            serializer = _Serializer()
            for obj in serializer.serialize(batch):
                out.write(("\n" if first else ",\n") + json.dumps(obj, cls=_ExactEncoder, ensure_ascii=False))
                first = False
            done += len(batch)
            progress.update(done)
        counts[label] = done
        progress.finish(done)
    out.write("\n]\n")
    return counts


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def backup(
    path: str | os.PathLike[str], *, using: str = DEFAULT_DB_ALIAS, progress: Progress | None = None
) -> BackupResult:
    """Write a backup archive to `path` (atomically: a partial file never has the final name)."""
    from labora import __version__

    progress = progress or Progress(enabled=False)
    target = Path(path).expanduser().resolve()
    if target.is_dir():
        raise BackupError(f"{target} is a directory; give a file name such as {target / 'labora-backup.tar.gz'}.")
    if not target.parent.is_dir():
        raise BackupError(f"The folder {target.parent} does not exist; create it first.")
    connection = connections[using]
    with tempfile.TemporaryDirectory(prefix="labora-backup-", dir=target.parent) as tmp:
        data_path = Path(tmp) / "data.json"
        progress.note(f"Reading the {connection.vendor} database:")
        with _snapshot(using), data_path.open("w", encoding="utf-8") as fh:
            counts = dump_data(fh, using=using, progress=progress)
            migrations = _applied_migrations(using)
        media = _media_files(exclude=Path(tmp).resolve())
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "labora_version": __version__,
            "created_at": datetime.now(UTC).isoformat(),
            "database": {"vendor": connection.vendor},
            "counts": counts,
            "migrations": migrations,
            "media": {"files": len(media), "bytes": sum(p.stat().st_size for p in media)},
        }
        partial = Path(tmp) / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as tar:
            _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=2).encode())
            tar.add(data_path, arcname="data.json")
            root = Path(settings.MEDIA_ROOT)
            progress.start("media files", len(media))
            for i, file in enumerate(media, 1):
                tar.add(file, arcname=f"media/{file.relative_to(root).as_posix()}", recursive=False)
                progress.update(i)
            progress.finish(len(media))
        os.replace(partial, target)
    return BackupResult(path=target, counts=counts, media_files=len(media), bytes=target.stat().st_size)


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(time.time())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


# --- restore ---------------------------------------------------------------------------------


@dataclass
class RestoreResult:
    counts: dict[str, int]
    media_files: int
    manifest: dict[str, Any] = field(default_factory=dict)


def read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = tar.extractfile("manifest.json")
    except KeyError:
        member = None
    if member is None:
        raise BackupError("This file is not a Labora backup: it has no manifest.json.")
    manifest: dict[str, Any] = json.load(member)
    if manifest.get("format") != FORMAT:
        raise BackupError("This file is not a Labora backup (unknown manifest format).")
    if int(manifest.get("format_version", 0)) > FORMAT_VERSION:
        raise BackupError(
            f"This backup uses format {manifest['format_version']}, newer than this Labora understands "
            f"({FORMAT_VERSION}). Upgrade Labora, then restore."
        )
    return manifest


def existing_data(using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Users and workspaces already in the target database (tables may not exist yet)."""
    from labora.accounts.models import User
    from labora.workspaces.models import Workspace

    tables = set(connections[using].introspection.table_names())
    found: dict[str, int] = {}
    for label, model in (("users", User), ("workspaces", Workspace)):
        if model._meta.db_table in tables:
            n = model._base_manager.using(using).count()
            if n:
                found[label] = n
    return found


def _check_migrations(manifest: dict[str, Any], using: str) -> None:
    """Refuse a backup made by a newer Labora: it has migrations this one does not know."""
    loader = MigrationLoader(connections[using], ignore_no_migrations=True)
    known = set(loader.graph.nodes)
    # Migrations later squashed away are still known through the squash's `replaces`.
    known |= {tuple(r) for m in loader.disk_migrations.values() for r in m.replaces}
    unknown = [
        f"{app}.{name}"
        for app, names in (manifest.get("migrations") or {}).items()
        for name in names
        if (app, name) not in known
    ]
    if unknown:
        raise BackupError(
            f"This backup comes from a newer Labora ({manifest.get('labora_version')}); this one lacks the "
            f"migrations {', '.join(unknown[:5])}{' …' if len(unknown) > 5 else ''}. Upgrade Labora, then restore."
        )


def _iter_objects(fh: IO[str]) -> Iterator[dict[str, Any]]:
    """The objects of data.json one by one (our one-per-line layout), else via json.load."""
    first = fh.readline()
    if first.strip() != "[":
        fh.seek(0)
        yield from json.load(fh)
        return
    for line in fh:
        line = line.strip().rstrip(",")
        if not line or line == "]":
            continue
        yield json.loads(line)


def _safe_media_members(tar: tarfile.TarFile) -> Iterator[tuple[tarfile.TarInfo, Path]]:
    root = Path(settings.MEDIA_ROOT).resolve()
    for member in tar.getmembers():
        if not member.name.startswith("media/") or not member.isfile():
            continue  # only regular files: no links, devices or directories from the archive
        relative = Path(member.name[len("media/") :])
        target = (root / relative).resolve()
        if relative.is_absolute() or ".." in relative.parts or not target.is_relative_to(root):
            raise BackupError(f"The backup holds an unsafe file name {member.name!r}; refusing to restore it.")
        yield member, target


def restore(
    path: str | os.PathLike[str], *, using: str = DEFAULT_DB_ALIAS, progress: Progress | None = None
) -> RestoreResult:
    """Restore an archive into an EMPTY instance: migrate, load, copy media, verify counts."""
    progress = progress or Progress(enabled=False)
    source = Path(path).expanduser()
    if not source.is_file():
        raise BackupError(f"No backup at {source}.")
    try:
        with tarfile.open(source, "r:gz") as tar:
            return _restore(tar, using=using, progress=progress)
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise BackupError(f"{source} is not a readable .tar.gz backup, or it is damaged ({exc}).") from None


def _restore(tar: tarfile.TarFile, *, using: str, progress: Progress) -> RestoreResult:
    manifest = read_manifest(tar)
    found = existing_data(using)
    if found:
        what = " and ".join(f"{n} {label}" for label, n in found.items())
        raise BackupError(
            f"The target database already holds data ({what}); restore only goes into an empty instance. "
            "Point LABORA_DATA_DIR at a new, empty folder (or DATABASE_URL at a new, empty database) "
            "and run `labora restore` again."
        )
    _check_migrations(manifest, using)
    progress.note("Preparing the database (migrate)...")
    call_command("migrate", interactive=False, verbosity=0, database=using)

    data = tar.extractfile("data.json")
    if data is None:
        raise BackupError("This backup has no data.json; it is damaged.")
    with tempfile.TemporaryFile("w+", encoding="utf-8") as fh:
        # Extracted to disk first: the gzip stream is read once, then streamed line by line.
        with io.TextIOWrapper(data, encoding="utf-8") as text:
            while chunk := text.read(1 << 20):
                fh.write(chunk)
        fh.seek(0)
        progress.note(f"Loading into the {connections[using].vendor} database:")
        counts = load_data(fh, expected=manifest.get("counts", {}), using=using, progress=progress)

    members = list(_safe_media_members(tar))
    progress.start("media files", len(members))
    for i, (member, target) in enumerate(members, 1):
        target.parent.mkdir(parents=True, exist_ok=True)
        src = tar.extractfile(member)
        if src is None:
            continue
        with src, target.open("wb") as out:
            while block := src.read(1 << 20):
                out.write(block)
        progress.update(i)
    progress.finish(len(members))
    return RestoreResult(counts=counts, media_files=len(members), manifest=manifest)


def load_data(
    fh: IO[str], *, expected: dict[str, int], using: str = DEFAULT_DB_ALIAS, progress: Progress | None = None
) -> dict[str, int]:
    """Load data.json into the database in ONE transaction, then verify the row counts."""
    progress = progress or Progress(enabled=False)
    connection = connections[using]
    known = {m._meta.label_lower: m for m in backup_models()}
    missing = sorted(set(expected) - set(known))
    if missing:
        raise BackupError(
            f"This Labora has no models {', '.join(missing)} that the backup holds rows of; "
            "restore with the Labora version that made the backup."
        )
    counts: dict[str, int] = {}
    with transaction.atomic(using=using):
        # Rows that migrations may have seeded in the target are replaced by the backup's own.
        for label in reversed(list(known)):
            qs = known[label]._base_manager.using(using).all()
            if qs.exists():
                qs._raw_delete(using)
        current = ""
        loaded = 0
        batch: list[Any] = []

        def flush() -> None:
            _save_batch(batch, using)
            batch.clear()

        objects = serializers.deserialize("python", _iter_objects(fh), using=using, ignorenonexistent=False)
        for deserialized in objects:
            label = deserialized.object._meta.label_lower
            if label != current:
                flush()
                if current:
                    counts[current] = loaded
                    progress.finish(loaded)
                current, loaded = label, 0
                progress.start(label, int(expected.get(label, 0)))
            batch.append(deserialized)
            loaded += 1
            if len(batch) >= CHUNK:
                flush()
                progress.update(loaded)
        flush()
        if current:
            counts[current] = loaded
            progress.finish(loaded)

        if connection.vendor == "postgresql":
            # Explicit ids do not move PostgreSQL's sequences; the next insert would collide.
            statements = connection.ops.sequence_reset_sql(no_style(), list(known.values()))
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)

        actual = {label: known[label]._base_manager.using(using).count() for label in known}
        wrong = {
            label: (int(expected.get(label, 0)), actual[label])
            for label in known
            if actual[label] != int(expected.get(label, 0))
        }
        if wrong:
            detail = ", ".join(f"{label}: expected {e}, found {a}" for label, (e, a) in sorted(wrong.items()))
            raise BackupError(f"The restored rows do not match the backup's manifest ({detail}); nothing was restored.")
    return {label: counts.get(label, 0) for label in known}


def _save_batch(batch: list[Any], using: str) -> None:
    """Insert deserialised rows: bulk where possible, one by one where Django needs it."""
    if not batch:
        return
    model = batch[0].object.__class__
    if model._meta.parents or any(d.deferred_fields for d in batch):
        for d in batch:
            d.save(using=using)
        return
    _insert_raw(model, [d.object for d in batch], using)
    for name in {n for d in batch for n in (d.m2m_data or {})}:
        field = model._meta.get_field(name)
        through = field.remote_field.through
        source = field.m2m_field_name()
        target = field.m2m_reverse_field_name()
        rows = [
            through(**{f"{source}_id": d.object.pk, f"{target}_id": pk})
            for d in batch
            for pk in (d.m2m_data or {}).get(name, [])
        ]
        _insert_raw(through, rows, using)


def _insert_raw(model: type[models.Model], objs: list[Any], using: str) -> None:
    """INSERT rows exactly as given, like `save(raw=True)` but in batches: unlike
    `bulk_create`, no `auto_now` field is overwritten with the current time."""
    if not objs:
        return
    fields = list(model._meta.local_concrete_fields)
    # Many-to-many rows come without ids: leave the id column to the database (PostgreSQL
    # refuses an explicit NULL for it).
    fields = [f for f in fields if not (f.primary_key and all(getattr(o, f.attname) is None for o in objs))]
    size = max(1, connections[using].ops.bulk_batch_size(fields, objs))
    manager = model._base_manager.db_manager(using)
    for start in range(0, len(objs), size):
        manager._insert(objs[start : start + size], fields=fields, using=using, raw=True)  # type: ignore[attr-defined]
