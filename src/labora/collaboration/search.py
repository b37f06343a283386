"""Full-text search over comment bodies: the second source of task search (docs/decisions/0007).

The index objects are those of labora.work.search's `Source`, over `collaboration_comment.body`:
a trigger-kept `search_document` tsvector with a GIN index on PostgreSQL, an external-content
FTS5 table `collaboration_comment_fts` with triggers on SQLite. Migration 0003_comment_fulltext
installs them; `ensure_after_migrate` (post_migrate, like work's) re-makes what is missing.

    task_ids_matching_comments(workspace_id=ws.pk, text="deploy pipe")
    # -> a values("task_id") queryset: use it as Task.objects.filter(pk__in=...)
    task_comment_rank(workspace_id=ws.pk, text="deploy pipe")
    # -> an expression on Task (0 without a matching comment), to add to work.search.rank()

Words follow the task search (`Words.of`): every piece required, the last one a prefix. Only
live comments on live tasks count (deleted comments are hidden and so not found).
"""

from __future__ import annotations

from typing import Any, Final

from django.db import connection as default_connection
from django.db.models import Expression, FloatField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from labora.work.search import Source, Words, ensure

COMMENTS: Final = Source(
    table="collaboration_comment",
    columns=(("body", "B"),),
    fts_table="collaboration_comment_fts",
    pg_index="collaboration_comment_fulltext",
    migration=("collaboration", "0003_comment_fulltext"),
)


def comments_matching(*, workspace_id: int, text: str, vendor: str | None = None) -> QuerySet[Any]:
    """The live comments of the workspace whose body holds every word of `text` (none when
    `text` has nothing searchable)."""
    from labora.collaboration.models import Comment

    words = Words.of([text or ""])
    comments = Comment.objects.filter(workspace_id=workspace_id)
    if words is None:
        return comments.none()
    return comments.filter(COMMENTS.matches(words, vendor or default_connection.vendor))


def task_ids_matching_comments(*, workspace_id: int, text: str) -> QuerySet[Any]:
    """The ids of the live tasks of the workspace with a live comment matching `text`
    (a `values("task_id")` subquery; one SQL statement when used in `pk__in`). Not ranked.

    Visibility is the caller's: filter the tasks it selects through the work selectors.
    """
    return (
        comments_matching(workspace_id=workspace_id, text=text)
        .filter(task__isnull=False, task__deleted_at__isnull=True)
        .values("task_id")
    )


def task_comment_rank(*, workspace_id: int, text: str, vendor: str | None = None) -> Expression | None:
    """An expression on Task: the rank of its best comment matching `text` (higher is better; 0
    when none matches), to add to the task's own rank. None when `text` has nothing searchable."""
    words = Words.of([text or ""])
    if words is None:
        return None
    vendor = vendor or default_connection.vendor
    best = (
        comments_matching(workspace_id=workspace_id, text=text, vendor=vendor)
        .filter(task_id=OuterRef("pk"))
        .annotate(score=COMMENTS.rank(words, vendor))
        .order_by("-score")
        .values("score")[:1]
    )
    return Coalesce(Subquery(best, output_field=FloatField()), Value(0.0), output_field=FloatField())


def ensure_after_migrate(using: str = "default", **_: Any) -> None:
    """post_migrate: (re)make the comment index objects when the table should have them (built
    without migrations, as in tests, or migrated to 0003_comment_fulltext and beyond)."""
    from django.db import connections
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.recorder import MigrationRecorder

    conn = connections[using]
    if conn.vendor not in ("postgresql", "sqlite"):
        return
    if COMMENTS.table not in set(conn.introspection.table_names()):
        return
    recorder = MigrationRecorder(conn)
    applied = set(recorder.applied_migrations()) if recorder.has_table() else set()
    if MigrationLoader.migrations_module(COMMENTS.migration[0])[0] is None or COMMENTS.migration in applied:
        ensure(conn, [COMMENTS])
