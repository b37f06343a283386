"""Access rules closed in the 2026-11-24 pass: project member versions (If-Match), assigning
tasks of a project only to people who can see it, and 422 messages that never name a task of a
project the caller cannot see."""

from __future__ import annotations

from typing import Any

import pytest

from labora.core.errors import ValidationError
from labora.core.models import DomainEvent
from labora.work.models import ProjectMember, Task
from labora.work.services import members as member_services
from labora.work.services import projects as project_services
from labora.work.services import tasks as task_services
from labora.workspaces.models import Role
from tests import factories

WS = "/api/v1/workspaces/acme"


@pytest.fixture
def secret(user: Any, workspace: Any) -> Any:
    return project_services.project_create(actor=user, workspace=workspace, key="SEC", name="Secret", is_private=True)


@pytest.fixture
def public(user: Any, workspace: Any) -> Any:
    return project_services.project_create(actor=user, workspace=workspace, key="OPS", name="Operations")


# --- project member versions ---------------------------------------------------------------------


def test_a_role_change_based_on_a_stale_version_answers_409_with_the_current_member(
    api: Any, user: Any, workspace: Any, secret: Any
) -> None:
    person = factories.add_member(workspace).user
    added = api.post_json(f"{WS}/projects/SEC/members", {"email": person.email, "role": "viewer"})
    assert added.status_code == 201, added.content
    assert added.json()["version"] == 1

    changed = api.patch_json(f"{WS}/projects/SEC/members/{person.email}", {"role": "contributor"}, HTTP_IF_MATCH="1")
    assert changed.status_code == 200, changed.content
    assert changed.json()["version"] == 2
    assert changed.json()["role"] == "contributor"

    events_before = DomainEvent.objects.count()
    stale = api.patch_json(f"{WS}/projects/SEC/members/{person.email}", {"role": "manager", "version": 1})
    assert stale.status_code == 409
    body = stale.json()
    assert body["error"]["code"] == "stale_version"
    assert body["current"]["role"] == "contributor"
    assert body["current"]["version"] == 2
    assert body["current"]["workspace_role"] == "member"
    assert ProjectMember.objects.get(project=secret, user=person).role == "contributor"
    assert DomainEvent.objects.count() == events_before  # nothing half-written

    # a change without a version still applies (last write wins, as for every resource)
    assert api.patch_json(f"{WS}/projects/SEC/members/{person.email}", {"role": "viewer"}).json()["version"] == 3


def test_the_member_row_form_sends_its_version_and_a_stale_one_is_refused(
    client: Any, user: Any, workspace: Any, secret: Any
) -> None:
    person = factories.add_member(workspace).user
    row = member_services.project_member_add(actor=user, project=secret, email=person.email, role="viewer")
    client.force_login(user)
    url = "/w/acme/projects/SEC/settings/"
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="version" value="1"' in page.content

    member_services.project_member_change_role(actor=user, project=secret, member=row, role="contributor")
    answer = client.post(url, {"action": "member_role", "member": person.public_id, "role": "manager", "version": "1"})
    assert answer.status_code in (200, 302)
    assert ProjectMember.objects.get(pk=row.pk).role == "contributor"


# --- assignee and collaborators must see the project ---------------------------------------------


@pytest.mark.parametrize("field", ["assignee", "collaborators"])
def test_a_private_projects_task_is_not_given_to_someone_who_cannot_see_it(
    api: Any, user: Any, workspace: Any, secret: Any, field: str
) -> None:
    outsider = factories.add_member(workspace).user  # a workspace member, not a member of SEC
    value: Any = outsider.email if field == "assignee" else [outsider.email]

    created = api.post_json(f"{WS}/projects/SEC/tasks", {"title": "Quiet", field: value})
    assert created.status_code == 422
    error = created.json()["error"]
    assert error["code"] == "cannot_see_project"
    named = "assignee" if field == "assignee" else "collaborators.0"
    assert error["fields"] == {named: "cannot see SEC"}
    assert outsider.email in error["message"]
    assert "Share SEC with them" in error["message"]
    assert not Task.objects.filter(title="Quiet").exists()

    task = task_services.task_create(actor=user, project=secret, title="Later")
    patched = api.patch_json(f"{WS}/tasks/{task.key}", {field: value})
    assert patched.status_code == 422
    assert patched.json()["error"]["fields"] == {named: "cannot see SEC"}

    # once SEC is shared with them it works
    member_services.project_member_add(actor=user, project=secret, email=outsider.email, role="viewer")
    assert api.patch_json(f"{WS}/tasks/{task.key}", {field: value}).status_code == 200


def test_a_guest_is_not_given_a_task_of_a_project_not_shared_with_them(user: Any, workspace: Any, public: Any) -> None:
    guest = factories.add_member(workspace, role=Role.GUEST).user
    with pytest.raises(ValidationError) as caught:
        task_services.task_create(actor=user, project=public, title="x", assignee=guest.email)
    assert caught.value.fields == {"assignee": "cannot see OPS"}
    # admins and members see a public project: they can be given its tasks
    admin = factories.add_member(workspace, role=Role.ADMIN).user
    member = factories.add_member(workspace).user
    task = task_services.task_create(actor=user, project=public, title="y", assignee=admin.email)
    task_services.task_update(actor=user, task=task, collaborators=[member.email])


def test_a_bulk_assignment_in_a_private_project_is_refused_whole(
    api: Any, user: Any, workspace: Any, secret: Any
) -> None:
    outsider = factories.add_member(workspace).user
    first = task_services.task_create(actor=user, project=secret, title="a")
    task_services.task_create(actor=user, project=secret, title="b")

    answer = api.post_json(
        f"{WS}/projects/SEC/tasks/bulk", {"tasks": ["SEC-1", "SEC-2"], "set": {"assignee": outsider.email}}
    )

    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "cannot_see_project"
    assert Task.objects.get(pk=first.pk).assignee_id is None


def test_moving_tasks_into_a_private_project_keeps_their_people_able_to_see_them(
    api: Any, user: Any, workspace: Any, public: Any, secret: Any
) -> None:
    member = factories.add_member(workspace).user
    task = task_services.task_create(actor=user, project=public, title="mine", assignee=member.email)

    answer = api.post_json(f"{WS}/tasks/move-to-project", {"tasks": [task.key], "project": "SEC"})

    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "cannot_see_project"
    assert error["message"].startswith("OPS-1: its assignee")
    assert Task.objects.get(pk=task.pk).project_id == public.pk
    member_services.project_member_add(actor=user, project=secret, email=member.email)
    assert api.post_json(f"{WS}/tasks/move-to-project", {"tasks": [task.key], "project": "SEC"}).status_code == 200


# --- 422 messages never name what the caller cannot see ------------------------------------------


@pytest.fixture
def hidden_task(user: Any, workspace: Any, secret: Any) -> Task:
    return task_services.task_create(actor=user, project=secret, title="Hidden")


@pytest.fixture
def member(workspace: Any) -> Any:
    return factories.add_member(workspace).user


@pytest.fixture
def member_api(api_for: Any, member: Any) -> Any:
    return api_for(member)


def _same_as_unknown(hidden: Any, unknown: Any) -> None:
    assert hidden.status_code == unknown.status_code == 422
    h, u = hidden.json()["error"], unknown.json()["error"]
    assert h["code"] == u["code"]
    assert h["fields"] == u["fields"]
    assert "Secret" not in h["message"]
    assert h["message"].replace("SEC-1", "?") == u["message"].replace("ZZZ-1", "?")


def test_a_parent_in_a_project_you_cannot_see_is_an_unknown_task(
    member_api: Any, public: Any, hidden_task: Task
) -> None:
    hidden = member_api.post_json(f"{WS}/projects/OPS/tasks", {"title": "t", "parent": "SEC-1"})
    unknown = member_api.post_json(f"{WS}/projects/OPS/tasks", {"title": "t", "parent": "ZZZ-1"})
    _same_as_unknown(hidden, unknown)


def test_a_bulk_change_naming_a_task_you_cannot_see_says_unknown(
    member_api: Any, member: Any, user: Any, public: Any, hidden_task: Task
) -> None:
    task_services.task_create(actor=user, project=public, title="mine")
    hidden = member_api.post_json(f"{WS}/tasks/move-to-project", {"tasks": ["OPS-1", "SEC-1"], "project": "OPS"})
    unknown = member_api.post_json(f"{WS}/tasks/move-to-project", {"tasks": ["OPS-1", "ZZZ-1"], "project": "OPS"})
    _same_as_unknown(hidden, unknown)

    for change in ({"priority": "high"}, {"delete": True}):
        with pytest.raises(ValidationError) as caught:
            task_services.task_bulk_update(
                actor=member, workspace=public.workspace, task_keys=["OPS-1", "SEC-1"], **change
            )
        assert caught.value.code == "unknown_tasks"
        assert caught.value.extra == {"unknown": ["SEC-1"]}
        assert "Secret" not in caught.value.message
    assert Task.objects.get(project=public).priority == 0


def test_placing_a_card_next_to_a_task_you_cannot_see_says_there_is_none(
    member_api: Any, user: Any, public: Any, hidden_task: Task
) -> None:
    task_services.task_create(actor=user, project=public, title="mine")
    hidden = member_api.post_json(f"{WS}/tasks/OPS-1/move", {"after": "SEC-1"})
    unknown = member_api.post_json(f"{WS}/tasks/OPS-1/move", {"after": "ZZZ-1"})
    _same_as_unknown(hidden, unknown)
