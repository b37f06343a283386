"""Project and task pages in a real browser: create a project, quick-add tasks, filter with the
query language (and see a broken query explained inline), bulk edit, change a status in place."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from playwright.sync_api import expect

from labora.work import services
from labora.work.models import Task
from tests import factories
from tests.e2e.conftest import login, shot


def _seed() -> Any:
    owner = factories.make_user(email="olivia@example.com", name="Olivia Owner")
    workspace = factories.make_workspace(owner=owner, slug="acme", name="Acme")
    factories.add_member(workspace, factories.make_user(email="bob@example.com", name="Bob Builder"))
    return workspace


def _rows(page: Any) -> Any:
    return page.locator("#task-table tbody tr[data-task-row]")


def test_projects_and_tasks_end_to_end(page: Any, live_server: Any) -> None:
    _seed()
    login(page, live_server, "olivia@example.com", factories.PASSWORD)

    # Create a project from the (empty) project list.
    page.goto(f"{live_server.url}{reverse('project_list', kwargs={'ws': 'acme'})}")
    shot(page, "work-projects-empty")
    page.click("a:has-text('New project') >> nth=0")
    page.fill("input[name=key]", "OPS")
    page.fill("input[name=name]", "Operations")
    page.select_option("select[name=lead]", "olivia@example.com")
    shot(page, "work-project-create")
    with page.expect_navigation():
        page.click("button:has-text('Create project')")
    assert page.url.endswith("/w/acme/projects/OPS/")

    # Quick add three tasks with Enter.
    for title in ("Rotate the API keys", "Renew the TLS certificate", "Write the backup runbook"):
        page.fill("#quick-add-title", title)
        with page.expect_navigation():
            page.press("#quick-add-title", "Enter")
    assert _rows(page).count() == 3
    assert page.evaluate("document.activeElement.id") == "quick-add-title"

    # Filter as you type: the table shrinks without a reload.
    page.locator("#task-q").press_sequentially("renew", delay=40)
    expect(_rows(page)).to_have_count(1)
    assert "Renew the TLS certificate" in _rows(page).first.inner_text()
    # A broken query is explained under the box, with no error page.
    page.fill("#task-q", "status:open due")
    page.locator("#task-q").press_sequentially("<")
    page.locator("#task-q-error").wait_for(state="visible")
    assert "Expected a value after 'due<'" in page.locator("#task-q-error").inner_text()
    shot(page, "work-task-list-query-error")
    page.fill("#task-q", "")
    page.locator("#task-q").press("End")  # a key up: the search runs
    expect(_rows(page)).to_have_count(3)

    # Bulk edit: select two tasks with the keyboard (j, x) and the mouse, move them to In progress.
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.check("input[data-select][value='OPS-3']")
    page.locator("#bulk-form").wait_for(state="visible")
    assert page.locator("#bulk-form").inner_text().startswith("2 tasks selected")
    page.select_option("#bulk-status", "In progress")
    shot(page, "work-task-list-bulk")
    with page.expect_navigation():
        page.click("#bulk-form button:has-text('Apply')")
    statuses = dict(Task.objects.values_list("number", "status__name"))
    assert statuses == {1: "In progress", 2: "To do", 3: "In progress"}
    shot(page, "work-task-list")

    # Open the task's own page (a click in the list opens the side panel: tests/e2e/test_views.py)
    # and move it to Done in place.
    page.goto(f"{live_server.url}/w/acme/tasks/OPS-2/")
    page.select_option("#task-status", "Done")
    page.locator("#task-page .badge-success", has_text="Done").first.wait_for(state="visible")
    page.locator("#task-history", has_text="from To do to Done").wait_for(state="visible")
    assert Task.objects.get(number=2).status.name == "Done"
    shot(page, "work-task-detail")

    # The project list counts open and total tasks.
    page.click("nav[aria-label=Workspace] a:has-text('Projects')")
    assert page.locator("#project-OPS").inner_text().split("\t")[4:6] == ["2", "3"]
    shot(page, "work-projects")
    assert not page.js_errors


def test_a_busy_list_grouped_by_status_and_the_settings_page(page: Any, live_server: Any) -> None:
    workspace = _seed()
    owner = workspace.memberships.get(role="owner").user
    project = services.project_create(actor=owner, workspace=workspace, key="WEB", name="Website relaunch")
    today = datetime.date.today()
    for title, status, priority, assignee, due, labels in (
        (
            "Design the landing page",
            "In progress",
            "high",
            "bob@example.com",
            today - datetime.timedelta(days=2),
            ["design"],
        ),
        ("Write the copy", "To do", "medium", "olivia@example.com", today + datetime.timedelta(days=5), []),
        ("Set up analytics", "Backlog", "low", None, None, ["infra", "tracking"]),
        ("Fix the 404 page", "In review", "urgent", "bob@example.com", today, ["bug"]),
        ("Launch", "Done", "none", "olivia@example.com", today - datetime.timedelta(days=1), []),
    ):
        services.task_create(
            actor=owner,
            project=project,
            title=title,
            status=status,
            priority=priority,
            assignee=assignee,
            due_date=due,
            labels=labels,
        )
    login(page, live_server, "olivia@example.com", factories.PASSWORD)

    page.goto(f"{live_server.url}{reverse('project_tasks', kwargs={'ws': 'acme', 'key': 'WEB'})}?group=status")
    expect(_rows(page)).to_have_count(5)
    # Overdue and open is marked (the owner sees the due date as an inline editor); late but done is not.
    assert page.locator("#task-WEB-1 .is-overdue, #task-WEB-1 time.badge-danger").count() == 1
    assert page.locator("#task-WEB-5 .is-overdue, #task-WEB-5 time.badge-danger").count() == 0
    shot(page, "work-task-list-grouped")

    page.goto(f"{live_server.url}{reverse('project_settings', kwargs={'ws': 'acme', 'key': 'WEB'})}")
    expect(page.locator("#workflow-table tbody tr")).to_have_count(6)
    shot(page, "work-project-settings")
    assert not page.js_errors
