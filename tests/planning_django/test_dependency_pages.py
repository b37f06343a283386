"""The task page's "Dependencies" section (planning/views/dependencies.py) and the Gantt page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from labora.core.models import DomainEvent
from labora.planning.models import Dependency
from labora.work import services as work_services
from labora.work.models import Project, Task
from tests import factories

HX = {"HTTP_HX_REQUEST": "true"}
DEPS = "/w/acme/tasks/{key}/dependencies/"


@pytest.fixture
def browser(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def abc(make_task: Any, link: Any) -> dict[str, Task]:
    a, b, c = make_task("Write the brief", 2), make_task("Review it", 1), make_task("Ship", 1)
    link(a, b)
    return {"A": a, "B": b, "C": c}


def _post(client: Client, key: str, **data: Any) -> Any:
    return client.post(DEPS.format(key=key), data, **HX)


def test_the_section_lists_both_directions_with_type_and_lag(
    browser: Client, abc: dict[str, Task], link: Any, django_assert_max_num_queries: Any
) -> None:
    link(abc["B"], abc["C"], "SS", 2)
    with django_assert_max_num_queries(13):  # 12 + the task's plan (its constraint)
        response = browser.get(DEPS.format(key="PLN-2"), **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="deps-predecessors"' in html
    assert 'data-task="PLN-1"' in html
    assert 'id="deps-successors"' in html
    assert 'data-task="PLN-3"' in html
    assert "SS +2d" in html
    assert 'id="deps-add-form"' in html


def test_adding_a_predecessor_links_records_the_event_and_rerenders(browser: Client, abc: dict[str, Task]) -> None:
    response = _post(browser, "PLN-3", action="add", other="pln-2", direction="predecessor", type="FF", lag_days="-1")
    assert response.status_code == 200
    dep = Dependency.objects.get(predecessor=abc["B"], successor=abc["C"])
    assert (dep.type, dep.lag_days) == ("FF", -1)
    assert DomainEvent.objects.filter(name="dependency.created").count() == 2
    html = response.content.decode()
    assert "PLN-3 now waits for PLN-2." in html
    assert "FF -1d" in html


def test_adding_a_successor_makes_the_other_task_wait(browser: Client, abc: dict[str, Task]) -> None:
    _post(browser, "PLN-1", action="add", other="PLN-3", direction="successor", type="FS", lag_days="0")
    assert Dependency.objects.filter(predecessor=abc["A"], successor=abc["C"]).exists()


def test_a_cycle_is_refused_inline_naming_the_tasks_and_nothing_is_written(
    browser: Client, abc: dict[str, Task]
) -> None:
    before = (Dependency.objects.count(), DomainEvent.objects.count())
    response = _post(browser, "PLN-1", action="add", other="PLN-2", direction="predecessor", type="FS", lag_days="0")
    html = response.content.decode()
    assert 'id="deps-error"' in html
    assert "This dependency would close a cycle: PLN-" in html
    assert "PLN-1 → PLN-2" in html or "PLN-2 → PLN-1" in html
    assert 'value="PLN-2"' in html  # what was typed stays in the field
    assert (Dependency.objects.count(), DomainEvent.objects.count()) == before


def test_a_task_of_another_project_or_workspace_is_refused_inline(
    browser: Client, user: Any, workspace: Any, abc: dict[str, Task]
) -> None:
    other = work_services.project_create(actor=user, workspace=workspace, key="OTH", name="Other")
    work_services.task_create(actor=user, project=other, title="Elsewhere")
    html = _post(browser, "PLN-1", action="add", other="OTH-1", type="FS").content.decode()
    assert "is in project OTH" in html
    assert 'id="deps-error"' in html
    stranger = factories.make_user(email="s@example.com")
    far = factories.make_workspace(owner=stranger, slug="far", name="Far")
    far_project = work_services.project_create(actor=stranger, workspace=far, key="FAR", name="Far")
    work_services.task_create(actor=stranger, project=far_project, title="Not yours")
    html = _post(browser, "PLN-1", action="add", other="FAR-1", type="FS").content.decode()
    assert "There is no task FAR-1 in this workspace" in html
    html = _post(browser, "PLN-1", action="add", other="FAR-1", direction="successor", type="FS").content.decode()
    assert "There is no task FAR-1 in this workspace" in html
    assert Dependency.objects.count() == 1


def test_a_bad_lag_says_how_to_fix_it(browser: Client, abc: dict[str, Task]) -> None:
    html = _post(browser, "PLN-3", action="add", other="PLN-1", type="FS", lag_days="two").content.decode()
    assert "whole number of working days" in html
    assert not Dependency.objects.filter(successor=abc["C"]).exists()


def test_changing_and_removing_a_link(browser: Client, abc: dict[str, Task]) -> None:
    dep = Dependency.objects.get()
    html = _post(
        browser, "PLN-2", action="update", dependency=dep.public_id, version=str(dep.version), type="SS", lag_days="3"
    ).content.decode()
    dep.refresh_from_db()
    assert (dep.type, dep.lag_days, dep.version) == ("SS", 3, 2)
    assert "SS +3d" in html
    stale = _post(browser, "PLN-2", action="update", dependency=dep.public_id, version="1", type="FF", lag_days="0")
    assert "changed by someone else" in stale.content.decode()
    dep.refresh_from_db()
    assert dep.type == "SS"
    html = _post(browser, "PLN-1", action="remove", dependency=dep.public_id).content.decode()
    assert "Removed PLN-1 → PLN-2." in html
    assert not Dependency.objects.exists()
    assert DomainEvent.objects.filter(name="dependency.deleted").count() == 1


def test_viewers_see_the_links_but_no_forms_and_cannot_post(
    viewer: Any, abc: dict[str, Task], project: Project
) -> None:
    client = Client()
    client.force_login(viewer)
    html = client.get(DEPS.format(key="PLN-2"), **HX).content.decode()
    assert 'data-task="PLN-1"' in html
    assert "deps-add-form" not in html
    response = client.post(DEPS.format(key="PLN-3"), {"action": "add", "other": "PLN-1"})
    assert response.status_code == 403
    assert Dependency.objects.count() == 1


def test_outsiders_get_404(abc: dict[str, Task]) -> None:
    stranger = factories.make_user(email="stranger@example.com")
    factories.make_workspace(owner=stranger, slug="other", name="Other")
    client = Client()
    client.force_login(stranger)
    assert client.get(DEPS.format(key="PLN-2")).status_code == 404
    assert client.post(DEPS.format(key="PLN-2"), {"action": "add", "other": "PLN-3"}).status_code == 404
    assert client.get("/w/acme/tasks/PLN-2/dependencies/pick/?other=R").status_code == 404
    assert client.get("/w/acme/projects/PLN/gantt/").status_code == 404
    assert Dependency.objects.count() == 1


def test_the_picker_finds_tasks_of_the_project_by_title_or_number(
    browser: Client, abc: dict[str, Task], django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(12):  # session, user, workspace, membership, task, role: then one
        html = browser.get("/w/acme/tasks/PLN-2/dependencies/pick/?other=ship", **HX).content.decode()
    assert '<option value="PLN-3">' in html
    assert "PLN-1" not in html
    html = browser.get("/w/acme/tasks/PLN-2/dependencies/pick/?other=PLN-1", **HX).content.decode()
    assert '<option value="PLN-1">' in html
    html = browser.get("/w/acme/tasks/PLN-2/dependencies/pick/?other=", **HX).content.decode()
    assert 'value="PLN-2"' not in html  # never the task itself


def test_without_htmx_a_post_redirects_to_the_task_with_a_message(browser: Client, abc: dict[str, Task]) -> None:
    response = browser.post(DEPS.format(key="PLN-3"), {"action": "add", "other": "PLN-2", "type": "FS"})
    assert response.status_code == 302
    assert response["Location"] == "/w/acme/tasks/PLN-3/"
    assert Dependency.objects.filter(successor=abc["C"]).exists()


def test_the_task_page_loads_the_section_lazily(browser: Client, abc: dict[str, Task]) -> None:
    html = browser.get("/w/acme/tasks/PLN-2/").content.decode()
    assert 'hx-get="/w/acme/tasks/PLN-2/dependencies/"' in html


def test_the_gantt_page_renders_its_shell(browser: Client, abc: dict[str, Task], user: Any, project: Project) -> None:
    from labora.planning import services

    services.baseline_create(actor=user, project=project, name="Kick-off")
    response = browser.get("/w/acme/projects/PLN/gantt/?zoom=month")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-url="/api/v1/workspaces/acme/projects/PLN/gantt"' in html
    assert 'data-zoom="month"' in html
    assert "data-can-write" in html
    assert "data-can-link" in html
    assert "Baseline: Kick-off" in html
    assert "data-gantt-schedule" in html
    assert 'aria-current="page">Gantt</a>' in html
    assert "style=" not in html.split('id="gantt"', 1)[1].split("</main>", 1)[0]


def test_viewers_get_a_read_only_gantt(viewer: Any, abc: dict[str, Task]) -> None:
    client = Client()
    client.force_login(viewer)
    html = client.get("/w/acme/projects/PLN/gantt/").content.decode()
    assert "data-can-write" not in html
    assert "data-can-link" not in html
    assert "data-gantt-schedule" not in html


def test_the_section_shows_a_move_pin_and_clearing_it_reschedules_as_soon_as_possible(
    browser: Client, user: Any, abc: dict[str, Task]
) -> None:
    import datetime

    from labora.planning import services
    from labora.planning.models import TaskPlan

    # given C pinned by a move ("start no earlier than" Monday 13 January)
    services.task_plan_update(
        actor=user, task=abc["C"], constraint_type="SNET", constraint_date=datetime.date(2025, 1, 13)
    )
    html = browser.get(DEPS.format(key="PLN-3"), **HX).content.decode()
    assert 'id="task-constraint-now"' in html
    assert "Start no earlier than Mon 13 Jan 2025" in html
    assert 'id="task-constraint-clear"' in html
    # when the user clears it
    response = _post(browser, "PLN-3", action="constraint", version="1", clear="1")
    # then the task is as soon as possible again, with one event
    assert response.status_code == 200
    plan = TaskPlan.objects.get(task=abc["C"])
    assert (plan.constraint_type, plan.constraint_date, plan.version) == ("ASAP", None, 2)
    assert DomainEvent.objects.filter(name="task_plan.updated").count() == 2
    html = response.content.decode()
    assert 'id="task-constraint-none"' in html
    assert "scheduled as soon as possible again" in html


def test_a_stale_constraint_change_is_refused_inline_and_changes_nothing(
    browser: Client, user: Any, abc: dict[str, Task]
) -> None:
    import datetime

    from labora.planning import services
    from labora.planning.models import TaskPlan

    services.task_plan_update(
        actor=user, task=abc["C"], constraint_type="SNET", constraint_date=datetime.date(2025, 1, 13)
    )
    response = _post(
        browser, "PLN-3", action="constraint", version="0", constraint_type="FNLT", constraint_date="2025-02-03"
    )
    assert response.status_code == 200
    assert "changed by someone else" in response.content.decode()
    plan = TaskPlan.objects.get(task=abc["C"])
    assert (plan.constraint_type, plan.constraint_date) == ("SNET", datetime.date(2025, 1, 13))


def test_a_viewer_sees_the_constraint_but_no_form(viewer: Any, abc: dict[str, Task]) -> None:
    client = Client()
    client.force_login(viewer)
    html = client.get(DEPS.format(key="PLN-3"), **HX).content.decode()
    assert 'id="task-constraint-none"' in html
    assert 'id="task-constraint-form"' not in html
