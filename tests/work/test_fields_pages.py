"""The task page's field panels: checklist, custom fields, collaborators, watchers, estimates, roll-up."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from labora.work import selectors, services
from labora.work.models import ChecklistItem, Project, ProjectMember, Task
from labora.work.services import checklist as checklist_services
from labora.work.services import fields as field_services
from labora.workspaces.models import Role
from tests import factories


@pytest.fixture
def project(user: Any, workspace: Any) -> Project:
    return services.project_create(actor=user, workspace=workspace, key="OPS", name="Operations")


@pytest.fixture
def task(user: Any, project: Project) -> Task:
    return services.task_create(actor=user, project=project, title="Launch")


def _url(workspace: Any, key: str = "OPS-1") -> str:
    return reverse("task_detail", kwargs={"ws": workspace.slug, "task_key": key})


def test_checklist_items_are_added_ticked_moved_and_deleted(
    client_in: Client, user: Any, workspace: Any, task: Task
) -> None:
    url = _url(workspace)
    for text in ("Draft", "Review"):
        assert client_in.post(url, {"action": "check_add", "text": text}).status_code == 302
    first, second = ChecklistItem.objects.order_by("rank")
    client_in.post(url, {"action": "check_toggle", "item": second.public_id, "version": 1})
    client_in.post(url, {"action": "check_move", "item": second.public_id, "version": 2, "before": first.public_id})
    assert [(i.text, i.done) for i in selectors.checklist(task=task)] == [("Review", True), ("Draft", False)]

    page = client_in.get(url)
    assert page.context["checklist_done"] == 1
    assert 'id="checklist-count">1/2<' in page.content.decode()

    client_in.post(url, {"action": "check_delete", "item": first.public_id, "version": 1})
    assert [i.text for i in selectors.checklist(task=task)] == ["Review"]


def test_a_stale_tick_is_explained(client_in: Client, user: Any, workspace: Any, task: Task) -> None:
    item = checklist_services.checklist_item_add(actor=user, task=task, text="Draft")
    checklist_services.checklist_item_update(actor=user, item=item, text="Draft it")
    response = client_in.post(
        _url(workspace), {"action": "check_toggle", "item": item.public_id, "version": 1}, HTTP_HX_REQUEST="true"
    )
    assert "changed" in response.context["errors"]["checklist"]
    assert ChecklistItem.objects.get(pk=item.pk).done is False


def test_custom_fields_are_shown_and_edited(client_in: Client, user: Any, workspace: Any, task: Task) -> None:
    severity = field_services.custom_field_create(
        actor=user, project=task.project, name="Severity", type="select", options=["Low", "High"]
    )
    points = field_services.custom_field_create(actor=user, project=task.project, name="Points", type="number")
    url = _url(workspace)
    response = client_in.post(
        url,
        {"action": "fields", "version": 1, f"cf_{severity.public_id}": "High", f"cf_{points.public_id}": "3"},
    )
    assert response.status_code == 302
    assert selectors.attach_custom_values([Task.objects.get(pk=task.pk)])[0].custom_values == {  # type: ignore[attr-defined]
        "Severity": "High",
        "Points": 3,
    }
    html = client_in.get(url).content.decode()
    assert 'id="task-custom-fields"' in html
    assert '<option value="High" selected>High</option>' in html


def test_details_set_collaborators_and_custom_types(client_in: Client, user: Any, workspace: Any, task: Task) -> None:
    other = factories.add_member(workspace).user
    field_services.project_types_replace(actor=user, project=task.project, types=["Story"])
    response = client_in.post(
        _url(workspace),
        {
            "action": "details",
            "version": 1,
            "type": "Story",
            "priority": "high",
            "assignee": "",
            "collaborators": [other.email],
        },
    )
    assert response.status_code == 302, response.content
    fresh = Task.objects.get(pk=task.pk)
    assert (fresh.type, list(fresh.collaborators.all())) == ("Story", [other])


def test_a_three_point_estimate_without_an_estimate_takes_pert(client_in: Client, workspace: Any, task: Task) -> None:
    response = client_in.post(
        _url(workspace),
        {
            "action": "plan",
            "version": 1,
            "estimate_hours": "",
            "estimate_optimistic_hours": "1",
            "estimate_likely_hours": "2",
            "estimate_pessimistic_hours": "9",
        },
    )
    assert response.status_code == 302
    assert Task.objects.get(pk=task.pk).estimate_minutes == 180


def test_watching_from_the_page(client_in: Client, workspace: Any, task: Task, user: Any) -> None:
    client_in.post(_url(workspace), {"action": "unwatch"})
    assert not task.watchers.filter(pk=user.pk).exists()
    client_in.post(_url(workspace), {"action": "watch"})
    assert task.watchers.filter(pk=user.pk).exists()


def test_a_parent_shows_its_roll_up(client_in: Client, user: Any, workspace: Any, task: Task) -> None:
    services.task_create(actor=user, project=task.project, title="A", parent=task.key, estimate_hours=1, status="Done")
    services.task_create(actor=user, project=task.project, title="B", parent=task.key, estimate_hours=3)
    html = client_in.get(_url(workspace)).content.decode()
    assert 'id="task-rollup"' in html
    assert "<strong>25%</strong> · 4.0 h in all" in html


def test_a_project_viewer_sees_custom_values_but_no_forms(
    client: Client, user: Any, workspace: Any, project: Project, task: Task
) -> None:
    field_services.custom_field_create(actor=user, project=project, name="Customer", type="text")
    services.task_update(actor=user, task=task, custom_fields={"Customer": "ACME"})
    viewer = factories.add_member(workspace, role=Role.MEMBER).user
    ProjectMember.objects.create(project=project, user=viewer, role="viewer")  # set-up, like add_member
    client.force_login(viewer)
    response = client.get(_url(workspace))
    html = response.content.decode()
    assert response.context["can_write"] is False
    assert "<dt>Customer</dt><dd>ACME</dd>" in html
    assert 'id="checklist-add"' not in html
