"""Project access: private projects, project roles and guest sharing, through the services and
selectors (docs/decisions/0006-project-access.md)."""

from __future__ import annotations

from typing import Any

import pytest

from labora.collaboration.models import ActivityEntry
from labora.collaboration.selectors import activity_list
from labora.core.errors import NotFound, PermissionDenied, ValidationError
from labora.core.models import DomainEvent
from labora.work import selectors
from labora.work.models import Project, ProjectMember, Task
from labora.work.services import members as member_services
from labora.work.services import projects as project_services
from labora.work.services import tasks as task_services
from labora.work.services import workflows as workflow_services
from labora.workspaces.models import Membership, Role
from tests import factories

WORKSPACE_ROLES = [Role.OWNER, Role.ADMIN, Role.MEMBER, Role.GUEST, Role.CLIENT]
PROJECT_ROLES = ["manager", "contributor", "viewer", None]


def _expected(workspace_role: str, project_role: str | None, private: bool) -> str | None:
    """The effective role the rules of decision 0006 give (None = the project is invisible)."""
    if workspace_role in (Role.OWNER, Role.ADMIN):
        return "manager"
    if project_role is not None:
        return project_role
    if workspace_role == Role.MEMBER and not private:
        return "contributor"
    return None


def _role(project: Any) -> Any:
    """The caller's role annotated on a project by the selectors (visible_projects)."""
    return project.my_role


def _workspace_role(row: Any) -> Any:
    return row.workspace_role


def _person(workspace: Any, project: Project, workspace_role: str, project_role: str | None) -> Any:
    if workspace_role == Role.OWNER:
        person = factories.add_member(workspace, role=Role.OWNER).user
    else:
        person = factories.add_member(workspace, role=workspace_role).user
    if project_role is not None:
        ProjectMember.objects.create(project=project, user=person, role=project_role)
    return person


@pytest.fixture
def project(user: Any, workspace: Any) -> Project:
    return project_services.project_create(actor=user, workspace=workspace, key="OPS", name="Operations")


@pytest.fixture
def secret(user: Any, workspace: Any) -> Project:
    return project_services.project_create(actor=user, workspace=workspace, key="SEC", name="Secret", is_private=True)


# --- the matrix -----------------------------------------------------------------------------------


@pytest.mark.parametrize("private", [False, True], ids=["public", "private"])
@pytest.mark.parametrize("project_role", PROJECT_ROLES, ids=lambda r: f"row-{r}")
@pytest.mark.parametrize("workspace_role", WORKSPACE_ROLES)
def test_who_sees_and_writes_what(
    user: Any, workspace: Any, workspace_role: str, project_role: str | None, private: bool
) -> None:
    # Given a project with one task, and a person with a workspace role and maybe a project row
    project = project_services.project_create(actor=user, workspace=workspace, key="PR", name="P", is_private=private)
    task = task_services.task_create(actor=user, project=project, title="First")
    person = _person(workspace, project, workspace_role, project_role)
    expected = _expected(workspace_role, project_role, private)

    # Then they see the project (with their role) and its task only with an effective role
    listed = list(selectors.project_list(user=person, workspace=workspace))
    assert [(p.key, _role(p)) for p in listed] == ([("PR", expected)] if expected else [])
    if expected is None:
        with pytest.raises(NotFound):
            selectors.project_get(user=person, workspace=workspace, key="PR")
        with pytest.raises(NotFound):
            selectors.task_get(user=person, workspace=workspace, key="PR-1")
        assert list(selectors.task_list(user=person, workspace=workspace)) == []
        with pytest.raises(NotFound):
            task_services.task_update(actor=person, task=task, title="changed")
        assert Task.objects.get(pk=task.pk).title == "First"
        return
    assert _role(selectors.task_get(user=person, workspace=workspace, key="PR-1").project) == expected
    assert [t.key for t in selectors.task_list(user=person, workspace=workspace)] == ["PR-1"]

    # And they write tasks as contributors and managers, never as viewers
    if expected == "viewer":
        with pytest.raises(PermissionDenied, match="You are a viewer of PR"):
            task_services.task_update(actor=person, task=task, title="changed")
        with pytest.raises(PermissionDenied):
            task_services.task_create(actor=person, project=project, title="Mine")
        assert list(Task.objects.values_list("title", flat=True)) == ["First"]
    else:
        task_services.task_update(actor=person, task=task, title="changed")
        assert Task.objects.get(pk=task.pk).title == "changed"

    # And only managers change the project's settings and workflow
    fresh = selectors.project_get(user=person, workspace=workspace, key="PR")
    if expected == "manager":
        project_services.project_update(actor=person, project=fresh, colour="#059669")
        assert Project.objects.get(pk=project.pk).colour == "#059669"
    else:
        with pytest.raises(PermissionDenied, match="Only managers"):
            project_services.project_update(actor=person, project=fresh, colour="#059669")
        with pytest.raises(PermissionDenied):
            workflow_services.workflow_replace(
                actor=person,
                project=fresh,
                statuses=[workflow_services.StatusSpec("Only", "todo", None)],
                transitions=[],
            )
        assert Project.objects.get(pk=project.pk).colour == "#4f46e5"


# --- project create / update -------------------------------------------------------------------------


def test_the_creator_becomes_manager_and_colour_icon_privacy_are_kept(user: Any, workspace: Any) -> None:
    member = factories.add_member(workspace).user
    project = project_services.project_create(
        actor=member, workspace=workspace, key="WEB", name="Website", is_private=True, colour="#DB2777", icon="goals"
    )
    assert (project.is_private, project.colour, project.icon) == (True, "#db2777", "goals")
    assert list(ProjectMember.objects.values_list("user_id", "role")) == [(member.pk, "manager")]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("colour", "red", "#rrggbb"), ("colour", "#12345", "#rrggbb"), ("icon", "rocket", "Unknown icon 'rocket'")],
)
def test_a_bad_colour_or_icon_is_refused_with_how_to_fix_it(
    user: Any, workspace: Any, field: str, value: str, message: str
) -> None:
    kwargs: dict[str, Any] = {field: value}
    with pytest.raises(ValidationError, match=message) as error:
        project_services.project_create(actor=user, workspace=workspace, key="BAD", name="Bad", **kwargs)
    assert field in error.value.fields
    assert not Project.objects.exists()


def test_making_a_project_private_keeps_its_members(user: Any, workspace: Any, project: Project) -> None:
    viewer = factories.add_member(workspace).user
    member_services.project_member_add(actor=user, project=project, email=viewer.email, role="viewer")
    outsider = factories.add_member(workspace).user

    updated = project_services.project_update(actor=user, project=project, is_private=True)

    assert updated.is_private
    assert _role(selectors.project_get(user=viewer, workspace=workspace, key="OPS")) == "viewer"
    with pytest.raises(NotFound):
        selectors.project_get(user=outsider, workspace=workspace, key="OPS")
    event = DomainEvent.objects.filter(name="project.updated").get()
    assert event.changes == {"is_private": [False, True]}


def test_a_project_without_a_manager_cannot_be_made_private(user: Any, workspace: Any, project: Project) -> None:
    ProjectMember.objects.filter(project=project).delete()  # e.g. created before project roles existed

    with pytest.raises(ValidationError, match="no manager among its members") as error:
        project_services.project_update(actor=user, project=project, is_private=True)

    assert error.value.code == "no_manager"
    assert not Project.objects.get(pk=project.pk).is_private


# --- members -------------------------------------------------------------------------------------


def test_members_are_added_with_a_default_role_changed_and_removed(user: Any, workspace: Any, project: Project) -> None:
    member = factories.add_member(workspace).user
    guest = factories.add_member(workspace, role=Role.GUEST).user

    assert member_services.project_member_add(actor=user, project=project, email=member.email).role == "contributor"
    assert member_services.project_member_add(actor=user, project=project, email=guest.email.upper()).role == "viewer"
    row = selectors.project_member_get(project=project, member=guest.public_id)
    member_services.project_member_change_role(actor=user, project=project, member=row, role="contributor")
    member_services.project_member_remove(
        actor=user, project=project, member=selectors.project_member_get(project=project, member=member.email)
    )

    rows = {(m.user.email, m.role, _workspace_role(m)) for m in selectors.project_members(project=project)}
    assert rows == {(user.email, "manager", "owner"), (guest.email, "contributor", "guest")}
    names = list(DomainEvent.objects.order_by("id").values_list("name", flat=True))
    assert names[-4:] == [
        "project.member_added",
        "project.member_added",
        "project.member_role_changed",
        "project.member_removed",
    ]
    changed = DomainEvent.objects.get(name="project.member_role_changed")
    assert changed.changes == {"role": ["viewer", "contributor"]}


def test_a_guest_cannot_be_made_manager(user: Any, workspace: Any, project: Project) -> None:
    guest = factories.add_member(workspace, role=Role.CLIENT).user
    with pytest.raises(ValidationError, match="viewer or a contributor") as error:
        member_services.project_member_add(actor=user, project=project, email=guest.email, role="manager")
    assert error.value.code == "role_not_allowed"
    assert not ProjectMember.objects.filter(user=guest).exists()


def test_only_workspace_members_can_be_added_and_only_once(user: Any, workspace: Any, project: Project) -> None:
    stranger = factories.make_user()
    with pytest.raises(ValidationError, match="is not a member of this workspace"):
        member_services.project_member_add(actor=user, project=project, email=stranger.email)
    member = factories.add_member(workspace).user
    member_services.project_member_add(actor=user, project=project, email=member.email)
    with pytest.raises(Exception, match="already a member") as error:
        member_services.project_member_add(actor=user, project=project, email=member.email, role="viewer")
    assert getattr(error.value, "status", None) == 409
    assert ProjectMember.objects.get(user=member).role == "contributor"


def test_the_last_manager_of_a_private_project_stays(user: Any, workspace: Any, secret: Project) -> None:
    row = selectors.project_member_get(project=secret, member=user.email)
    with pytest.raises(ValidationError, match="last manager") as error:
        member_services.project_member_change_role(actor=user, project=secret, member=row, role="viewer")
    assert error.value.code == "last_manager"
    with pytest.raises(ValidationError, match="last manager"):
        member_services.project_member_remove(actor=user, project=secret, member=row)
    assert ProjectMember.objects.get(pk=row.pk).role == "manager"

    # With a second manager, the first may step down.
    other = factories.add_member(workspace).user
    member_services.project_member_add(actor=user, project=secret, email=other.email, role="manager")
    member_services.project_member_remove(actor=user, project=secret, member=row)
    assert list(ProjectMember.objects.filter(project=secret).values_list("user_id", flat=True)) == [other.pk]


@pytest.mark.parametrize("role", ["contributor", "viewer"])
def test_only_managers_change_members(user: Any, workspace: Any, project: Project, role: str) -> None:
    person = factories.add_member(workspace).user
    ProjectMember.objects.create(project=project, user=person, role=role)
    other = factories.add_member(workspace).user
    with pytest.raises(PermissionDenied, match="Only managers of the project"):
        member_services.project_member_add(actor=person, project=project, email=other.email)
    owner_row = selectors.project_member_get(project=project, member=user.email)
    with pytest.raises(PermissionDenied):
        member_services.project_member_remove(actor=person, project=project, member=owner_row)
    assert ProjectMember.objects.filter(project=project).count() == 2


def test_a_member_who_manages_one_project_manages_its_members(user: Any, workspace: Any, secret: Project) -> None:
    lead = factories.add_member(workspace).user
    member_services.project_member_add(actor=user, project=secret, email=lead.email, role="manager")
    guest = factories.add_member(workspace, role=Role.GUEST).user
    member_services.project_member_add(actor=lead, project=secret, email=guest.email)
    assert _role(selectors.project_get(user=guest, workspace=workspace, key="SEC")) == "viewer"


# --- what a guest sees -----------------------------------------------------------------------------


def test_a_guest_sees_only_what_was_shared(user: Any, workspace: Any, project: Project, run_events: Any) -> None:
    shared = project_services.project_create(actor=user, workspace=workspace, key="SHR", name="Shared")
    guest = factories.add_member(workspace, role=Role.GUEST).user
    with run_events():
        # OPS was shared with them when they were given its task, and is no longer (a task of a
        # project cannot be given to someone who cannot see it: tests/work/test_access_gaps.py)
        row = member_services.project_member_add(actor=user, project=project, email=guest.email)
        task_services.task_create(actor=user, project=project, title="Internal", assignee=guest.email)
        member_services.project_member_remove(actor=user, project=project, member=row)
        member_services.project_member_add(actor=user, project=shared, email=guest.email)
        task_services.task_create(actor=user, project=shared, title="Theirs", assignee=guest.email)
    membership = Membership.objects.get(user=guest)

    assert [p.key for p in selectors.project_list(user=guest, workspace=workspace)] == ["SHR"]
    assert [t.key for t in selectors.task_list(user=guest, workspace=workspace)] == ["SHR-1"]
    assert [t.key for t in selectors.task_list(user=guest, workspace=workspace, q="assignee:me")] == ["SHR-1"]
    assert [t.key for t in selectors.my_open_tasks(workspace=workspace, user=guest)] == ["SHR-1"]
    with pytest.raises(NotFound):
        selectors.task_get(user=guest, workspace=workspace, key="OPS-1")
    with pytest.raises(NotFound):
        selectors.project_get_any(user=guest, workspace=workspace, key="OPS")
    keys = {e.project_key for e in activity_list(workspace=workspace, membership=membership)}
    assert keys == {"SHR"}
    assert ActivityEntry.objects.filter(project_key="OPS").exists()  # it is there, just not for them
    # Labels are workspace-wide and fine to list.
    assert selectors.label_list(workspace=workspace).count() == 0


def test_a_member_does_not_see_the_activity_of_a_private_project(
    user: Any, workspace: Any, secret: Project, project: Project, run_events: Any
) -> None:
    member = factories.add_member(workspace)
    with run_events():
        task_services.task_create(actor=user, project=secret, title="Hidden")
        task_services.task_create(actor=user, project=project, title="Open")
    keys = {e.project_key for e in activity_list(workspace=workspace, membership=member)}
    assert "SEC" not in keys
    assert "OPS" in keys
    owner = Membership.objects.get(user=user)
    assert "SEC" in {e.project_key for e in activity_list(workspace=workspace, membership=owner)}


# --- bulk edits and query counts ----------------------------------------------------------------------


def test_a_viewer_cannot_bulk_edit_and_nothing_changes(user: Any, workspace: Any, project: Project) -> None:
    for n in range(3):
        task_services.task_create(actor=user, project=project, title=f"T{n}")
    viewer = factories.add_member(workspace).user
    ProjectMember.objects.create(project=project, user=viewer, role="viewer")
    with pytest.raises(PermissionDenied):
        task_services.task_bulk_update(
            actor=viewer, workspace=workspace, project=project, task_keys=["OPS-1", "OPS-2"], priority="high"
        )
    with pytest.raises(PermissionDenied):
        task_services.task_move(actor=viewer, task=Task.objects.get(number=2), before_key="OPS-1")
    assert set(Task.objects.values_list("priority", flat=True)) == {0}


def test_a_bulk_edit_looks_the_role_up_once(
    user: Any, workspace: Any, project: Project, django_assert_max_num_queries: Any
) -> None:
    contributor = factories.add_member(workspace).user
    ProjectMember.objects.create(project=project, user=contributor, role="contributor")

    def bulk(count: int) -> Any:
        keys = [task_services.task_create(actor=user, project=project, title=f"T{n}").key for n in range(count)]
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            task_services.task_bulk_update(
                actor=contributor, workspace=workspace, project=project, task_keys=keys, priority="high"
            )
        return [q["sql"] for q in queries.captured_queries]

    few, many = bulk(2), bulk(6)
    role_lookups = [sql for sql in many if "work_projectmember" in sql or "workspaces_membership" in sql]
    assert len(role_lookups) == len(
        [sql for sql in few if "work_projectmember" in sql or "workspaces_membership" in sql]
    )
    assert len(role_lookups) <= 2


@pytest.mark.parametrize("role", [Role.MEMBER, Role.GUEST])
def test_project_list_takes_one_query_whatever_the_members(
    user: Any, workspace: Any, role: str, django_assert_num_queries: Any
) -> None:
    person = factories.add_member(workspace, role=role)
    for n in range(6):
        project = project_services.project_create(
            actor=user, workspace=workspace, key=f"P{n}", name=f"P{n}", is_private=n % 2 == 0
        )
        ProjectMember.objects.create(project=project, user=person.user, role="viewer")
        for _ in range(3):
            ProjectMember.objects.create(project=project, user=factories.add_member(workspace).user)

    with django_assert_num_queries(1):
        projects = list(
            selectors.project_list_with_counts(
                selectors.project_list(user=person.user, workspace=workspace, membership=person)
            )
        )
    assert [_role(p) for p in projects] == ["viewer"] * 6


@pytest.mark.parametrize("role", [Role.MEMBER, Role.GUEST])
def test_task_list_takes_the_same_queries_for_five_or_fifty_tasks(
    user: Any, workspace: Any, project: Project, role: str, django_assert_num_queries: Any
) -> None:
    person = factories.add_member(workspace, role=role)
    ProjectMember.objects.create(project=project, user=person.user, role="contributor")
    ProjectMember.objects.create(project=project, user=factories.add_member(workspace).user, role="viewer")

    def count(n: int) -> int:
        while Task.objects.count() < n:
            task_services.task_create(actor=user, project=project, title="T", labels=["a"])
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            tasks = list(selectors.task_list(user=person.user, workspace=workspace, membership=person))
        assert len(tasks) == n
        return len(queries.captured_queries)

    assert count(5) == count(50) == 2  # the tasks (visibility in a subquery), their labels
