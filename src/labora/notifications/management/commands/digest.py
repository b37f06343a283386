"""`labora digest`: queue the notification digests that are due (the worker does this every
minute on its own; this is for cron or a one-off)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from labora.notifications.tasks import digest_tick


class Command(BaseCommand):
    help = "Queue due notification digests and lost instant e-mails."

    def handle(self, *args: Any, **options: Any) -> None:
        queued = digest_tick()
        self.stdout.write(f"queued {queued} e-mail job(s)")
