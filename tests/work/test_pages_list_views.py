"""The list's newer parts: grouping by label and due week, cells edited in place, bulk labels,
due dates and moves to another project, saved views, the side panel, the workflow editor."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client

from labora.core.models import DomainEvent
from labora.work import services
from labora.work.models import Project, ProjectMember, ProjectRole, SavedView, Status, Task, Transition
from labora.work.services import StatusSpec
from labora.work.services import saved_views as sv
from labora.workspaces.models import Role
from tests import factories

LIST = "/w/acme/projects/OPS/"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def project(user: Any, workspace: Any) -> Project:
    project = services.project_create(actor=user, workspace=workspace, key="OPS", name="Operations")
    services.workflow_replace(
        actor=user,
        project=project,
        statuses=[StatusSpec("To do", "todo"), StatusSpec("Doing", "in_progress"), StatusSpec("Done", "done")],
        transitions=[("To do", "Doing"), ("Doing", "Done"), ("Doing", "To do")],
    )
    return project


def _add(user: Any, project: Project, title: str, **kwargs: Any) -> Task:
    return services.task_create(actor=user, project=project, title=title, **kwargs)


def _task(key: str) -> Task:
    project_key, number = key.split("-")
    return Task.objects.select_related("status", "assignee").get(project__key=project_key, number=int(number))


def _groups(response: Any) -> list[tuple[str, list[str]]]:
    return [(g["heading"], [r["task"].key for r in g["rows"]]) for g in response.context["groups"]]


# --- grouping --------------------------------------------------------------------------------


def test_group_by_label_lists_a_task_under_each_of_its_labels(client_in: Client, user: Any, project: Project) -> None:
    _add(user, project, "Both", labels=["ui", "bug"])
    _add(user, project, "Bug only", labels=["bug"])
    _add(user, project, "Bare")

    response = client_in.get(LIST, {"group": "label"})

    assert _groups(response) == [("bug", ["OPS-1", "OPS-2"]), ("ui", ["OPS-1"]), ("No label", ["OPS-3"])]
    html = response.content.decode()
    assert html.count('id="task-OPS-1"') == 1  # the repeated row carries no id
    assert html.count('data-key="OPS-1"') == 2


def test_group_by_due_week_from_monday_undated_last(client_in: Client, user: Any, project: Project) -> None:
    today = datetime.date.today()
    monday = today - datetime.timedelta(days=today.weekday())
    _add(user, project, "Next week", due_date=monday + datetime.timedelta(days=8))
    _add(user, project, "Undated")
    _add(user, project, "This week", due_date=monday + datetime.timedelta(days=1))
    _add(user, project, "Also this week", due_date=monday)

    response = client_in.get(LIST, {"group": "due_week"})

    groups = _groups(response)
    assert [keys for _, keys in groups] == [["OPS-3", "OPS-4"], ["OPS-1"], ["OPS-2"]]
    assert groups[0][0].startswith("This week (from Mon")
    assert groups[1][0].startswith("Next week (from Mon")
    assert groups[2][0] == "No due date"


@pytest.mark.parametrize("group", ["label", "due_week"])
def test_grouped_lists_take_a_constant_number_of_queries(
    client_in: Client, user: Any, project: Project, django_assert_max_num_queries: Any, group: str
) -> None:
    def load() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            response = client_in.get(LIST, {"group": group})
        assert response.status_code == 200
        return len(ctx.captured_queries)

    for i in range(5):
        _add(user, project, f"A{i}", labels=["a", "b"], due_date=datetime.date(2026, 3, 2 + i))
    load()
    few = load()
    for i in range(40):
        _add(user, project, f"B{i}", labels=[f"l{i % 7}"], due_date=datetime.date(2026, 4, 1 + i % 28))
    assert load() == few


# --- cells edited in place -------------------------------------------------------------------


def _cell(client: Client, key: str, field: str, value: str, version: int) -> Any:
    return client.post(f"/w/acme/tasks/{key}/cell/", {"field": field, "value": value, "version": str(version)}, **HTMX)


def test_a_cell_edit_answers_the_row_with_the_new_version(client_in: Client, user: Any, project: Project) -> None:
    _add(user, project, "Fix it")

    response = _cell(client_in, "OPS-1", "priority", "high", 1)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<tr id="task-OPS-1"')
    assert '"version": "2"' in html
    assert _task("OPS-1").priority_name == "high"

    _cell(client_in, "OPS-1", "status", "Doing", 2)
    _cell(client_in, "OPS-1", "assignee", user.email, 3)
    _cell(client_in, "OPS-1", "due_date", "2026-05-04", 4)
    task = _task("OPS-1")
    assert (task.status.name, task.assignee, task.due_date, task.version) == (
        "Doing",
        user,
        datetime.date(2026, 5, 4),
        5,
    )
    _cell(client_in, "OPS-1", "assignee", "", 5)
    _cell(client_in, "OPS-1", "due_date", "", 6)
    assert (_task("OPS-1").assignee, _task("OPS-1").due_date) == (None, None)


def test_a_stale_cell_edit_changes_nothing_and_says_so_in_the_cell(
    client_in: Client, user: Any, project: Project
) -> None:
    task = _add(user, project, "Fix it")
    services.task_update(actor=user, task=task, priority="low")  # version 2 elsewhere

    response = _cell(client_in, "OPS-1", "priority", "urgent", 1)

    html = response.content.decode()
    assert 'class="cell-error" role="alert">OPS-1 was changed elsewhere' in html
    assert _task("OPS-1").priority_name == "low"
    assert '"version": "2"' in html  # the row now carries the current version


def test_a_refused_status_move_is_explained_in_the_cell(client_in: Client, user: Any, project: Project) -> None:
    _add(user, project, "Fix it")

    response = _cell(client_in, "OPS-1", "status", "Done", 1)

    html = response.content.decode()
    assert "cell-edit has-error" in html
    assert "does not allow moving OPS-1 from &#x27;To do&#x27; to &#x27;Done&#x27;" in html
    assert _task("OPS-1").status.name == "To do"
    # the select offers the allowed moves only
    options = re.findall(r'<option value="([^"]+)"( selected)?( disabled)?>', html)
    assert ("Done", "", " disabled") in options
    assert ("Doing", "", "") in options


def test_a_bad_date_in_a_cell_is_refused_with_the_format(client_in: Client, user: Any, project: Project) -> None:
    _add(user, project, "Fix it")
    response = _cell(client_in, "OPS-1", "due_date", "next tuesday", 1)
    assert "write it YYYY-MM-DD" in response.content.decode()
    assert _task("OPS-1").version == 1


def test_a_viewer_cannot_edit_cells(user: Any, workspace: Any, project: Project) -> None:
    _add(user, project, "Fix it")
    viewer = factories.add_member(workspace, role=Role.MEMBER).user
    ProjectMember.objects.create(project=project, user=viewer, role=ProjectRole.VIEWER)
    client = Client()
    client.force_login(viewer)
    assert "cell-select" not in client.get(LIST).content.decode()
    response = client.post("/w/acme/tasks/OPS-1/cell/", {"field": "priority", "value": "high", "version": "1"})
    assert response.status_code == 403
    assert _task("OPS-1").priority_name == "none"


# --- bulk edit: labels, due dates, move to project -------------------------------------------


def test_bulk_adds_and_removes_labels_and_sets_the_due_date(client_in: Client, user: Any, project: Project) -> None:
    _add(user, project, "One", labels=["old", "keep"])
    _add(user, project, "Two", labels=["old"])
    _add(user, project, "Three", labels=["old"])

    client_in.post(
        LIST,
        {
            "action": "bulk",
            "op": "apply",
            "tasks": ["OPS-1", "OPS-2"],
            "labels_add": "urgent, design",
            "labels_remove": "old",
            "due_date": "2026-06-01",
        },
    )

    labels = {k: sorted(label.name for label in _task(k).labels.all()) for k in ("OPS-1", "OPS-2", "OPS-3")}
    assert labels == {"OPS-1": ["design", "keep", "urgent"], "OPS-2": ["design", "urgent"], "OPS-3": ["old"]}
    assert [_task(k).due_date for k in ("OPS-1", "OPS-2", "OPS-3")] == [datetime.date(2026, 6, 1)] * 2 + [None]

    client_in.post(LIST, {"action": "bulk", "op": "apply", "tasks": ["OPS-1"], "clear_due": "on"})
    assert _task("OPS-1").due_date is None


def test_bulk_move_to_another_project(client_in: Client, user: Any, workspace: Any, project: Project) -> None:
    services.project_create(actor=user, workspace=workspace, key="WEB", name="Website")
    _add(user, project, "One")
    _add(user, project, "Two", parent="OPS-1")
    _add(user, project, "Stays")

    response = client_in.post(LIST, {"action": "bulk", "op": "move", "tasks": ["OPS-1"], "target": "WEB"}, follow=True)

    assert "Moved to WEB Website: OPS-1 → WEB-1, OPS-2 → WEB-2." in response.content.decode()
    assert sorted(Task.objects.filter(project__key="WEB").values_list("title", flat=True)) == ["One", "Two"]
    assert _task("OPS-3").title == "Stays"


def test_bulk_move_without_a_target_moves_nothing(client_in: Client, user: Any, project: Project) -> None:
    _add(user, project, "One")
    response = client_in.post(LIST, {"action": "bulk", "op": "move", "tasks": ["OPS-1"]}, follow=True)
    assert "choose the project to move the tasks to" in response.content.decode()
    assert _task("OPS-1").title == "One"


# --- saved views -----------------------------------------------------------------------------


def test_save_the_current_list_as_a_view_and_find_it_in_the_tabs(
    client_in: Client, user: Any, project: Project
) -> None:
    response = client_in.post(
        "/w/acme/projects/OPS/views/",
        {"name": "My open", "layout": "list", "q": "assignee:me status:open", "order": "-priority", "group": "label"},
    )

    view = SavedView.objects.get()
    assert (view.query, view.order, view.group_by, view.layout, view.shared) == (
        "assignee:me status:open",
        "-priority",
        "label",
        "list",
        False,
    )
    assert response.status_code == 302
    assert (
        response["Location"]
        == f"{LIST}?q=assignee%3Ame+status%3Aopen&order=-priority&group=label&view={view.public_id}"
    )
    page = client_in.get(response["Location"]).content.decode()
    assert re.search(rf'class="view-tab" href="[^"]*view={view.public_id}"[^>]*aria-current="page"', page)
    assert 'id="view-update"' not in page  # the filters are the view's own
    changed = client_in.get(LIST, {"q": "label:bug", "view": view.public_id}).content.decode()
    assert 'id="view-update"' in changed


def test_a_bad_view_is_refused_with_the_reason(client_in: Client, project: Project) -> None:
    response = client_in.post("/w/acme/projects/OPS/views/", {"name": "", "layout": "list"}, follow=True)
    assert "The view was not saved. The name cannot be empty." in response.content.decode()
    assert SavedView.objects.count() == 0


def test_rename_update_and_delete_a_view_from_the_page(client_in: Client, user: Any, project: Project) -> None:
    view = sv.saved_view_create(actor=user, project=project, name="Bugs", query="label:bug")
    url = f"/w/acme/views/{view.public_id}/"

    client_in.post(url, {"action": "rename", "name": "All bugs", "version": "1"})
    client_in.post(url, {"action": "update", "q": "label:bug status:open", "group": "assignee", "version": "2"})
    stale = client_in.post(url, {"action": "rename", "name": "Stale", "version": "1"}, follow=True)

    view.refresh_from_db()
    assert (view.name, view.query, view.group_by, view.version) == ("All bugs", "label:bug status:open", "assignee", 3)
    assert "was changed by someone else meanwhile" in stale.content.decode()

    client_in.post(url, {"action": "delete"})
    assert SavedView.objects.count() == 0


def test_others_personal_views_stay_out_of_the_tabs(user: Any, workspace: Any, project: Project) -> None:
    mia = factories.add_member(workspace, factories.make_user(email="mia@example.com"), Role.MEMBER).user
    sv.saved_view_create(actor=user, project=project, name="Olivia's own")
    sv.saved_view_create(actor=user, project=project, name="Team board", layout="board", shared=True)
    client = Client()
    client.force_login(mia)
    html = client.get(LIST).content.decode()
    assert "Olivia&#x27;s own" not in html
    assert "Olivia's own" not in html
    assert "Team board" in html  # under "Board views"
    view = SavedView.objects.get(name="Team board")
    response = client.post(f"/w/acme/views/{view.public_id}/", {"action": "delete"})
    assert response.status_code == 403
    assert SavedView.objects.filter(pk=view.pk).exists()


# --- the side panel --------------------------------------------------------------------------


def test_rows_open_the_side_panel_and_the_panel_loads_the_task_partial(
    client_in: Client, user: Any, project: Project
) -> None:
    _add(user, project, "Fix it")
    html = client_in.get(LIST).content.decode()
    assert 'id="task-panel"' in html
    assert 'data-task-url="/w/acme/tasks/__KEY__/"' in html
    assert 'data-panel-link data-task="OPS-1"' in html
    partial = client_in.get("/w/acme/tasks/OPS-1/", **HTMX).content.decode()
    assert partial.lstrip().startswith('<div id="task-page"')


# --- the workflow editor ---------------------------------------------------------------------

WORKFLOW = "/w/acme/projects/OPS/workflow/"


def _form(project: Project, **changes: Any) -> dict[str, Any]:
    """The editor's form as the page posts it, for the current workflow."""
    data: dict[str, Any] = {"version": str(Project.objects.get(pk=project.pk).version), "row": [], "t": []}
    for status in Status.objects.filter(project=project).order_by("position"):
        uid = f"s{status.pk}"
        data["row"].append(uid)
        data[f"name-{uid}"] = status.name
        data[f"category-{uid}"] = status.category
        data[f"wip-{uid}"] = str(status.wip_limit or "")
    for t in Transition.objects.filter(project=project):
        data["t"].append(f"s{t.from_status_id}>s{t.to_status_id}")
    data.update(changes)
    return data


def test_the_editor_shows_statuses_and_the_transition_matrix(client_in: Client, project: Project) -> None:
    html = client_in.get(WORKFLOW).content.decode()
    assert re.findall(r'class="input input-sm workflow-name"[^>]* value="([^"]*)"', html) == ["To do", "Doing", "Done"]
    assert len(re.findall(r'name="t" value="s\d+>s\d+" checked', html)) == 3
    assert len(re.findall(r'name="t" value=', html)) == 6  # 3 x 3 without the diagonal


def test_the_editor_saves_names_order_wip_colour_required_fields_and_moves(client_in: Client, project: Project) -> None:
    todo, doing, done = Status.objects.filter(project=project).order_by("position")
    data = _form(
        project,
        row=[f"s{doing.pk}", f"s{todo.pk}", f"s{done.pk}"],
        t=[f"s{todo.pk}>s{doing.pk}"],
        **{
            f"name-s{doing.pk}": "Building",
            f"wip-s{doing.pk}": "3",
            f"colour_on-s{doing.pk}": "on",
            f"colour-s{doing.pk}": "#16a34a",
            f"required-s{done.pk}": ["assignee", "estimate"],
            "op": "save",
        },
    )

    response = client_in.post(WORKFLOW, data, **HTMX)

    assert 'id="workflow-saved"' in response.content.decode()
    statuses = list(Status.objects.filter(project=project).order_by("position"))
    assert [(s.name, s.wip_limit, s.colour) for s in statuses] == [
        ("Building", 3, "#16a34a"),
        ("To do", None, ""),
        ("Done", None, ""),
    ]
    assert statuses[2].required_fields == ["assignee", "estimate"]
    assert [
        (t.from_status.name, t.to_status.name) for t in Transition.objects.select_related("from_status", "to_status")
    ] == [("To do", "Building")]
    assert DomainEvent.objects.filter(name="workflow.updated").count() == 2  # the fixture's and this one


def test_adding_a_row_is_a_draft_until_saved(client_in: Client, project: Project) -> None:
    response = client_in.post(WORKFLOW, _form(project, op="add"), **HTMX)
    html = response.content.decode()
    assert 'id="workflow-draft"' in html
    assert 'name="row" value="n1"' in html
    assert Status.objects.filter(project=project).count() == 3

    data = _form(project, op="save", **{"name-n1": "Review", "category-n1": "in_progress"})
    data["row"].insert(2, "n1")
    client_in.post(WORKFLOW, data, **HTMX)
    assert list(Status.objects.filter(project=project).order_by("position").values_list("name", flat=True)) == [
        "To do",
        "Doing",
        "Review",
        "Done",
    ]


def test_removing_a_status_in_use_is_refused_on_its_row(client_in: Client, user: Any, project: Project) -> None:
    _add(user, project, "Busy", status="Doing")
    doing = Status.objects.get(project=project, name="Doing")
    data = _form(project, op="save")
    data["row"].remove(f"s{doing.pk}")

    response = client_in.post(WORKFLOW, data, **HTMX)

    html = response.content.decode()
    row = re.search(rf'<tr class="workflow-row has-error" data-row="s{doing.pk}">.*?</tr>', html, re.S)
    assert row is not None
    assert "is used by 1 task" in row.group(0)
    assert Status.objects.filter(pk=doing.pk).exists()


def test_a_stale_workflow_is_not_saved(client_in: Client, user: Any, project: Project) -> None:
    data = _form(project, op="save")
    todo = Status.objects.get(project=project, name="To do")
    data[f"name-s{todo.pk}"] = "Mine"
    specs = [
        StatusSpec(s.name if s.pk != todo.pk else "Theirs", s.category, id=s.pk)
        for s in Status.objects.filter(project=project)
    ]
    services.workflow_replace(actor=user, project=project, statuses=specs, transitions=[])  # meanwhile
    response = client_in.post(WORKFLOW, data, **HTMX)
    html = response.content.decode()
    assert "Someone else changed this workflow meanwhile" in html
    assert 'value="Theirs"' in html
    assert Status.objects.get(pk=todo.pk).name == "Theirs"


def test_a_contributor_sees_the_workflow_but_cannot_change_it(workspace: Any, project: Project) -> None:
    member = factories.add_member(workspace, role=Role.MEMBER).user
    client = Client()
    client.force_login(member)
    html = client.get(WORKFLOW).content.decode()
    assert 'id="workflow-save"' not in html
    response = client.post(WORKFLOW, _form(project, op="save", **{"name-x": "y"}))
    assert response.status_code == 403
    assert Status.objects.filter(project=project).count() == 3
