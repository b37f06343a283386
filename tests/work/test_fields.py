"""Task fields: custom fields and their values, custom types, required fields on a status,
three-point estimates, collaborators and watchers (services)."""

from __future__ import annotations

from typing import Any

import pytest

from labora.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from labora.core.models import DomainEvent
from labora.work import services
from labora.work.models import CustomField, Project, Status, Task
from labora.work.services import fields as field_services
from labora.work.services import watchers as watcher_services
from labora.workspaces.models import Role
from tests import factories


@pytest.fixture
def project(user: Any, workspace: Any) -> Project:
    return services.project_create(actor=user, workspace=workspace, key="OPS", name="Operations")


def _field(user: Any, project: Project, name: str, type: str, options: list[str] | None = None) -> CustomField:
    return field_services.custom_field_create(actor=user, project=project, name=name, type=type, options=options)


def _values(task: Task) -> dict[str, Any]:
    from labora.work import selectors

    fresh = Task.objects.get(pk=task.pk)
    return selectors.attach_custom_values([fresh])[0].custom_values  # type: ignore[attr-defined]  # attached by the selector


# --- definitions ---------------------------------------------------------------------------------


def test_fields_are_defined_in_order_and_recorded(user: Any, project: Project) -> None:
    _field(user, project, "Severity", "select", ["Low", "High"])
    _field(user, project, "Customer", "text")
    assert [(f.name, f.type, f.options, f.position) for f in field_services.field_definitions(project)] == [
        ("Severity", "select", ["Low", "High"], 0),
        ("Customer", "text", [], 1),
    ]
    assert DomainEvent.objects.filter(name="custom_field.created").count() == 2


@pytest.mark.parametrize(
    ("name", "type", "options", "field"),
    [
        ("", "text", None, "name"),
        ("Severity", "colour", None, "type"),
        ("Severity", "select", [], "options"),
        ("Severity", "select", ["A", "a"], "options.1"),
        ("Severity", "text", ["A"], "options"),
        ("cf:Severity", "text", None, "name"),
    ],
)
def test_a_bad_definition_is_refused_naming_the_input(
    user: Any, project: Project, name: str, type: str, options: list[str] | None, field: str
) -> None:
    with pytest.raises(ValidationError) as err:
        _field(user, project, name, type, options)
    assert field in err.value.fields
    assert not CustomField.all_objects.exists()


def test_field_names_are_unique_per_project_ignoring_case(user: Any, project: Project) -> None:
    _field(user, project, "Severity", "text")
    with pytest.raises(Conflict) as err:
        _field(user, project, "severity", "number")
    assert err.value.code == "name_taken"


def test_a_deleted_field_frees_its_name_and_disappears_from_tasks(user: Any, project: Project) -> None:
    field = _field(user, project, "Customer", "text")
    task = services.task_create(actor=user, project=project, title="T", custom_fields={"Customer": "ACME"})
    field_services.custom_field_delete(actor=user, field=field)
    assert _values(task) == {}
    assert Task.objects.get(pk=task.pk).custom_fields == {field.public_id: "ACME"}  # kept in the JSON
    _field(user, project, "Customer", "number")


def test_renaming_a_field_keeps_its_values_and_a_stale_version_is_refused(user: Any, project: Project) -> None:
    field = _field(user, project, "Cust", "text")
    task = services.task_create(actor=user, project=project, title="T", custom_fields={"Cust": "ACME"})
    renamed = field_services.custom_field_update(actor=user, field=field, version=1, name="Customer")
    assert _values(task) == {"Customer": "ACME"}
    with pytest.raises(Conflict):
        field_services.custom_field_update(actor=user, field=renamed, version=1, name="Client")
    assert CustomField.objects.get(pk=field.pk).name == "Customer"


def test_reordering_takes_every_field_once(user: Any, project: Project) -> None:
    a = _field(user, project, "A", "text")
    b = _field(user, project, "B", "text")
    with pytest.raises(ValidationError):
        field_services.custom_field_reorder(actor=user, project=project, field_ids=[b.public_id])
    field_services.custom_field_reorder(actor=user, project=project, field_ids=[b.public_id, a.public_id])
    assert [f.name for f in field_services.field_definitions(project)] == ["B", "A"]


def test_a_guest_cannot_define_fields_and_nothing_changes(workspace: Any, project: Project) -> None:
    guest = factories.add_member(workspace, role=Role.GUEST).user
    with pytest.raises((PermissionDenied, NotFound)):
        _field(guest, project, "Severity", "text")
    assert not CustomField.all_objects.exists()


# --- values --------------------------------------------------------------------------------------


def test_values_of_every_type_are_stored_and_shown_by_name(user: Any, workspace: Any, project: Project) -> None:
    member = factories.add_member(workspace).user
    for name, type, options in [
        ("Notes", "text", None),
        ("Points", "number", None),
        ("Go live", "date", None),
        ("Severity", "select", ["Low", "High"]),
        ("Areas", "multiselect", ["UI", "API", "DB"]),
        ("Reviewer", "user", None),
        ("Signed off", "checkbox", None),
        ("Link", "url", None),
    ]:
        _field(user, project, name, type, options)
    values = {
        "Notes": "Call first",
        "Points": 2.5,
        "Go live": "2026-03-31",
        "severity": "high",  # names and options ignore case
        "Areas": ["api", "UI", "API"],
        "Reviewer": member.email.upper(),
        "Signed off": True,
        "Link": "https://example.com/spec",
    }
    task = services.task_create(actor=user, project=project, title="T", custom_fields=values)
    assert _values(task) == {
        "Notes": "Call first",
        "Points": 2.5,
        "Go live": "2026-03-31",
        "Severity": "High",
        "Areas": ["API", "UI"],
        "Reviewer": member.email,
        "Signed off": True,
        "Link": "https://example.com/spec",
    }


@pytest.mark.parametrize(
    ("type", "options", "value"),
    [
        ("text", None, 5),
        ("number", None, "5"),
        ("number", None, True),
        ("date", None, "31/03/2026"),
        ("date", None, "2026-02-30"),
        ("select", ["Low"], "Medium"),
        ("multiselect", ["Low"], "Low"),
        ("multiselect", ["Low"], ["Low", "Nope"]),
        ("user", None, "stranger@example.com"),
        ("checkbox", None, "yes"),
        ("url", None, "javascript:alert(1)"),
        ("url", None, "not a url"),
    ],
)
def test_a_value_that_does_not_fit_its_type_answers_422_naming_the_field(
    user: Any, project: Project, type: str, options: list[str] | None, value: Any
) -> None:
    _field(user, project, "Thing", type, options)
    with pytest.raises(ValidationError) as err:
        services.task_create(actor=user, project=project, title="T", custom_fields={"Thing": value})
    assert err.value.code == "invalid_custom_field"
    assert "'Thing'" in err.value.message
    assert list(err.value.fields) == ["custom_fields.Thing"]
    assert not Task.all_objects.exists()


def test_an_unknown_field_name_lists_the_known_ones(user: Any, project: Project) -> None:
    _field(user, project, "Severity", "text")
    with pytest.raises(ValidationError) as err:
        services.task_create(actor=user, project=project, title="T", custom_fields={"Sev": "x"})
    assert err.value.code == "unknown_custom_field"
    assert "Its fields: Severity" in err.value.message


def test_an_update_changes_only_the_named_fields_and_null_clears(user: Any, project: Project) -> None:
    _field(user, project, "A", "text")
    _field(user, project, "B", "number")
    task = services.task_create(actor=user, project=project, title="T", custom_fields={"A": "x", "B": 1})
    updated = services.task_update(actor=user, task=task, custom_fields={"B": None})
    assert _values(updated) == {"A": "x"}
    event = DomainEvent.objects.filter(name="task.updated").latest("id")
    assert event.changes == {"cf:B": [1, None]}


# --- custom types ----------------------------------------------------------------------------------


def test_a_project_type_can_be_used_and_removing_it_while_used_is_refused(user: Any, project: Project) -> None:
    with pytest.raises(ValidationError):
        services.task_create(actor=user, project=project, title="T", type="story")
    updated = field_services.project_types_replace(actor=user, project=project, types=["Story", "Spike"], version=1)
    assert field_services.task_types(updated) == ["task", "bug", "milestone", "epic", "Story", "Spike"]
    task = services.task_create(actor=user, project=updated, title="T", type="story")
    assert task.type == "Story"
    with pytest.raises(ValidationError) as err:
        field_services.project_types_replace(actor=user, project=updated, types=["Spike"])
    assert err.value.code == "type_in_use"
    assert field_services.custom_type_names(Project.objects.get(pk=project.pk)) == ["Story", "Spike"]


@pytest.mark.parametrize("types", [["bug"], ["Story", "story"], [""]])
def test_custom_types_are_unique_and_not_built_in(user: Any, project: Project, types: list[str]) -> None:
    with pytest.raises(ValidationError):
        field_services.project_types_replace(actor=user, project=project, types=types)


# --- required fields -------------------------------------------------------------------------------


def _require(user: Any, project: Project, status: str, required: tuple[str, ...]) -> None:
    specs = [
        services.StatusSpec(s.name, s.category, s.wip_limit, s.pk, s.colour, required if s.name == status else ())
        for s in Status.objects.filter(project=project)
    ]
    services.workflow_replace(actor=user, project=project, statuses=specs, transitions=[])


def test_entering_a_status_without_its_required_fields_names_them(user: Any, project: Project) -> None:
    _field(user, project, "Root cause", "text")
    _require(user, project, "Done", ("assignee", "estimate", "cf:root cause"))
    task = services.task_create(actor=user, project=project, title="T")
    with pytest.raises(ValidationError) as err:
        services.task_update(actor=user, task=task, status="Done")
    assert err.value.code == "required_field_missing"
    assert set(err.value.fields) == {"assignee", "estimate", "cf:Root cause"}
    assert "assignee, estimate, cf:Root cause" in err.value.message
    assert Task.objects.get(pk=task.pk).status.name != "Done"

    done = services.task_update(
        actor=user,
        task=task,
        status="Done",
        assignee=user.email,
        estimate_hours=1,
        custom_fields={"Root cause": "DNS"},
    )
    assert done.status.name == "Done"


def test_creating_straight_into_a_demanding_status_is_checked_too(user: Any, project: Project) -> None:
    _require(user, project, "In progress", ("labels",))
    with pytest.raises(ValidationError) as err:
        services.task_create(actor=user, project=project, title="T", status="In progress")
    assert err.value.fields == {"labels": "required by 'In progress'"}
    task = services.task_create(actor=user, project=project, title="T", status="In progress", labels=["ops"])
    assert task.status.name == "In progress"


def test_a_workflow_cannot_require_unknown_fields(user: Any, project: Project) -> None:
    with pytest.raises(ValidationError) as err:
        _require(user, project, "Done", ("cf:Nope",))
    assert "unknown custom field" in err.value.fields.values()
    with pytest.raises(ValidationError):
        _require(user, project, "Done", ("colour",))


def test_status_colours_are_checked_and_fall_back_to_the_category(user: Any, project: Project) -> None:
    specs = [
        services.StatusSpec(s.name, s.category, None, s.pk, "#AA0000" if s.name == "Done" else "")
        for s in Status.objects.filter(project=project)
    ]
    services.workflow_replace(actor=user, project=project, statuses=specs, transitions=[])
    colours = {s.name: (s.colour, s.badge_colour) for s in Status.objects.filter(project=project)}
    assert colours["Done"] == ("#aa0000", "#aa0000")
    assert colours["To do"] == ("", "#7c8190")
    bad = [services.StatusSpec("To do", "todo", colour="red")]
    with pytest.raises(ValidationError) as err:
        services.workflow_replace(actor=user, project=project, statuses=bad, transitions=[])
    assert err.value.fields == {"statuses.0.colour": "not #rrggbb"}


# --- estimates -----------------------------------------------------------------------------------


def test_three_points_alone_give_the_pert_estimate(user: Any, project: Project) -> None:
    task = services.task_create(
        actor=user,
        project=project,
        title="T",
        estimate_optimistic_hours=2,
        estimate_likely_hours=4,
        estimate_pessimistic_hours=12,
    )
    assert (task.estimate_optimistic_minutes, task.estimate_likely_minutes, task.estimate_pessimistic_minutes) == (
        120,
        240,
        720,
    )
    assert task.estimate_minutes == 300  # (2 + 16 + 12) / 6 = 5 h


def test_an_explicit_estimate_wins_over_pert(user: Any, project: Project) -> None:
    task = services.task_create(
        actor=user,
        project=project,
        title="T",
        estimate_hours=1,
        estimate_optimistic_hours=2,
        estimate_likely_hours=4,
        estimate_pessimistic_hours=12,
    )
    assert task.estimate_minutes == 60
    updated = services.task_update(actor=user, task=task, estimate_pessimistic_hours=6)
    assert updated.estimate_minutes == 240  # (2 + 16 + 6) / 6 = 4 h


def test_three_points_must_be_in_order(user: Any, project: Project) -> None:
    with pytest.raises(ValidationError) as err:
        services.task_create(
            actor=user, project=project, title="T", estimate_optimistic_hours=5, estimate_likely_hours=3
        )
    assert err.value.code == "estimate_order"
    assert err.value.fields == {"estimate_likely_hours": "below estimate_optimistic_hours"}
    assert not Task.all_objects.exists()


# --- collaborators and watchers ------------------------------------------------------------------


def test_collaborators_are_members_and_changes_are_recorded(user: Any, workspace: Any, project: Project) -> None:
    a = factories.add_member(workspace).user
    b = factories.add_member(workspace).user
    task = services.task_create(actor=user, project=project, title="T", collaborators=[a.email, a.email])
    assert list(task.collaborators.all()) == [a]
    with pytest.raises(ValidationError) as err:
        services.task_update(actor=user, task=task, collaborators=["stranger@example.com"])
    assert err.value.fields == {"collaborators.0": "not a member of this workspace"}
    services.task_update(actor=user, task=task, collaborators=[b.email])
    event = DomainEvent.objects.filter(name="task.updated").latest("id")
    assert event.changes == {"collaborators": [[a.email], [b.email]]}


def test_the_reporter_and_the_assignee_watch_automatically(user: Any, workspace: Any, project: Project) -> None:
    a = factories.add_member(workspace).user
    b = factories.add_member(workspace).user
    task = services.task_create(actor=user, project=project, title="T", assignee=a.email)
    assert set(task.watchers.all()) == {user, a}
    services.task_update(actor=user, task=task, assignee=b.email)
    assert set(Task.objects.get(pk=task.pk).watchers.all()) == {user, a, b}


def test_watching_yourself_and_others(user: Any, workspace: Any, project: Project) -> None:
    reader = factories.add_member(workspace).user
    other = factories.add_member(workspace).user
    task = services.task_create(actor=user, project=project, title="T")
    watcher_services.task_watch(actor=reader, task=task)
    watcher_services.task_watch(actor=reader, task=task)  # twice: nothing new
    watcher_services.task_watch(actor=user, task=task, email=other.email)
    assert set(task.watchers.all()) == {user, reader, other}
    assert DomainEvent.objects.filter(name="task.watcher_added").count() == 2
    watcher_services.task_unwatch(actor=reader, task=task)
    assert set(task.watchers.all()) == {user, other}
    with pytest.raises(ValidationError):
        watcher_services.task_unwatch(actor=user, task=task, email=reader.email)


def test_a_guest_cannot_make_others_watch(workspace: Any, user: Any, project: Project) -> None:
    guest = factories.add_member(workspace, role=Role.GUEST).user
    task = services.task_create(actor=user, project=project, title="T")
    with pytest.raises((PermissionDenied, NotFound)):  # a guest does not even see an unshared project
        watcher_services.task_watch(actor=guest, task=task, email=user.email)
    assert set(task.watchers.all()) == {user}
