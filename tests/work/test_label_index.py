"""The index behind `label:` counts, and the planner setting that keeps `label:` pages in rank order
(decision 0015; measured in docs/performance.md)."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.state import ProjectState

from labora.work.apps import LABEL_LINKS_INDEX, LABEL_LINKS_INDEX_SQL
from labora.work.models import Task


@pytest.mark.django_db
def test_task_label_links_are_indexed_by_label_then_task() -> None:
    table = Task.labels.through._meta.db_table
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    index = constraints.get(LABEL_LINKS_INDEX)
    assert index is not None, f"no label-then-task index on {table}: {sorted(constraints)}"
    assert index["columns"] == ["label_id", "task_id"]
    assert index["index"]
    assert not index["unique"]


@pytest.mark.django_db
def test_postgres_sessions_price_index_probes_for_memory(settings: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("random_page_cost is a PostgreSQL setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        (value,) = cursor.fetchone()
        cursor.execute("SHOW max_parallel_workers_per_gather")
        (workers,) = cursor.fetchone()
    assert float(value) == pytest.approx(1.1)
    assert workers == "0"


def _has_index() -> bool:
    with connection.cursor() as cursor:
        return LABEL_LINKS_INDEX in connection.introspection.get_constraints(cursor, "work_task_labels")


def test_migration_0007_adds_the_index_and_takes_it_back(transactional_db: Any) -> None:
    migration = importlib.import_module("labora.work.migrations.0007_task_labels_by_label").Migration(
        "0007_task_labels_by_label", "work"
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX IF EXISTS {LABEL_LINKS_INDEX}")
        assert not _has_index()
        with connection.schema_editor(atomic=migration.atomic) as editor:
            migration.apply(ProjectState(), editor)
        assert _has_index()
        with connection.schema_editor(atomic=migration.atomic) as editor:
            migration.unapply(ProjectState(), editor)
        assert not _has_index()
    finally:
        with connection.cursor() as cursor:
            cursor.execute(LABEL_LINKS_INDEX_SQL)
