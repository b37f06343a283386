"""My work in a browser: my open tasks grouped by due date, overdue ones in red."""

from __future__ import annotations

import datetime
from typing import Any

from labora.work import query_compiler, services
from tests import factories
from tests.e2e.conftest import login, shot


def test_my_work_groups_my_open_tasks_by_due_date(page: Any, live_server: Any) -> None:
    owner = factories.make_user(email="olivia@example.com", name="Olivia Owner")
    workspace = factories.make_workspace(owner=owner, slug="acme", name="Acme")
    today = query_compiler.user_today(owner)
    for key in ("OPS", "WEB"):
        project = services.project_create(actor=owner, workspace=workspace, key=key, name=f"Project {key}")
        for days, title, priority in [
            (-3, "Renew the TLS certificate", "urgent"),
            (0, "Review the release notes", "high"),
            (9, "Plan the offsite", "medium"),
            (None, "Tidy the wiki", "none"),
        ]:
            due = today + datetime.timedelta(days=days) if days is not None else None
            services.task_create(
                actor=owner,
                project=project,
                title=f"{title} ({key})",
                assignee=owner.email,
                due_date=due,
                priority=priority,
            )

    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    page.click("text=My work")

    assert page.locator("[data-group=overdue] time.badge-danger").count() == 2
    assert page.locator("[data-task-row]").count() == 8
    shot(page, "my-work")
    assert not page.js_errors
