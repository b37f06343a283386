"""My work: the open tasks assigned to me across the workspace's projects, grouped by due date."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from labora.work import services
from labora.work.models import Project
from labora.work.services import StatusSpec
from labora.work.views.my_work import group_by_due
from tests import factories

URL = reverse("my_work", kwargs={"ws": "acme"})
WEDNESDAY = datetime.date(2026, 11, 25)


@pytest.fixture
def client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _project(user: Any, workspace: Any, key: str) -> Project:
    project = services.project_create(actor=user, workspace=workspace, key=key, name=f"Project {key}")
    services.workflow_replace(
        actor=user,
        project=project,
        statuses=[StatusSpec("To do", "todo"), StatusSpec("Done", "done"), StatusSpec("Dropped", "cancelled")],
        transitions=[("To do", "Done"), ("To do", "Dropped")],
    )
    return project


def _task(title: str, due: datetime.date | None) -> Any:
    return SimpleNamespace(title=title, due_date=due)


def test_tasks_group_into_overdue_today_this_week_later_and_no_due_date() -> None:
    days = datetime.timedelta
    tasks = [
        _task("yesterday", WEDNESDAY - days(1)),
        _task("today", WEDNESDAY),
        _task("thursday", WEDNESDAY + days(1)),
        _task("sunday", WEDNESDAY + days(4)),
        _task("next monday", WEDNESDAY + days(5)),
        _task("undated", None),
    ]

    groups = group_by_due(tasks, WEDNESDAY)  # type: ignore[arg-type]

    assert [(g["heading"], [t.title for t in g["tasks"]]) for g in groups] == [
        ("Overdue", ["yesterday"]),
        ("Today", ["today"]),
        ("This week", ["thursday", "sunday"]),
        ("Later", ["next monday"]),
        ("No due date", ["undated"]),
    ]


def test_on_a_sunday_this_week_is_only_today_and_empty_groups_are_left_out() -> None:
    sunday = datetime.date(2026, 11, 29)

    groups = group_by_due([_task("monday", sunday + datetime.timedelta(days=1))], sunday)  # type: ignore[list-item]

    assert [g["heading"] for g in groups] == ["Later"]


def test_the_page_shows_only_my_open_tasks_of_this_workspace(client: Client, user: Any, workspace: Any) -> None:
    other = factories.make_user(email="other@example.com")
    factories.add_member(workspace, other)
    ops, web = _project(user, workspace, "OPS"), _project(user, workspace, "WEB")
    services.task_create(actor=user, project=ops, title="Mine in OPS", assignee=user.email)
    services.task_create(actor=user, project=web, title="Mine in WEB", assignee=user.email, due_date=WEDNESDAY)
    services.task_create(actor=user, project=ops, title="Mine but done", assignee=user.email, status="Done")
    services.task_create(actor=user, project=ops, title="Mine but dropped", assignee=user.email, status="Dropped")
    services.task_create(actor=user, project=ops, title="Someone else's", assignee=other.email)
    services.task_create(actor=user, project=ops, title="Nobody's")
    beta = factories.make_workspace(owner=user, slug="beta", name="Beta")
    services.task_create(actor=user, project=_project(user, beta, "OPS"), title="Mine elsewhere", assignee=user.email)

    html = client.get(URL).text
    assigned, _, watched = html.partition('data-group="watched"')

    assert "Mine in OPS" in assigned
    assert "Mine in WEB" in assigned
    for absent in ("Mine but done", "Mine but dropped", "Someone else", "Nobody", "Mine elsewhere"):
        assert absent not in assigned, absent
    # As their reporter I watch the two open tasks I created for others (or nobody): they come
    # after mine, under "Tasks I watch"; mine are not repeated there.
    assert "Tasks I watch" in watched
    assert "Someone else" in watched
    assert "Nobody" in watched
    for absent in ("Mine in OPS", "Mine but done", "Mine elsewhere"):
        assert absent not in watched, absent
    assert f'href="{reverse("task_detail", kwargs={"ws": "acme", "task_key": "WEB-1"})}"' in html
    assert "No due date" in html


def test_with_nothing_assigned_the_page_says_so(client: Client, workspace: Any) -> None:
    response = client.get(URL)

    assert response.status_code == 200
    assert "Nothing assigned to you" in response.text


def test_a_workspace_i_am_not_in_is_not_found(client: Client) -> None:
    stranger = factories.make_user(email="stranger@example.com")
    factories.make_workspace(owner=stranger, slug="elsewhere", name="Elsewhere")

    assert client.get(reverse("my_work", kwargs={"ws": "elsewhere"})).status_code == 404


def test_the_page_takes_as_many_queries_for_40_tasks_as_for_5(
    client: Client, user: Any, workspace: Any, django_assert_max_num_queries: Any
) -> None:
    projects = [_project(user, workspace, "OPS"), _project(user, workspace, "WEB")]

    def add(numbers: range) -> None:
        for n in numbers:
            due = WEDNESDAY + datetime.timedelta(days=n - 10) if n % 3 else None
            services.task_create(actor=user, project=projects[n % 2], title=f"T{n}", assignee=user.email, due_date=due)

    add(range(5))
    client.get(URL)  # warm the session
    with CaptureQueriesContext(connection) as five:
        assert client.get(URL).text.count("data-task-row") == 5
    add(range(5, 40))

    with django_assert_max_num_queries(len(five.captured_queries)):
        assert client.get(URL).text.count("data-task-row") == 40


def test_tasks_i_watch_exclude_closed_ones_and_projects_i_cannot_see(client: Client, user: Any, workspace: Any) -> None:
    owner = factories.make_user(email="boss@example.com")
    factories.add_member(workspace, owner, role="admin")
    ops = _project(owner, workspace, "OPS")
    hidden = services.project_create(actor=owner, workspace=workspace, key="SEC", name="Secret", is_private=True)
    watched = services.task_create(actor=owner, project=ops, title="Watched and open")
    closed = services.task_create(actor=owner, project=ops, title="Watched but done")
    secret = services.task_create(actor=owner, project=hidden, title="Watched in a private project")
    for task in (watched, closed, secret):
        task.watchers.add(user)
    services.task_update(actor=owner, task=closed, status="Done")
    membership = workspace.memberships.get(user=user)
    membership.role = "member"
    membership.save()

    html = client.get(URL).text

    assert "Watched and open" in html
    assert "Watched but done" not in html
    assert "Watched in a private project" not in html
