"""On PostgreSQL, an index on the task-label links by label, then task (decision 0015).

Django makes the link table of `Task.labels` itself, so the index is plain SQL. A `label:` filter's
COUNT then reads a label's links from the index alone instead of visiting the table's pages for
each; together with `random_page_cost` 1.1 (settings) the page query keeps walking the project's
tasks in rank order. SQLite does without: its planner does not use it for these queries.
"""

from typing import Any

from django.db import migrations

# As labora.work.apps.LABEL_LINKS_INDEX(_SQL), which builds it for databases made without
# migrations; spelled out here so that this migration stays what it was when it ran.
INDEX = "work_task_labels_label_task"


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON work_task_labels (label_id, task_id)")


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("work", "0006_live_task_indexes"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
