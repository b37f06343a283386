"""The `labora` command: Django's management commands with Labora's settings preset."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labora.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["labora", *sys.argv[1:]])


if __name__ == "__main__":
    main()
