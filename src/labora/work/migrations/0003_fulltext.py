"""Full-text search indexes (docs/decisions/0007-full-text-search.md).

PostgreSQL: the `labora_search` text search configuration (simple, plus unaccent when the
server has it) and a GIN expression index over the tasks' weighted title and description.
SQLite: the FTS5 external-content table work_task_fts with the triggers that keep it in sync.
Both are written by labora.work.search, which also re-makes them after every `migrate` when
they are missing; this migration is what installs (and, reversed, removes) them.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def install(apps: Any, schema_editor: Any) -> None:
    from labora.work import search

    if search.supported(schema_editor.connection):
        search.install(schema_editor.connection, [search.TASKS])


def uninstall(apps: Any, schema_editor: Any) -> None:
    from labora.work import search

    if search.supported(schema_editor.connection):
        search.uninstall(schema_editor.connection, [search.TASKS])


class Migration(migrations.Migration):
    dependencies = [("work", "0002_projects_people_fields_views")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
