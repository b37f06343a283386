"""`labora backup PATH`: the whole instance (database rows and uploaded files) in one archive."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from labora.core.backup import BackupError, Progress, backup


class Command(BaseCommand):
    help = "Write a backup of the whole instance to PATH (.tar.gz); restore it with `labora restore PATH`."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", help="Archive to write, e.g. labora-2026-05-01.tar.gz (replaced if it exists).")

    def handle(self, *args: Any, **options: Any) -> None:
        # The raw stream: OutputWrapper would end every write with a newline, and the bar redraws with "\r".
        progress = Progress(self.stderr._out, enabled=options["verbosity"] > 0)
        try:
            result = backup(options["path"], progress=progress)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(result.counts.values())
        self.stdout.write(
            f"Backup written to {result.path}: {rows:,} rows in {len(result.counts)} tables, "
            f"{result.media_files:,} media files, {result.bytes / 1_000_000:.1f} MB."
        )
