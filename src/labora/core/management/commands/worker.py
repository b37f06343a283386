"""`labora worker`: a standalone background worker (tasks, event re-delivery, heartbeat)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from labora.core.startup import freeze_startup
from labora.core.worker import LaboraWorker, run_standalone


class Command(BaseCommand):
    help = (
        "Run background tasks and re-deliver unacknowledged events until stopped (SIGTERM/Ctrl-C). "
        "Start as many as you like; `labora serve` runs one inside itself unless --no-worker."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between two rounds of work (default: %(default)s)."
        )
        parser.add_argument("--once", action="store_true", help="Do one round of work and exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        interval: float = options["interval"]
        if not interval > 0:
            raise CommandError(f"--interval must be a positive number of seconds, not {interval}.")
        if not options["once"]:
            freeze_startup()  # a long-running process: keep startup objects out of collections
            run_standalone(interval=interval)
            return
        done = LaboraWorker(interval=interval, embedded=False).tick()
        if options["verbosity"] > 0:
            self.stdout.write(f"Ran {done['tasks']} task(s); re-delivered {done['events']} event handler run(s).")
