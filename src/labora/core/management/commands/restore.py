"""`labora restore PATH`: load a `labora backup` archive into an empty instance."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from labora.core.backup import BackupError, Progress, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `labora backup` into an EMPTY instance (no users, no workspaces): "
        "point LABORA_DATA_DIR at a new folder (or DATABASE_URL at a new database) first."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", help="The archive written by `labora backup`.")

    def handle(self, *args: Any, **options: Any) -> None:
        # The raw stream: OutputWrapper would end every write with a newline, and the bar redraws with "\r".
        progress = Progress(self.stderr._out, enabled=options["verbosity"] > 0)
        try:
            result = restore(options["path"], progress=progress)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(result.counts.values())
        made = result.manifest.get("created_at", "?")
        self.stdout.write(
            f"Restored {rows:,} rows in {len(result.counts)} tables and {result.media_files:,} media files "
            f"from the backup of {made}; all row counts match its manifest."
        )
