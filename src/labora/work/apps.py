from typing import Any

from django.apps import AppConfig

# On PostgreSQL, the task-label links by label, then task (decision 0015). Django makes the link
# table of `Task.labels` itself, so migration 0007 adds the index as SQL; databases built without
# migrations (tests) get it after their syncdb, from `index_label_links`. Not on SQLite, whose
# planner does not use it for these queries.
LABEL_LINKS_INDEX = "work_task_labels_label_task"
LABEL_LINKS_INDEX_SQL = f"CREATE INDEX IF NOT EXISTS {LABEL_LINKS_INDEX} ON work_task_labels (label_id, task_id)"


def index_label_links(using: str = "default", **_: Any) -> None:
    """post_migrate: migration 0007's label index, where the work app had no migrations to run."""
    from django.db import connections
    from django.db.migrations.loader import MigrationLoader

    if MigrationLoader.migrations_module("work")[0] is not None:
        return  # migration 0007 owns it (and `migrate work 0006` takes it away)
    conn = connections[using]
    if conn.vendor == "postgresql" and "work_task_labels" in conn.introspection.table_names():
        with conn.cursor() as cursor:
            cursor.execute(LABEL_LINKS_INDEX_SQL)


class WorkConfig(AppConfig):
    name = "labora.work"
    label = "work"
    verbose_name = "Work"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Full-text index objects after every migrate, also for databases built without
        # migrations (tests) or rebuilt by a later migration (labora.work.search.ensure).
        from django.db.models.signals import post_migrate

        from labora.work import activity_text, permissions  # noqa: F401  (registration)
        from labora.work.search import ensure_after_migrate

        post_migrate.connect(ensure_after_migrate, sender=self, dispatch_uid="work.search.ensure")
        post_migrate.connect(index_label_links, sender=self, dispatch_uid="work.label_links.index")
