"""Full-text index over comment bodies (docs/decisions/0007-full-text-search.md, "Comments").

PostgreSQL: a trigger-kept `search_document` tsvector column with a GIN index; SQLite: the FTS5
external-content table collaboration_comment_fts and its triggers. Made by
labora.collaboration.search (which also re-makes them after every `migrate` when missing).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def install(apps: Any, schema_editor: Any) -> None:
    from labora.collaboration.search import COMMENTS
    from labora.work import search

    if search.supported(schema_editor.connection):
        search.install(schema_editor.connection, [COMMENTS])


def uninstall(apps: Any, schema_editor: Any) -> None:
    from labora.collaboration.search import COMMENTS
    from labora.work import search

    if search.supported(schema_editor.connection):
        search.uninstall(schema_editor.connection, [COMMENTS])


class Migration(migrations.Migration):
    dependencies = [("collaboration", "0002_comments"), ("work", "0003_fulltext")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
