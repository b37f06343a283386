"""Full-text search (labora.work.search) through the query language: matching, prefixes, ranking,
accents, hostile input, index upkeep, trash and tenancy. Runs on SQLite (FTS5) and, with
DATABASE_URL pointing at PostgreSQL, on the GIN index."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from labora.core.errors import ValidationError
from labora.work import search, selectors, services
from labora.work.models import Project, Task
from labora.work.services import fields as field_services
from tests import factories


@pytest.fixture
def project(user: Any, workspace: Any) -> Project:
    return services.project_create(actor=user, workspace=workspace, key="OPS", name="Operations")


def _task(user: Any, project: Project, title: str, description: str = "", **kwargs: Any) -> Task:
    return services.task_create(actor=user, project=project, title=title, description=description, **kwargs)


def _found(user: Any, workspace: Any, q: str, order: str | None = None) -> list[str]:
    return [t.title for t in selectors.task_list(user=user, workspace=workspace, q=q, order=order)]


# --- matching -----------------------------------------------------------------------------------


def test_a_word_finds_tasks_by_title_or_description(user: Any, workspace: Any, project: Project) -> None:
    _task(user, project, "Renew the TLS certificate")
    _task(user, project, "Quarterly review", "Check the certificate chain too")
    _task(user, project, "Order coffee")
    assert sorted(_found(user, workspace, "certificate")) == ["Quarterly review", "Renew the TLS certificate"]
    assert sorted(_found(user, workspace, "text:certificate")) == ["Quarterly review", "Renew the TLS certificate"]


def test_every_word_is_required_and_only_the_last_is_a_prefix(user: Any, workspace: Any, project: Project) -> None:
    _task(user, project, "Deploy the pipeline")
    _task(user, project, "Deploy the website")
    assert _found(user, workspace, "deploy pipe") == ["Deploy the pipeline"]
    assert _found(user, workspace, 'text:"deploy pipe"') == ["Deploy the pipeline"]
    assert sorted(_found(user, workspace, "depl")) == ["Deploy the pipeline", "Deploy the website"]
    # "depl" is not the last word here, so it must be a whole word.
    assert _found(user, workspace, "depl pipeline") == []


def test_search_ignores_case_and_accents(user: Any, workspace: Any, project: Project) -> None:
    _task(user, project, "Menu du Café", "Crème brûlée for the STAFF party")
    assert _found(user, workspace, "cafe") == ["Menu du Café"]
    assert _found(user, workspace, "CAFÉ") == ["Menu du Café"]
    assert _found(user, workspace, "creme brulee staff") == ["Menu du Café"]


def test_a_word_is_not_found_inside_another(user: Any, workspace: Any, project: Project) -> None:
    _task(user, project, "Reinstall the printer")
    assert _found(user, workspace, "install") == []


def test_text_combines_with_other_fields_or_and_not(user: Any, workspace: Any, project: Project) -> None:
    _task(user, project, "Invoice for Acme", status="Done")
    _task(user, project, "Invoice for Globex")
    _task(user, project, "Call Initech")
    assert _found(user, workspace, "invoice status:open") == ["Invoice for Globex"]
    assert _found(user, workspace, "-text:invoice") == ["Call Initech"]
    assert sorted(_found(user, workspace, "text:acme,initech")) == ["Call Initech", "Invoice for Acme"]
    assert sorted(_found(user, workspace, "globex OR initech")) == ["Call Initech", "Invoice for Globex"]


# --- ranking --------------------------------------------------------------------------------------


def test_best_matches_come_first_unless_an_order_is_given(user: Any, workspace: Any, project: Project) -> None:
    _task(user, project, "Weekly sync", "Agenda: budget, hiring and the office move")
    _task(user, project, "Budget 2027", "Draft the budget for next year")
    _task(user, project, "Hiring plan", "Budget lines for two engineers")
    ranked = _found(user, workspace, "budget")
    assert ranked[0] == "Budget 2027"  # in the title and twice in the description
    assert set(ranked) == {"Weekly sync", "Budget 2027", "Hiring plan"}
    assert _found(user, workspace, "budget", order="title") == ["Budget 2027", "Hiring plan", "Weekly sync"]
    # Without text there is nothing to rank by: board order (rank, then id).
    assert _found(user, workspace, "status:open") == ["Weekly sync", "Budget 2027", "Hiring plan"]


def test_a_title_match_outranks_a_description_match(user: Any, workspace: Any, project: Project) -> None:
    _task(user, project, "Team lunch", "Ask the caterer about the menu")
    _task(user, project, "Caterer contract")
    assert _found(user, workspace, "caterer") == ["Caterer contract", "Team lunch"]


def test_ranking_an_or_puts_tasks_matching_more_words_first(user: Any, workspace: Any, project: Project) -> None:
    _task(user, project, "Alpha")
    _task(user, project, "Alpha and beta")
    _task(user, project, "Beta")
    ranked = _found(user, workspace, "alpha OR beta")
    assert ranked[0] == "Alpha and beta"
    assert set(ranked) == {"Alpha", "Alpha and beta", "Beta"}


# --- hostile input ------------------------------------------------------------------------------------


FOUND = ["foo bar baz"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ('text:"a\\"b"', []),
        ('text:"foo*"', FOUND),
        ('text:"NEAR(foo bar)"', []),
        ('text:"foo OR bar"', []),
        ('text:"NOT foo"', FOUND),
        ('text:"-foo"', FOUND),
        ('text:"title:foo"', []),
        ('text:"foo & bar | !baz"', FOUND),
        ('text:"foo:*"', FOUND),
        ('text:"\'; DROP TABLE work_task; --"', []),
        ('text:"^foo"', FOUND),
        ('text:"{title description}: foo"', []),
        ('text:"drop table"', FOUND),
    ],
)
def test_search_syntax_in_the_input_is_only_text(
    user: Any, workspace: Any, project: Project, q: str, expected: list[str]
) -> None:
    _task(user, project, "foo bar baz", "NOT a title: near drop table")
    assert _found(user, workspace, q) == expected
    assert Task.objects.count() == 1


def test_operator_words_are_searched_as_words(user: Any, workspace: Any, project: Project) -> None:
    _task(user, project, "Near miss report")
    _task(user, project, "Or else")
    _task(user, project, "foo-bar migration")
    assert _found(user, workspace, 'text:"NEAR"') == ["Near miss report"]
    assert _found(user, workspace, 'text:"or"') == ["Or else"]
    assert _found(user, workspace, 'text:"foo-bar"') == ["foo-bar migration"]
    assert _found(user, workspace, 'text:"foo*"') == ["foo-bar migration"]


@pytest.mark.parametrize("q", ['text:"*"', 'text:"--"', 'text:"\\""', 'text:"   "'])
def test_a_text_without_a_word_answers_a_clear_422(user: Any, workspace: Any, q: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _found(user, workspace, q)
    assert caught.value.code == "invalid_query"
    assert "letters or digits" in caught.value.message


# --- the index follows the data -----------------------------------------------------------------------


def test_edits_are_searchable_at_once(user: Any, workspace: Any, project: Project) -> None:
    task = _task(user, project, "Old name")
    services.task_update(actor=user, task=task, title="Shiny name", description="with a gazebo", version=task.version)
    assert _found(user, workspace, "old") == []
    assert _found(user, workspace, "shiny") == ["Shiny name"]
    assert _found(user, workspace, "gazebo") == ["Shiny name"]


def test_trashed_tasks_are_not_found_and_restored_ones_are(user: Any, workspace: Any, project: Project) -> None:
    task = _task(user, project, "Archive the logs")
    services.task_delete(actor=user, task=task)
    assert _found(user, workspace, "archive") == []
    services.task_restore(actor=user, task=Task.all_objects.get(pk=task.pk))
    assert _found(user, workspace, "archive") == ["Archive the logs"]


def test_deleted_rows_leave_the_index(user: Any, workspace: Any, project: Project) -> None:
    keep = _task(user, project, "Keep this")
    gone = _task(user, project, "Purge this")
    Task.all_objects.filter(pk=gone.pk).delete()
    assert _found(user, workspace, "this") == ["Keep this"]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT rowid FROM work_task_fts WHERE work_task_fts MATCH 'this'")
            assert [row[0] for row in cursor.fetchall()] == [keep.pk]


def test_another_workspace_is_never_searched(user: Any, workspace: Any, project: Project) -> None:
    other_owner = factories.make_user()
    other = factories.make_workspace(owner=other_owner)
    theirs = services.project_create(actor=other_owner, workspace=other, key="OPS", name="Theirs")
    _task(other_owner, theirs, "Secret merger plans")
    _task(user, project, "Public merger news")
    assert _found(user, workspace, "merger") == ["Public merger news"]
    assert _found(other_owner, other, "merger") == ["Secret merger plans"]


# --- installing the index -----------------------------------------------------------------------------


def test_a_database_built_without_migrations_has_the_index(db: Any) -> None:
    # pytest runs with --no-migrations: the post_migrate handler installed it.
    assert search.TASKS.installed(connection)


def test_ensure_remakes_a_broken_index_and_indexes_what_is_there(user: Any, workspace: Any, project: Project) -> None:
    _task(user, project, "Before the break")
    with connection.cursor() as cursor:  # what a table rebuild by a later migration does
        if connection.vendor == "sqlite":
            cursor.execute('DROP TRIGGER "work_task_fts_ai"')
        else:
            cursor.execute('DROP TRIGGER "work_task_search_document" ON "work_task"')
    assert not search.TASKS.installed(connection)
    _task(user, project, "During the break")
    assert search.ensure(connection) == [search.TASKS]
    assert search.ensure(connection) == []  # idempotent
    assert sorted(_found(user, workspace, "break")) == ["Before the break", "During the break"]
    _task(user, project, "After the break")
    assert len(_found(user, workspace, "break")) == 3


def test_the_migration_installs_and_removes_the_index(user: Any, workspace: Any, project: Project) -> None:
    from importlib import import_module

    migration = import_module("labora.work.migrations.0003_fulltext")
    _task(user, project, "Indexed by the migration")

    class Editor:
        def __init__(self) -> None:
            self.connection = connection

    if connection.vendor == "postgresql":  # as in a migration: no constraint check pending
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    migration.uninstall(None, Editor())
    assert not search.TASKS.installed(connection)
    migration.install(None, Editor())
    assert search.TASKS.installed(connection)
    assert _found(user, workspace, "migration") == ["Indexed by the migration"]


def test_ensure_after_migrate_leaves_a_database_migrated_below_0003_alone(monkeypatch: Any, db: Any) -> None:
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.recorder import MigrationRecorder

    search.uninstall(connection)
    # As if `migrate work 0002` had run: migrations on, 0003 not applied.
    monkeypatch.setattr(MigrationLoader, "migrations_module", classmethod(lambda cls, app: ("x", False)))
    monkeypatch.setattr(MigrationRecorder, "applied_migrations", lambda self: {("work", "0002_x"): None})
    monkeypatch.setattr(MigrationRecorder, "has_table", lambda self: True)
    search.ensure_after_migrate(using="default")
    assert not search.TASKS.installed(connection)
    monkeypatch.setattr(MigrationRecorder, "applied_migrations", lambda self: {("work", "0003_fulltext"): None})
    search.ensure_after_migrate(using="default")
    assert search.TASKS.installed(connection)


# --- query strings for each engine ------------------------------------------------------------------------


def test_engine_queries_quote_every_piece() -> None:
    words = search.Words.of(['say "hi" NEAR', "o'neil\\"])
    assert words is not None
    assert search.fts5_text(words) == '"say" AND """hi""" AND "NEAR" AND "o\'neil\\"*'
    assert search.tsquery_text(words) == "'say' & '\"hi\"' & 'NEAR' & 'o''neil\\\\':*"
    assert search.Words.of(["* -- !"]) is None


# --- type: with custom types --------------------------------------------------------------------------------


def test_type_accepts_the_custom_types_of_the_workspace(user: Any, workspace: Any, project: Project) -> None:
    project = field_services.project_types_replace(actor=user, project=project, types=["Story"])
    other = services.project_create(actor=user, workspace=workspace, key="WEB", name="Website")
    other = field_services.project_types_replace(actor=user, project=other, types=["Incident"])
    _task(user, project, "As a user", type="story")
    _task(user, other, "Outage", type="Incident")
    _task(user, project, "Plain")
    assert _found(user, workspace, "type:story") == ["As a user"]
    assert _found(user, workspace, "type:INCIDENT") == ["Outage"]
    assert _found(user, workspace, "type:task") == ["Plain"]
    # In one project, only its own types are known.
    ops = [t.title for t in selectors.task_list(user=user, workspace=workspace, project=project, q="type:story")]
    assert ops == ["As a user"]
    with pytest.raises(ValidationError) as caught:
        selectors.task_list(user=user, workspace=workspace, project=project, q="type:incident")
    assert "Unknown type 'incident'" in caught.value.message
    assert "Story" in caught.value.message


def test_an_unknown_type_answers_422_naming_the_known_ones(user: Any, workspace: Any, project: Project) -> None:
    with pytest.raises(ValidationError) as caught:
        _found(user, workspace, "type:saga")
    assert caught.value.code == "invalid_query"
    assert "bug" in caught.value.message
