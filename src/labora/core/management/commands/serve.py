"""`labora serve`: migrate, start the embedded worker, serve HTTP and websockets with uvicorn."""

from __future__ import annotations

import signal
import sys
import threading
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from labora.core.worker import LaboraWorker, start_embedded


class Command(BaseCommand):
    help = "Run Labora: apply migrations, start the embedded background worker and serve on HOST:PORT."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default: %(default)s).")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on (default: %(default)s).")
        parser.add_argument(
            "--workers", type=int, default=1, help="Server processes (default: %(default)s); one embedded worker."
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Do not start the embedded background worker (run `labora worker` separately).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        import uvicorn

        host: str = options["host"]
        port: int = options["port"]
        workers: int = options["workers"]
        if not 0 < port < 65536:
            raise CommandError(f"--port must be between 1 and 65535, not {port}.")
        if workers < 1:
            raise CommandError(f"--workers must be 1 or more, not {workers}.")

        call_command("migrate", interactive=False, verbosity=max(0, options["verbosity"] - 1))

        worker: LaboraWorker | None = None
        thread: threading.Thread | None = None
        if settings.EMBEDDED_WORKER and not options["no_worker"]:
            worker, thread = start_embedded()

        def stop_worker(signum: int, frame: FrameType | None) -> None:
            # uvicorn restores these handlers after its own graceful shutdown and re-raises
            # the signal it caught: ending here (instead of the default "die") lets us stop
            # the worker thread between two steps and exit 0.
            if worker is not None:
                worker.stop()

        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, stop_worker)

        shown_host = f"[{host}]" if ":" in host else host
        self.stdout.write(f"Labora is running at http://{shown_host}:{port}/")
        self.stdout.flush()
        try:
            uvicorn.run(
                "labora.asgi:application",
                host=host,
                port=port,
                workers=workers,
                log_config=None,  # keep Labora's JSON logging (settings.LOGGING)
                lifespan="off",
                proxy_headers=True,
                # Live frames are a few hundred bytes of JSON: compressing each one per connection
                # (browsers always offer permessage-deflate) cost more CPU in the fan-out to
                # 1,000 sockets than any other step and saved next to no bytes (docs/performance.md).
                ws_per_message_deflate=False,
            )
        finally:
            if worker is not None and thread is not None:
                worker.stop()
                thread.join(timeout=10)
        sys.stdout.flush()
