"""The index behind `label:` counts on PostgreSQL, and the planner setting that keeps `label:` pages
in rank order (decision 0015; measured in docs/performance.md)."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.state import ProjectState

from labora.work.apps import LABEL_LINKS_INDEX, LABEL_LINKS_INDEX_SQL
from labora.work.models import Task

POSTGRES = connection.vendor == "postgresql"


def _constraints() -> dict[str, Any]:
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, Task.labels.through._meta.db_table)


@pytest.mark.django_db
def test_task_label_links_are_indexed_by_label_then_task_on_postgres_only() -> None:
    index = _constraints().get(LABEL_LINKS_INDEX)
    if not POSTGRES:
        assert index is None, "SQLite's label lists were slower with this index (decision 0015)"
        return
    assert index is not None, f"no label-then-task index: {sorted(_constraints())}"
    assert index["columns"] == ["label_id", "task_id"]
    assert index["index"]
    assert not index["unique"]


@pytest.mark.django_db
def test_postgres_sessions_price_index_probes_for_memory() -> None:
    if not POSTGRES:
        pytest.skip("random_page_cost is a PostgreSQL setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        (value,) = cursor.fetchone()
        cursor.execute("SHOW max_parallel_workers_per_gather")
        (workers,) = cursor.fetchone()
    assert float(value) == pytest.approx(1.1)
    assert workers == "0"


def test_migration_0007_adds_the_index_and_takes_it_back(transactional_db: Any) -> None:
    migration = importlib.import_module("labora.work.migrations.0007_task_labels_by_label").Migration(
        "0007_task_labels_by_label", "work"
    )
    try:
        if POSTGRES:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP INDEX IF EXISTS {LABEL_LINKS_INDEX}")
        assert LABEL_LINKS_INDEX not in _constraints()
        with connection.schema_editor(atomic=migration.atomic) as editor:
            migration.apply(ProjectState(), editor)
        assert (LABEL_LINKS_INDEX in _constraints()) is POSTGRES
        with connection.schema_editor(atomic=migration.atomic) as editor:
            migration.unapply(ProjectState(), editor)
        assert LABEL_LINKS_INDEX not in _constraints()
    finally:
        if POSTGRES:
            with connection.cursor() as cursor:
                cursor.execute(LABEL_LINKS_INDEX_SQL)
