"""Task, project and workflow services: numbering, moves, WIP limits, completion, trash, events."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from labora.collaboration.models import ActivityEntry
from labora.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from labora.core.models import DomainEvent
from labora.work import rank, services
from labora.work.models import Label, Project, ProjectMember, Status, Task
from labora.work.services import StatusSpec
from labora.workspaces.models import Role
from tests import factories


@pytest.fixture
def project(user: Any, workspace: Any) -> Project:
    return services.project_create(actor=user, workspace=workspace, key="OPS", name="Operations")


def _statuses(project: Project) -> list[tuple[str, str]]:
    return list(Status.objects.filter(project=project).values_list("name", "category"))


# --- projects ------------------------------------------------------------------------------------


def test_a_project_starts_with_the_default_project_workflow(project: Project) -> None:
    assert _statuses(project) == [
        ("Backlog", "backlog"),
        ("To do", "todo"),
        ("In progress", "in_progress"),
        ("In review", "in_progress"),
        ("Done", "done"),
        ("Cancelled", "cancelled"),
    ]


def test_an_ongoing_stream_starts_with_its_own_workflow(user: Any, workspace: Any) -> None:
    stream = services.project_create(actor=user, workspace=workspace, key="IT", name="IT support", kind="ongoing")
    assert [name for name, _ in _statuses(stream)] == ["New", "In progress", "Waiting", "Done", "Cancelled"]


@pytest.mark.parametrize("key", ["ops", "O", "1OPS", "TOOLONGKEY1", "OP-S"])
def test_a_project_key_must_be_short_upper_case(user: Any, workspace: Any, key: str) -> None:
    with pytest.raises(ValidationError) as err:
        services.project_create(actor=user, workspace=workspace, key=key, name="X")
    assert "key" in err.value.fields
    assert not Project.all_objects.exists()


def test_a_project_key_is_never_reused_even_after_the_trash(user: Any, project: Project) -> None:
    services.project_delete(actor=user, project=project)
    with pytest.raises(Conflict) as err:
        services.project_create(actor=user, workspace=project.workspace, key="OPS", name="Again")
    assert err.value.code == "key_taken"


def test_a_target_date_before_the_start_is_refused(user: Any, workspace: Any) -> None:
    import datetime

    with pytest.raises(ValidationError) as err:
        services.project_create(
            actor=user,
            workspace=workspace,
            key="WEB",
            name="Web",
            start_date=datetime.date(2026, 5, 1),
            target_date=datetime.date(2026, 4, 1),
        )
    assert err.value.fields == {"target_date": "before start_date"}


def test_a_guest_cannot_create_a_project(workspace: Any) -> None:
    guest = factories.add_member(workspace, role=Role.GUEST).user
    with pytest.raises(PermissionDenied):
        services.project_create(actor=guest, workspace=workspace, key="GST", name="Nope")
    assert not Project.all_objects.exists()


def test_updating_a_project_records_the_changes(user: Any, project: Project, run_events: Any) -> None:
    with run_events():
        updated = services.project_update(actor=user, project=project, version=1, name="Ops", lead=user.email)
    assert updated.version == 2
    entry = ActivityEntry.objects.get(name="project.updated")
    assert entry.project_key == "OPS"
    assert entry.changes == {"name": ["Operations", "Ops"], "lead": [None, user.email]}


def test_a_stale_project_update_changes_nothing(user: Any, project: Project) -> None:
    with pytest.raises(Conflict):
        services.project_update(actor=user, project=project, version=7, name="Stale")
    assert Project.objects.get(pk=project.pk).name == "Operations"


# --- task numbers --------------------------------------------------------------------------------


def test_task_numbers_follow_each_other_per_project_and_are_never_reused(user: Any, project: Project) -> None:
    first = services.task_create(actor=user, project=project, title="One")
    second = services.task_create(actor=user, project=project, title="Two")
    services.task_delete(actor=user, task=second)
    third = services.task_create(actor=user, project=project, title="Three")
    other = services.project_create(actor=user, workspace=project.workspace, key="WEB", name="Web")
    elsewhere = services.task_create(actor=user, project=other, title="Elsewhere")
    assert [first.key, second.key, third.key, elsewhere.key] == ["OPS-1", "OPS-2", "OPS-3", "WEB-1"]


def test_two_hundred_creates_give_numbers_one_to_two_hundred(user: Any, project: Project) -> None:
    for i in range(200):
        services.task_create(actor=user, project=project, title=f"Task {i}")
    numbers = sorted(Task.objects.filter(project=project).values_list("number", flat=True))
    assert numbers == list(range(1, 201))
    assert Project.objects.get(pk=project.pk).task_counter == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_on_postgresql_never_lose_or_duplicate_a_number() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proved on PostgreSQL; SQLite serialises writers")
    owner = factories.make_user()
    workspace = factories.make_workspace(owner=owner)
    project = services.project_create(actor=owner, workspace=workspace, key="RACE", name="Race")
    errors: list[BaseException] = []

    def create_many() -> None:
        try:
            for i in range(25):
                services.task_create(actor=owner, project=project, title=f"t{i}")
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(Task.objects.filter(project=project).values_list("number", flat=True))
    assert numbers == list(range(1, 201))


def test_new_tasks_are_ranked_after_the_last_one(user: Any, project: Project) -> None:
    tasks = [services.task_create(actor=user, project=project, title=str(i)) for i in range(5)]
    ranks = [t.rank for t in tasks]
    assert ranks == sorted(ranks)
    assert len(set(ranks)) == 5
    assert all(rank.is_valid(r) for r in ranks)


# --- creating tasks -----------------------------------------------------------------------------


def test_a_new_task_gets_the_first_todo_status_and_the_actor_as_reporter(user: Any, project: Project) -> None:
    task = services.task_create(actor=user, project=project, title="Fix the printer", labels=["IT", "urgent"])
    assert task.status.name == "To do"
    assert task.reporter == user
    assert sorted(label.name for label in task.labels.all()) == ["IT", "urgent"]
    assert Label.objects.filter(workspace=project.workspace).count() == 2


def test_labels_are_matched_by_name_ignoring_case(user: Any, project: Project) -> None:
    services.task_create(actor=user, project=project, title="a", labels=["Bug"])
    task = services.task_create(actor=user, project=project, title="b", labels=["bug", "BUG"])
    assert [label.name for label in task.labels.all()] == ["Bug"]
    assert Label.objects.count() == 1


def test_creating_a_task_records_an_event_with_project_and_task_keys(
    user: Any, project: Project, run_events: Any
) -> None:
    with run_events():
        services.task_create(actor=user, project=project, title="Logged")
    entry = ActivityEntry.objects.get(name="task.created")
    assert (entry.project_key, entry.task_key) == ("OPS", "OPS-1")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"status": "Nope"}, "status"),
        ({"assignee": "stranger@example.com"}, "assignee"),
        ({"parent": "OPS-99"}, "parent"),
        ({"priority": "whenever"}, "priority"),
        ({"estimate_hours": -1}, "estimate_hours"),
        ({"title": "   "}, "title"),
    ],
)
def test_bad_task_input_is_refused_and_nothing_is_written(
    user: Any, project: Project, kwargs: dict[str, Any], field: str
) -> None:
    factories.make_user(email="stranger@example.com")
    base: dict[str, Any] = {"title": "A task"}
    with pytest.raises(ValidationError) as err:
        services.task_create(actor=user, project=project, **{**base, **kwargs})
    assert field in err.value.fields
    assert not Task.all_objects.exists()
    assert Project.objects.get(pk=project.pk).task_counter == 0
    assert not DomainEvent.objects.filter(name="task.created").exists()


def test_an_unknown_status_lists_the_statuses(user: Any, project: Project) -> None:
    with pytest.raises(ValidationError) as err:
        services.task_create(actor=user, project=project, title="x", status="Nope")
    assert "Backlog, To do, In progress, In review, Done, Cancelled" in err.value.message


def test_a_due_date_before_the_start_is_refused(user: Any, project: Project) -> None:
    import datetime

    with pytest.raises(ValidationError) as err:
        services.task_create(
            actor=user,
            project=project,
            title="x",
            start_date=datetime.date(2026, 3, 2),
            due_date=datetime.date(2026, 3, 1),
        )
    assert err.value.fields == {"due_date": "before start_date"}


def test_a_parent_in_another_project_is_refused(user: Any, project: Project) -> None:
    other = services.project_create(actor=user, workspace=project.workspace, key="WEB", name="Web")
    foreign = services.task_create(actor=user, project=other, title="Elsewhere")
    with pytest.raises(ValidationError) as err:
        services.task_create(actor=user, project=project, title="Child", parent=foreign.key)
    assert err.value.fields == {"parent": "in another project"}


def test_a_guest_cannot_create_tasks(workspace: Any, project: Project) -> None:
    guest = factories.add_member(workspace, role=Role.GUEST).user
    ProjectMember.objects.create(project=project, user=guest, role="viewer")  # shared with them: read only
    with pytest.raises(PermissionDenied):
        services.task_create(actor=guest, project=project, title="Nope")
    assert not Task.all_objects.exists()


# --- updating tasks ------------------------------------------------------------------------------


def test_an_update_records_field_changes_as_plain_values(user: Any, project: Project, run_events: Any) -> None:
    member = factories.add_member(project.workspace, factories.make_user(email="mia@example.com")).user
    task = services.task_create(actor=user, project=project, title="Old", labels=["b"])
    with run_events():
        updated = services.task_update(
            actor=user,
            task=task,
            version=1,
            title="New",
            assignee=member.email,
            priority="high",
            status="In progress",
            labels=["c", "a"],
            estimate_hours=1.5,
        )
    assert updated.version == 2
    assert updated.estimate_minutes == 90
    entry = ActivityEntry.objects.get(name="task.updated")
    assert entry.task_key == "OPS-1"
    assert entry.changes == {
        "title": ["Old", "New"],
        "assignee": [None, "mia@example.com"],
        "priority": ["none", "high"],
        "status": ["To do", "In progress"],
        "labels": [["b"], ["a", "c"]],
        "estimate_hours": [None, 1.5],
    }


def test_an_update_that_changes_nothing_records_nothing(user: Any, project: Project) -> None:
    task = services.task_create(actor=user, project=project, title="Same")
    services.task_update(actor=user, task=task, title="Same")
    assert Task.objects.get(pk=task.pk).version == 1
    assert not DomainEvent.objects.filter(name="task.updated").exists()


def test_a_stale_task_update_answers_conflict_and_changes_nothing(user: Any, project: Project) -> None:
    task = services.task_create(actor=user, project=project, title="Mine")
    services.task_update(actor=user, task=task, title="Theirs")
    with pytest.raises(Conflict) as err:
        services.task_update(actor=user, task=task, version=1, title="Mine again")
    assert err.value.current.version == 2
    assert Task.objects.get(pk=task.pk).title == "Theirs"


def test_entering_done_stamps_completed_at_and_leaving_clears_it(user: Any, project: Project) -> None:
    task = services.task_create(actor=user, project=project, title="Ship")
    done = services.task_update(actor=user, task=task, status="Done")
    assert done.completed_at is not None
    reopened = services.task_update(actor=user, task=done, status="In progress")
    assert reopened.completed_at is None


def test_a_move_the_workflow_forbids_answers_the_allowed_targets(user: Any, project: Project) -> None:
    services.workflow_replace(
        actor=user,
        project=project,
        statuses=[StatusSpec("To do", "todo"), StatusSpec("Doing", "in_progress"), StatusSpec("Done", "done")],
        transitions=[("To do", "Doing"), ("Doing", "Done")],
    )
    task = services.task_create(actor=user, project=project, title="Step by step")
    with pytest.raises(ValidationError) as err:
        services.task_update(actor=user, task=task, status="Done")
    assert err.value.code == "transition_not_allowed"
    assert err.value.extra == {"allowed": ["Doing"]}
    assert "Doing" in err.value.message
    assert Task.objects.get(pk=task.pk).status.name == "To do"
    services.task_update(actor=user, task=task, status="Doing")


def test_a_move_into_a_full_status_hits_the_wip_limit(user: Any, project: Project) -> None:
    services.workflow_replace(
        actor=user,
        project=project,
        statuses=[StatusSpec("To do", "todo"), StatusSpec("Doing", "in_progress", wip_limit=1)],
        transitions=[],
    )
    services.task_create(actor=user, project=project, title="One", status="Doing")
    second = services.task_create(actor=user, project=project, title="Two")
    with pytest.raises(ValidationError) as err:
        services.task_update(actor=user, task=second, status="Doing", title="Renamed too")
    assert err.value.code == "wip_limit_reached"
    fresh = Task.objects.get(pk=second.pk)
    assert (fresh.status.name, fresh.title, fresh.version) == ("To do", "Two", 1)


def test_a_parent_chain_cannot_loop(user: Any, project: Project) -> None:
    a = services.task_create(actor=user, project=project, title="A")
    b = services.task_create(actor=user, project=project, title="B", parent=a.key)
    c = services.task_create(actor=user, project=project, title="C", parent=b.key)
    with pytest.raises(ValidationError) as err:
        services.task_update(actor=user, task=a, parent=c.key)
    assert err.value.code == "parent_cycle"
    assert "OPS-1 -> OPS-3 -> OPS-2 -> OPS-1" in err.value.message
    with pytest.raises(ValidationError):
        services.task_update(actor=user, task=a, parent=a.key)
    assert Task.objects.get(pk=a.pk).parent_id is None


def test_a_guest_cannot_change_a_task(workspace: Any, user: Any, project: Project) -> None:
    task = services.task_create(actor=user, project=project, title="Mine")
    guest = factories.add_member(workspace, role=Role.GUEST).user
    ProjectMember.objects.create(project=project, user=guest, role="viewer")  # shared with them: read only
    with pytest.raises(PermissionDenied):
        services.task_update(actor=guest, task=task, title="Theirs")
    assert Task.objects.get(pk=task.pk).title == "Mine"


# --- trash ---------------------------------------------------------------------------------------


def test_delete_moves_a_task_to_the_trash_and_restore_brings_it_back(user: Any, project: Project) -> None:
    task = services.task_create(actor=user, project=project, title="Oops")
    services.task_delete(actor=user, task=task)
    trashed = Task.all_objects.get(pk=task.pk)
    assert (trashed.deleted_by, Task.objects.filter(pk=task.pk).exists()) == (user, False)
    restored = services.task_restore(actor=user, task=trashed)
    assert restored.deleted_at is None
    assert Task.objects.filter(pk=task.pk).exists()
    with pytest.raises(ValidationError):
        services.task_restore(actor=user, task=restored)


def test_no_task_can_be_added_to_a_trashed_project(user: Any, project: Project) -> None:
    services.project_delete(actor=user, project=project)
    with pytest.raises(NotFound):
        services.task_create(actor=user, project=project, title="Late")


# --- workflows -----------------------------------------------------------------------------------


def test_a_status_in_use_cannot_be_removed(user: Any, project: Project) -> None:
    services.task_create(actor=user, project=project, title="Busy", status="In review")
    with pytest.raises(ValidationError) as err:
        services.workflow_replace(
            actor=user,
            project=project,
            statuses=[StatusSpec("To do", "todo"), StatusSpec("Done", "done")],
            transitions=[],
        )
    assert err.value.code == "status_in_use"
    assert "'In review' is used by 1 task" in err.value.message
    assert len(_statuses(project)) == 6


def test_a_rename_keeps_the_tasks(user: Any, project: Project) -> None:
    task = services.task_create(actor=user, project=project, title="Kept")
    todo = Status.objects.get(project=project, name="To do")
    specs = [StatusSpec("Ready", "todo", id=todo.pk)] + [
        StatusSpec(s.name, s.category) for s in Status.objects.filter(project=project).exclude(pk=todo.pk)
    ]
    services.workflow_replace(actor=user, project=project, statuses=specs, transitions=[])
    assert Task.objects.get(pk=task.pk).status.name == "Ready"


def test_transitions_must_name_statuses_of_the_workflow(user: Any, project: Project) -> None:
    with pytest.raises(ValidationError) as err:
        services.workflow_replace(
            actor=user, project=project, statuses=[StatusSpec("To do", "todo")], transitions=[("To do", "Ghost")]
        )
    assert err.value.fields == {"transitions.0.to": "unknown status"}
