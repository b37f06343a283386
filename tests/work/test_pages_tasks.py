"""Task pages: the list (query language, sort, group, quick add, bulk edit), the task page
(in-place edits, stale versions, workflow refusals, history), trash and restore, access."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from labora.work import services
from labora.work.models import Project, ProjectMember, Task
from labora.work.services import StatusSpec
from labora.workspaces.models import Role
from tests import factories


@pytest.fixture
def project(user: Any, workspace: Any) -> Project:
    return services.project_create(actor=user, workspace=workspace, key="OPS", name="Operations")


def _list(workspace: Any, key: str = "OPS") -> str:
    return reverse("project_tasks", kwargs={"ws": workspace.slug, "key": key})


def _detail(workspace: Any, task_key: str) -> str:
    return reverse("task_detail", kwargs={"ws": workspace.slug, "task_key": task_key})


def _keys(response: Any) -> list[str]:
    return [row["task"].key for group in response.context["groups"] for row in group["rows"]]


def _task(key: str) -> Task:
    project_key, number = key.split("-")
    return Task.all_objects.select_related("status", "assignee").get(project__key=project_key, number=int(number))


# --- the list --------------------------------------------------------------------------------


def test_the_list_shows_the_projects_tasks_in_rank_order(
    client_in: Client, user: Any, workspace: Any, project: Project
) -> None:
    services.task_create(actor=user, project=project, title="Rotate keys", priority="high", labels=["security"])
    services.task_create(actor=user, project=project, title="Renew certificate")

    response = client_in.get(_list(workspace))

    assert response.status_code == 200
    assert _keys(response) == ["OPS-1", "OPS-2"]
    content = response.content.decode()
    assert "Rotate keys" in content
    assert "security" in content
    assert "badge badge-warning" in content


def test_the_query_language_filters_the_list(client_in: Client, user: Any, workspace: Any, project: Project) -> None:
    services.task_create(actor=user, project=project, title="Mine", assignee=user.email)
    services.task_create(actor=user, project=project, title="Nobody's")

    response = client_in.get(_list(workspace), {"q": "assignee:me"})

    assert _keys(response) == ["OPS-1"]


def test_an_htmx_search_renders_only_the_results_fragment(
    client_in: Client, user: Any, workspace: Any, project: Project
) -> None:
    services.task_create(actor=user, project=project, title="Backup")

    response = client_in.get(_list(workspace), {"q": "backup"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="task-results")

    content = response.content.decode()
    assert content.lstrip().startswith('<div id="task-results"')
    assert "OPS-1" in content
    assert "<html" not in content


def test_a_query_syntax_error_is_shown_inline_with_its_position(
    client_in: Client, user: Any, workspace: Any, project: Project
) -> None:
    services.task_create(actor=user, project=project, title="Backup")

    response = client_in.get(
        _list(workspace), {"q": "status:open due<"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="task-results"
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="task-q-error"' in content
    assert "Expected a value after &#x27;due&lt;&#x27; at position 17" in content
    assert "status:open due&lt;\n" + " " * 16 + "^</pre>" in content  # a caret under the spot


def test_a_bad_sort_order_is_an_inline_error_too(client_in: Client, workspace: Any, project: Project) -> None:
    response = client_in.get(_list(workspace), {"order": "shoe-size"})

    assert response.status_code == 200
    assert response.context["query_error"]["field"] == "order"


def test_column_headers_sort_and_the_select_groups(
    client_in: Client, user: Any, workspace: Any, project: Project
) -> None:
    services.task_create(actor=user, project=project, title="Bravo", status="In progress")
    services.task_create(actor=user, project=project, title="Alpha")
    services.task_create(actor=user, project=project, title="Charlie", status="In progress")

    by_title = client_in.get(_list(workspace), {"order": "-title"})
    grouped = client_in.get(_list(workspace), {"group": "status", "order": "title"})

    assert _keys(by_title) == ["OPS-3", "OPS-1", "OPS-2"]
    title_header = next(link for link in by_title.context["sort_links"] if link["field"] == "title")
    assert (title_header["current"], "order=title" in title_header["query"]) == ("desc", True)
    assert [(g["heading"], [r["task"].title for r in g["rows"]]) for g in grouped.context["groups"]] == [
        ("To do", ["Alpha"]),
        ("In progress", ["Bravo", "Charlie"]),
    ]


def test_the_list_is_paginated_by_50(client_in: Client, user: Any, workspace: Any, project: Project) -> None:
    for i in range(51):
        services.task_create(actor=user, project=project, title=f"T{i}")

    first = client_in.get(_list(workspace))
    second = client_in.get(_list(workspace), {"page": 2})

    assert (len(_keys(first)), _keys(second)) == (50, ["OPS-51"])


@pytest.mark.parametrize("count", [20, 100])
def test_the_list_takes_a_constant_number_of_queries(
    client_in: Client, user: Any, workspace: Any, project: Project, django_assert_max_num_queries: Any, count: int
) -> None:
    label_sets = [["a"], ["b", "c"], []]
    for i in range(count):
        services.task_create(
            actor=user, project=project, title=f"T{i}", assignee=user.email, labels=label_sets[i % 3], priority="high"
        )
    client_in.get(_list(workspace))  # warm up the session

    with django_assert_max_num_queries(16):
        response = client_in.get(_list(workspace), {"q": "priority:high", "group": "assignee"})

    assert len(_keys(response)) == min(count, 50)


def test_quick_add_creates_a_task_and_comes_back_to_the_list(
    client_in: Client, workspace: Any, project: Project
) -> None:
    response = client_in.post(_list(workspace), {"action": "quick_add", "title": "Call the supplier", "q": "call"})

    assert response.status_code == 302
    assert response["Location"] == _list(workspace) + "?q=call&adding=1"
    assert _task("OPS-1").title == "Call the supplier"


def test_bulk_edit_changes_every_selected_task(client_in: Client, user: Any, workspace: Any, project: Project) -> None:
    for title in ("One", "Two", "Three"):
        services.task_create(actor=user, project=project, title=title)

    client_in.post(
        _list(workspace),
        {
            "action": "bulk",
            "op": "apply",
            "tasks": ["OPS-1", "OPS-3"],
            "status": "In progress",
            "priority": "urgent",
            "assignee": user.email,
        },
    )

    assert [(_task(k).status.name, _task(k).priority_name, _task(k).assignee) for k in ("OPS-1", "OPS-2", "OPS-3")] == [
        ("In progress", "urgent", user),
        ("To do", "none", None),
        ("In progress", "urgent", user),
    ]


def test_bulk_edit_is_all_or_nothing(client_in: Client, user: Any, workspace: Any, project: Project) -> None:
    services.workflow_replace(
        actor=user,
        project=project,
        statuses=[StatusSpec("To do", "todo"), StatusSpec("Doing", "in_progress", wip_limit=1)],
        transitions=[],
    )
    services.task_create(actor=user, project=project, title="One")
    services.task_create(actor=user, project=project, title="Two")

    response = client_in.post(
        _list(workspace), {"action": "bulk", "op": "apply", "tasks": ["OPS-1", "OPS-2"], "status": "Doing"}, follow=True
    )

    assert [_task(k).status.name for k in ("OPS-1", "OPS-2")] == ["To do", "To do"]
    assert "Nothing was changed. OPS-2:" in response.content.decode()


def test_bulk_delete_moves_the_tasks_to_the_trash(
    client_in: Client, user: Any, workspace: Any, project: Project
) -> None:
    services.task_create(actor=user, project=project, title="One")
    services.task_create(actor=user, project=project, title="Two")

    client_in.post(_list(workspace), {"action": "bulk", "op": "delete", "tasks": ["OPS-1", "OPS-2"]})

    assert Task.objects.filter(project=project).count() == 0


# --- the task page ---------------------------------------------------------------------------


def test_the_task_page_renders_sanitised_markdown(
    client_in: Client, user: Any, workspace: Any, project: Project
) -> None:
    services.task_create(
        actor=user,
        project=project,
        title="Docs",
        description="**Bold** <script>alert(1)</script> [x](javascript:alert(1))",
    )

    content = client_in.get(_detail(workspace, "OPS-1")).content.decode()

    assert (
        '<div class="task-description"><p><strong>Bold</strong>  <a rel="noopener noreferrer nofollow">x</a></p></div>'
        in content
    )


def test_each_panel_edits_its_fields_with_the_version(
    client_in: Client, user: Any, workspace: Any, project: Project
) -> None:
    task = services.task_create(actor=user, project=project, title="Plan")
    url = _detail(workspace, "OPS-1")

    client_in.post(
        url, {"action": "details", "version": task.version, "type": "bug", "priority": "high", "assignee": user.email}
    )
    client_in.post(
        url,
        {
            "action": "plan",
            "version": task.version + 1,
            "start_date": "2027-03-01",
            "due_date": "2027-03-05",
            "estimate_hours": "1.5",
        },
    )
    client_in.post(url, {"action": "links", "version": task.version + 2, "labels": "ops, urgent", "parent": ""})
    response = client_in.post(
        url,
        {"action": "text", "version": task.version + 3, "title": "Plan it", "description": "Steps"},
        HTTP_HX_REQUEST="true",
    )

    fresh = _task("OPS-1")
    assert (fresh.type, fresh.priority_name, fresh.assignee, fresh.title, fresh.description) == (
        "bug",
        "high",
        user,
        "Plan it",
        "Steps",
    )
    assert (fresh.start_date, fresh.due_date, fresh.estimate_minutes) == (
        datetime.date(2027, 3, 1),
        datetime.date(2027, 3, 5),
        90,
    )
    assert sorted(label.name for label in fresh.labels.all()) == ["ops", "urgent"]
    assert response.content.decode().lstrip().startswith('<div id="task-page"')


def test_a_stale_version_says_changed_elsewhere_and_changes_nothing(
    client_in: Client, user: Any, workspace: Any, project: Project
) -> None:
    task = services.task_create(actor=user, project=project, title="Old")
    services.task_update(actor=user, task=task, title="Changed meanwhile")

    response = client_in.post(
        _detail(workspace, "OPS-1"), {"action": "text", "version": task.version, "title": "Mine", "description": ""}
    )

    assert response.status_code == 422
    assert "changed elsewhere — reload" in response.content.decode()
    assert _task("OPS-1").title == "Changed meanwhile"


def test_a_move_the_workflow_forbids_is_explained_on_the_status_panel(
    client_in: Client, user: Any, workspace: Any, project: Project
) -> None:
    services.workflow_replace(
        actor=user,
        project=project,
        statuses=[StatusSpec("To do", "todo"), StatusSpec("Doing", "in_progress"), StatusSpec("Done", "done")],
        transitions=[("To do", "Doing"), ("Doing", "Done")],
    )
    task = services.task_create(actor=user, project=project, title="Step")

    page = client_in.get(_detail(workspace, "OPS-1"))
    response = client_in.post(
        _detail(workspace, "OPS-1"),
        {"action": "status", "version": task.version, "status": "Done"},
        HTTP_HX_REQUEST="true",
    )

    assert [(s.name, allowed) for s, allowed in page.context["status_options"]] == [
        ("To do", True),
        ("Doing", True),
        ("Done", False),
    ]
    assert response.status_code == 200
    assert "does not allow moving OPS-1 from &#x27;To do&#x27; to &#x27;Done&#x27;" in response.content.decode()
    assert _task("OPS-1").status.name == "To do"


def test_subtasks_are_added_from_the_task_page(client_in: Client, user: Any, workspace: Any, project: Project) -> None:
    services.task_create(actor=user, project=project, title="Parent")

    client_in.post(_detail(workspace, "OPS-1"), {"action": "subtask", "title": "Child"})
    page = client_in.get(_detail(workspace, "OPS-2"))

    assert _task("OPS-2").parent == _task("OPS-1")
    assert [t.key for t in client_in.get(_detail(workspace, "OPS-1")).context["subtasks"]] == ["OPS-2"]
    assert "Subtask of" in page.content.decode()


def test_the_history_tells_moves_and_date_changes_in_sentences(
    client_in: Client, user: Any, workspace: Any, project: Project, run_events: Any
) -> None:
    with run_events():
        task = services.task_create(actor=user, project=project, title="Ship", due_date=datetime.date(2026, 12, 3))
    with run_events():
        task = services.task_update(actor=user, task=task, status="In progress", due_date=datetime.date(2026, 12, 5))

    content = client_in.get(_detail(workspace, "OPS-1")).content.decode()

    assert (
        "moved <strong>OPS-1</strong> from <strong>To do</strong> to <strong>In progress</strong> and changed the "
        "due date from <strong>3 Dec</strong> to <strong>5 Dec</strong>"
    ) in content
    assert "created <strong>OPS-1 Ship</strong>" in content


# --- trash, access ---------------------------------------------------------------------------


def test_delete_to_trash_then_restore(client_in: Client, user: Any, workspace: Any, project: Project) -> None:
    services.task_create(actor=user, project=project, title="Oops")
    trash = reverse("project_trash", kwargs={"ws": workspace.slug, "key": "OPS"})

    deleted = client_in.post(_detail(workspace, "OPS-1"), {"action": "delete"})
    assert deleted["Location"] == _list(workspace)
    assert client_in.get(_detail(workspace, "OPS-1")).status_code == 404
    assert [t.key for t in client_in.get(trash).context["trashed"]] == ["OPS-1"]

    client_in.post(trash, {"task": "OPS-1"})

    assert _task("OPS-1").deleted_at is None
    assert client_in.get(trash).context["trashed"] == []


def test_another_workspaces_tasks_are_not_found(client_in: Client, workspace: Any) -> None:
    stranger = factories.make_user()
    theirs = factories.make_workspace(owner=stranger)
    services.task_create(
        actor=stranger,
        project=services.project_create(actor=stranger, workspace=theirs, key="SEC", name="Secret"),
        title="Hidden",
    )

    assert client_in.get(_detail(theirs, "SEC-1")).status_code == 404
    assert client_in.get(_detail(workspace, "SEC-1")).status_code == 404
    response = client_in.post(_detail(workspace, "SEC-1"), {"action": "delete"})
    assert response.status_code == 404
    assert _task("SEC-1").deleted_at is None


def test_a_guest_can_read_but_not_write(client: Client, user: Any, workspace: Any, project: Project) -> None:
    task = services.task_create(actor=user, project=project, title="Read only")
    guest = factories.make_user()
    factories.add_member(workspace, guest, role=Role.GUEST)
    client.force_login(guest)
    assert client.get(_list(workspace)).status_code == 404  # not shared with them yet
    ProjectMember.objects.create(project=project, user=guest, role="viewer")  # shared with them: read only

    assert client.get(_list(workspace)).status_code == 200
    page = client.get(_detail(workspace, "OPS-1"))
    assert page.status_code == 200
    assert 'name="action" value="status"' not in page.content.decode()

    edit = client.post(_detail(workspace, "OPS-1"), {"action": "text", "version": task.version, "title": "Mine"})
    add = client.post(_list(workspace), {"action": "quick_add", "title": "Sneaky"})
    bulk = client.post(_list(workspace), {"action": "bulk", "op": "delete", "tasks": ["OPS-1"]})
    delete = client.post(_detail(workspace, "OPS-1"), {"action": "delete"})

    assert (edit.status_code, add.status_code, bulk.status_code, delete.status_code) == (403, 403, 403, 403)
    assert list(Task.all_objects.filter(project=project).values_list("title", "deleted_at")) == [("Read only", None)]


def test_moves_labels_and_restores_read_as_sentences() -> None:
    from types import SimpleNamespace

    from labora.web import activity_text

    def entry(name: str, **kw: object) -> SimpleNamespace:
        base = {
            "name": name,
            "actor": SimpleNamespace(display_name="Olivia", email="o@x"),
            "target_label": "",
            "data": {},
            "changes": {},
        }
        base.update(kw)
        return SimpleNamespace(**base)

    assert activity_text.sentence_text(entry("task.moved", target_label="OPS-3", data={"task": "OPS-3"})).startswith(
        "Olivia reordered OPS-3"
    )
    assert activity_text.sentence_text(entry("label.updated", changes={"name": ["bug", "defect"]})) == (
        "Olivia renamed the label bug to defect"
    )
    assert activity_text.sentence_text(entry("project.restored", target_label="Website")) == (
        "Olivia restored the project Website from the trash"
    )
