"""Full-text search over comment bodies (labora.collaboration.search). Runs on SQLite (FTS5) and,
with DATABASE_URL pointing at PostgreSQL, on the GIN index."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from labora.collaboration import search, services
from labora.work.models import Project, Task
from labora.work.services import projects as project_services
from labora.work.services import tasks as task_services
from tests import factories


@pytest.fixture
def project(user: Any, workspace: Any) -> Project:
    return project_services.project_create(actor=user, workspace=workspace, key="OPS", name="Operations")


def _task(user: Any, project: Project, title: str, *comments: str) -> Task:
    task = task_services.task_create(actor=user, project=project, title=title)
    for body in comments:
        services.comment_create(actor=user, task=task, body=body)
    return task


def _found(workspace: Any, text: str) -> list[str]:
    ids = search.task_ids_matching_comments(workspace_id=workspace.pk, text=text)
    return sorted(t.title for t in Task.objects.filter(pk__in=ids))


def test_comments_find_their_task(user: Any, workspace: Any, project: Project) -> None:
    _task(user, project, "Certificates", "The TLS chain expires on Friday", "Renewed, see the runbook")
    _task(user, project, "Coffee", "Order **more** beans")
    _task(user, project, "Silent")
    assert _found(workspace, "chain") == ["Certificates"]
    assert _found(workspace, "runb") == ["Certificates"]  # the last word is a prefix
    assert _found(workspace, "TLS friday") == ["Certificates"]  # every word, any case
    assert _found(workspace, "tls beans") == []
    assert _found(workspace, "more") == ["Coffee"]


def test_accents_and_search_syntax_are_only_text(user: Any, workspace: Any, project: Project) -> None:
    _task(user, project, "Menu", "Crème brûlée au café")
    assert _found(workspace, "creme") == ["Menu"]
    assert _found(workspace, 'café" OR NOT * NEAR(') == []
    assert _found(workspace, "   ") == []
    assert _found(workspace, "***") == []


def test_edited_and_deleted_comments(user: Any, workspace: Any, project: Project) -> None:
    task = _task(user, project, "Deploy")
    comment = services.comment_create(actor=user, task=task, body="rollback tonight")
    assert _found(workspace, "rollback") == ["Deploy"]
    services.comment_update(actor=user, comment=comment, body="roll forward instead")
    assert _found(workspace, "rollback") == []
    assert _found(workspace, "forward") == ["Deploy"]
    services.comment_delete(actor=user, comment=comment)
    assert _found(workspace, "forward") == []


def test_trashed_tasks_and_project_comments_are_not_task_hits(user: Any, workspace: Any, project: Project) -> None:
    task = _task(user, project, "Old", "zebra crossing")
    services.comment_create(actor=user, project=project, body="zebra stripes")
    assert _found(workspace, "zebra") == ["Old"]
    task_services.task_delete(actor=user, task=task)
    assert _found(workspace, "zebra") == []
    assert search.comments_matching(workspace_id=workspace.pk, text="zebra").count() == 2


def test_another_workspace_is_never_searched(user: Any, workspace: Any, project: Project) -> None:
    _task(user, project, "Ours", "kiwi")
    other_owner = factories.make_user(email="o@other.test")
    other = factories.make_workspace(owner=other_owner, slug="other")
    theirs = project_services.project_create(actor=other_owner, workspace=other, key="OPS", name="Theirs")
    _task(other_owner, theirs, "Theirs", "kiwi")
    assert _found(workspace, "kiwi") == ["Ours"]
    assert _found(other, "kiwi") == ["Theirs"]


def test_the_index_is_installed_and_remade(user: Any, workspace: Any, project: Project) -> None:
    assert search.COMMENTS.installed(connection)  # by the post_migrate handler (no migrations in tests)
    _task(user, project, "Before", "mango")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute('DROP TRIGGER "collaboration_comment_fts_ai"')
        else:
            cursor.execute('DROP TRIGGER "collaboration_comment_search_document" ON "collaboration_comment"')
    assert not search.COMMENTS.installed(connection)
    _task(user, project, "During", "mango")
    search.ensure_after_migrate(using="default")
    assert search.COMMENTS.installed(connection)
    assert _found(workspace, "mango") == ["Before", "During"]


def test_the_migration_installs_and_removes_the_index(user: Any, workspace: Any, project: Project) -> None:
    from importlib import import_module

    migration = import_module("labora.collaboration.migrations.0003_comment_fulltext")
    _task(user, project, "Indexed", "papaya")

    class Editor:
        def __init__(self) -> None:
            self.connection = connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    migration.uninstall(None, Editor())
    assert not search.COMMENTS.installed(connection)
    migration.install(None, Editor())
    assert search.COMMENTS.installed(connection)
    assert _found(workspace, "papaya") == ["Indexed"]


def test_one_statement_as_a_subquery(
    user: Any, workspace: Any, project: Project, django_assert_num_queries: Any
) -> None:
    _task(user, project, "A", "apple pie")
    with django_assert_num_queries(1):
        assert _found(workspace, "apple") == ["A"]


def test_rank_puts_the_task_with_the_better_comment_first(user: Any, workspace: Any, project: Project) -> None:
    _task(user, project, "Once", "the deploy failed")
    _task(user, project, "Often", "deploy deploy deploy: the deploy failed again after the deploy")
    _task(user, project, "Never", "nothing here")
    rank = search.task_comment_rank(workspace_id=workspace.pk, text="deploy")
    assert rank is not None
    ranked = Task.objects.annotate(score=rank).order_by("-score", "id")
    assert [t.title for t in ranked] == ["Often", "Once", "Never"]
    assert ranked.get(title="Never").score == 0
    assert search.task_comment_rank(workspace_id=workspace.pk, text="!!") is None


def test_the_query_language_finds_tasks_by_their_comments(user: Any, workspace: Any, project: Project) -> None:
    """Issue 3: `text:` (and bare words) search titles, descriptions and comments."""
    from labora.work.selectors import task_list

    _task(user, project, "Certificates", "The TLS chain expires on Friday")
    _task(user, project, "Chain of custody")  # found by its own title
    _task(user, project, "Coffee", "Order more beans")
    deleted = _task(user, project, "Ghost", "chain letter")
    services.comment_delete(actor=user, comment=deleted.comments.get())

    def titles(q: str) -> list[str]:
        return sorted(t.title for t in task_list(user=user, workspace=workspace, project=project, q=q))

    assert titles("text:chain") == ["Certificates", "Chain of custody"]
    assert titles("chain status:open") == ["Certificates", "Chain of custody"]
    assert titles("text:beans") == ["Coffee"]
    assert titles("NOT text:beans") == ["Certificates", "Chain of custody", "Ghost"]
    # Ranked: a task matched by its own text comes before one found only by a comment.
    ranked = [t.title for t in task_list(user=user, workspace=workspace, project=project, q="chain")]
    assert ranked[0] == "Chain of custody"
