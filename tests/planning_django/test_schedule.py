"""POST /workspaces/{ws}/projects/{key}/schedule, scheduling settings and auto-scheduling."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from labora.core.errors import PermissionDenied
from labora.core.models import DomainEvent
from labora.planning import services
from labora.planning.models import TaskPlan
from labora.work import services as work_services
from labora.work.models import Task
from tests.planning_django.conftest import WS, event_names

D = datetime.date


@pytest.fixture
def textbook(make_task: Any, link: Any) -> dict[str, Task]:
    """Monday 6 January 2025, Mon-Fri. A 3d; B 2d after A; C 2d starting a day after A starts (SS+1);
    D, a milestone after B and C. Hand-checked: A Mon-Wed, C Tue-Wed (2 days of float, free too),
    B Thu-Fri, D Fri; A, B, D critical; finish Friday 10."""
    a, b, c, d = make_task("A", 3), make_task("B", 2), make_task("C", 2), make_task("D", 0)
    link(a, b)
    link(a, c, "SS", 1)
    link(b, d)
    link(c, d)
    return {"A": a, "B": b, "C": c, "D": d}


def test_the_schedule_answers_api_md_body_on_a_hand_checked_example(api: Any, textbook: dict[str, Task]) -> None:
    response = api.post_json(f"{WS}/projects/PLN/schedule")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "start_date": "2025-01-06",
        "finish_date": "2025-01-10",
        "critical_path": ["PLN-1", "PLN-2", "PLN-4"],
        "tasks": [
            {"key": "PLN-1", "early_start": "2025-01-06", "early_finish": "2025-01-08", "late_start": "2025-01-06",
             "late_finish": "2025-01-08", "total_float_days": 0, "free_float_days": 0, "critical": True},
            {"key": "PLN-3", "early_start": "2025-01-07", "early_finish": "2025-01-08", "late_start": "2025-01-09",
             "late_finish": "2025-01-10", "total_float_days": 2, "free_float_days": 2, "critical": False},
            {"key": "PLN-2", "early_start": "2025-01-09", "early_finish": "2025-01-10", "late_start": "2025-01-09",
             "late_finish": "2025-01-10", "total_float_days": 0, "free_float_days": 0, "critical": True},
            {"key": "PLN-4", "early_start": "2025-01-10", "early_finish": "2025-01-10", "late_start": "2025-01-10",
             "late_finish": "2025-01-10", "total_float_days": 0, "free_float_days": 0, "critical": True},
        ],
        "conflicts": [],
    }  # fmt: skip


def test_the_schedule_writes_the_dates_in_one_event_and_bumps_versions(api: Any, textbook: dict[str, Task]) -> None:
    versions = dict(Task.objects.values_list("number", "version"))
    api.post_json(f"{WS}/projects/PLN/schedule")
    tasks = {t.title: t for t in Task.objects.all()}
    assert (tasks["A"].start_date, tasks["A"].due_date) == (D(2025, 1, 6), D(2025, 1, 8))
    assert (tasks["C"].start_date, tasks["C"].due_date) == (D(2025, 1, 7), D(2025, 1, 8))
    assert (tasks["D"].start_date, tasks["D"].due_date) == (D(2025, 1, 10), D(2025, 1, 10))
    assert all(t.version == versions[t.number] + 1 for t in tasks.values())
    scheduled = DomainEvent.objects.filter(name="project.scheduled")
    assert scheduled.count() == 1
    assert scheduled.get().data["moved"] == 4
    plan = TaskPlan.objects.get(task=tasks["C"])
    assert (plan.total_float_days, plan.free_float_days, plan.critical) == (2, 2, False)
    # scheduling again moves nothing and bumps nothing
    api.post_json(f"{WS}/projects/PLN/schedule")
    assert DomainEvent.objects.filter(name="project.scheduled").last().data["moved"] == 0  # type: ignore[union-attr]
    assert Task.objects.get(pk=tasks["A"].pk).version == tasks["A"].version


def test_a_holiday_in_the_project_calendar_moves_the_finish(api: Any, textbook: dict[str, Task]) -> None:
    api.put_json(
        f"{WS}/projects/PLN/calendar", {"working_days": ["mon", "tue", "wed", "thu", "fri"], "holidays": ["2025-01-09"]}
    )
    body = api.post_json(f"{WS}/projects/PLN/schedule").json()
    assert body["finish_date"] == "2025-01-13"
    b = next(t for t in body["tasks"] if t["key"] == "PLN-2")
    assert (b["early_start"], b["early_finish"]) == ("2025-01-10", "2025-01-13")


def test_a_manual_task_keeps_its_dates_and_reports_the_conflict(
    api: Any, user: Any, textbook: dict[str, Task], make_task: Any, link: Any
) -> None:
    early = make_task("Too early", 2, start_date=D(2025, 1, 6), due_date=D(2025, 1, 7))
    link(textbook["A"], early)
    services.task_plan_update(actor=user, task=early, mode="manual")
    body = api.post_json(f"{WS}/projects/PLN/schedule").json()
    early.refresh_from_db()
    assert (early.start_date, early.due_date) == (D(2025, 1, 6), D(2025, 1, 7))
    assert [c["task"] for c in body["conflicts"]] == ["PLN-5"]
    assert body["conflicts"][0]["messages"]
    plan = api.get(f"{WS}/tasks/PLN-5/plan").json()
    assert plan["mode"] == "manual"
    assert plan["conflicts"] == body["conflicts"][0]["messages"]


def test_an_impossible_constraint_is_a_conflict_not_a_crash(api: Any, textbook: dict[str, Task]) -> None:
    response = api.patch_json(
        f"{WS}/tasks/PLN-2/plan", {"constraint_type": "FNLT", "constraint_date": "2025-01-07"}, HTTP_IF_MATCH="0"
    )
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 1
    body = api.post_json(f"{WS}/projects/PLN/schedule").json()
    assert "PLN-2" in [c["task"] for c in body["conflicts"]]
    b = next(t for t in body["tasks"] if t["key"] == "PLN-2")
    assert b["total_float_days"] < 0


def test_a_constraint_needs_a_date(api: Any, textbook: dict[str, Task]) -> None:
    response = api.patch_json(f"{WS}/tasks/PLN-2/plan", {"constraint_type": "SNET"})
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"constraint_date": "required"}


def test_a_summary_spans_its_subtasks(api: Any, make_task: Any, link: Any) -> None:
    phase = make_task("Phase", None)
    one = make_task("One", 2, parent=phase.key)
    two = make_task("Two", 3, parent=phase.key)
    link(one, two)
    body = api.post_json(f"{WS}/projects/PLN/schedule").json()
    by_key = {t["key"]: t for t in body["tasks"]}
    assert (by_key[phase.key]["early_start"], by_key[phase.key]["early_finish"]) == ("2025-01-06", "2025-01-10")
    assert body["critical_path"] == [one.key, two.key]


def test_durations_without_duration_days(api: Any, make_task: Any) -> None:
    make_task("From dates", None, start_date=D(2025, 1, 10), due_date=D(2025, 1, 14))  # Fri..Tue: 3 working days
    make_task("From estimate", None, estimate_hours=20)  # 20 h at 8 h a day: 3 days
    make_task("Nothing known", None)  # 1 day
    make_task("A milestone", None, type="milestone")
    by_key = {t["key"]: t for t in api.post_json(f"{WS}/projects/PLN/schedule").json()["tasks"]}
    assert (by_key["PLN-1"]["early_start"], by_key["PLN-1"]["early_finish"]) == ("2025-01-06", "2025-01-08")
    assert by_key["PLN-2"]["early_finish"] == "2025-01-08"
    assert by_key["PLN-3"]["early_finish"] == "2025-01-06"
    assert by_key["PLN-4"]["early_start"] == by_key["PLN-4"]["early_finish"] == "2025-01-06"


def test_a_project_without_a_start_date_answers_422(api: Any, user: Any, workspace: Any) -> None:
    work_services.project_create(actor=user, workspace=workspace, key="NOD", name="No date")
    response = api.post_json(f"{WS}/projects/NOD/schedule")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "no_start_date"
    assert "start_date" in response.json()["error"]["message"]


def test_a_viewer_cannot_schedule(viewer: Any, api_for: Any, textbook: dict[str, Task]) -> None:
    response = api_for(viewer).post_json(f"{WS}/projects/PLN/schedule")
    assert response.status_code == 403
    assert Task.objects.filter(start_date__isnull=False).count() == 0
    assert not DomainEvent.objects.filter(name="project.scheduled").exists()
    with pytest.raises(PermissionDenied):
        services.project_schedule(actor=viewer, project=textbook["A"].project)


def test_scheduling_costs_the_same_for_4_or_24_tasks(
    api: Any, textbook: dict[str, Task], make_task: Any, link: Any, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(40) as small:
        assert api.post_json(f"{WS}/projects/PLN/schedule").status_code == 200
    previous = textbook["D"]
    for i in range(20):
        task = make_task(f"Extra {i}", 1 + i % 3)
        link(previous, task)
        previous = task
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert api.post_json(f"{WS}/projects/PLN/schedule").status_code == 200


# --- auto-scheduling -------------------------------------------------------------------------------


def test_auto_scheduling_reschedules_after_a_change(
    api: Any, user: Any, textbook: dict[str, Task], run_events: Any
) -> None:
    assert api.get(f"{WS}/projects/PLN/plan").json()["auto_schedule"] is False
    with run_events():
        on = api.patch_json(f"{WS}/projects/PLN/plan", {"auto_schedule": True}, HTTP_IF_MATCH="0")
        assert on.status_code == 200
        api.post_json(f"{WS}/projects/PLN/schedule")
        # a longer A moves B and D
        work_services.task_update(actor=user, task=textbook["A"], duration_days=5)
    d = Task.objects.get(pk=textbook["D"].pk)
    assert d.due_date == D(2025, 1, 14)
    plan = api.get(f"{WS}/projects/PLN/plan").json()
    assert (plan["finish_date"], plan["critical_path"]) == ("2025-01-14", ["PLN-1", "PLN-2", "PLN-4"])
    assert event_names().count("project.scheduled") == 2


def test_auto_scheduling_follows_new_dependencies(
    api: Any, user: Any, textbook: dict[str, Task], make_task: Any, run_events: Any
) -> None:
    late = make_task("Late", 1)
    with run_events():
        services.project_plan_update(actor=user, project=late.project, auto_schedule=True)
        api.post_json(f"{WS}/tasks/{late.key}/dependencies", {"predecessor": "PLN-4", "lag_days": 2})
    late.refresh_from_db()
    # D is a milestone at the end of Friday 10; two working days of lag end on Tuesday evening
    assert (late.start_date, late.due_date) == (D(2025, 1, 15), D(2025, 1, 15))


def test_moving_the_start_of_an_auto_task_pins_it(user: Any, textbook: dict[str, Task], run_events: Any) -> None:
    c = textbook["C"]
    with run_events():
        services.project_plan_update(actor=user, project=c.project, auto_schedule=True)
        work_services.task_update(actor=user, task=c, start_date=D(2025, 1, 13), due_date=D(2025, 1, 14))
    c.refresh_from_db()
    plan = TaskPlan.objects.get(task=c)
    assert (plan.constraint_type, plan.constraint_date) == ("SNET", D(2025, 1, 13))
    assert (c.start_date, c.due_date) == (D(2025, 1, 13), D(2025, 1, 14))
    d = Task.objects.get(pk=textbook["D"].pk)
    assert d.due_date == D(2025, 1, 14)  # the milestone waits for C now


def test_moving_the_due_date_of_a_due_only_task_pins_its_finish(
    user: Any, textbook: dict[str, Task], run_events: Any
) -> None:
    # given an auto-scheduled project whose task C has no start yet (auto-scheduling switched on
    # after a schedule-free start) and a due date
    c = textbook["C"]
    services.project_plan_update(actor=user, project=c.project, auto_schedule=True)
    Task.objects.filter(pk=c.pk).update(due_date=D(2025, 1, 7))
    c.refresh_from_db()
    assert c.start_date is None
    # when a person moves its due date (the calendar's drop of a due-only chip)
    with run_events():
        work_services.task_update(actor=user, task=c, version=c.version, due_date=D(2025, 1, 16))
    # then the move is kept as "finish no earlier than" and the schedule honours it
    c.refresh_from_db()
    plan = TaskPlan.objects.get(task=c)
    assert (plan.constraint_type, plan.constraint_date) == ("FNET", D(2025, 1, 16))
    assert (c.start_date, c.due_date) == (D(2025, 1, 15), D(2025, 1, 16))
    assert Task.objects.get(pk=textbook["D"].pk).due_date == D(2025, 1, 16)  # the milestone waits for C
    assert event_names().count("project.scheduled") >= 1


def test_a_pinned_move_survives_the_next_reschedule(user: Any, textbook: dict[str, Task], run_events: Any) -> None:
    c = textbook["C"]
    with run_events():
        services.project_plan_update(actor=user, project=c.project, auto_schedule=True)
        work_services.task_update(actor=user, task=c, start_date=D(2025, 1, 13), due_date=D(2025, 1, 14))
        # another change of the project reschedules it
        work_services.task_update(actor=user, task=Task.objects.get(pk=textbook["A"].pk), duration_days=4)
    c.refresh_from_db()
    assert (c.start_date, c.due_date) == (D(2025, 1, 13), D(2025, 1, 14))
    assert Task.objects.get(pk=textbook["D"].pk).due_date == D(2025, 1, 14)


def test_a_manual_task_is_not_pinned(user: Any, textbook: dict[str, Task], run_events: Any) -> None:
    c = textbook["C"]
    services.task_plan_update(actor=user, task=c, mode="manual")
    with run_events():
        services.project_plan_update(actor=user, project=c.project, auto_schedule=True)
        work_services.task_update(actor=user, task=c, start_date=D(2025, 1, 13), due_date=D(2025, 1, 14))
    plan = TaskPlan.objects.get(task=c)
    assert (plan.constraint_type, plan.constraint_date) == ("ASAP", None)


def test_without_auto_scheduling_nothing_moves_by_itself(user: Any, textbook: dict[str, Task], run_events: Any) -> None:
    with run_events():
        work_services.task_update(actor=user, task=textbook["A"], duration_days=5)
    assert Task.objects.filter(start_date__isnull=False).count() == 0
    assert "project.scheduled" not in event_names()


def test_only_managers_change_planning_settings(contributor: Any, api_for: Any, textbook: dict[str, Task]) -> None:
    response = api_for(contributor).patch_json(f"{WS}/projects/PLN/plan", {"auto_schedule": True})
    assert response.status_code == 403
    assert api_for(contributor).post_json(f"{WS}/projects/PLN/schedule").status_code == 200


def test_a_bulk_edit_reschedules_once(api: Any, user: Any, textbook: dict[str, Task], run_events: Any) -> None:
    services.project_plan_update(actor=user, project=textbook["A"].project, auto_schedule=True)
    with run_events():
        response = api.post_json(
            f"{WS}/projects/PLN/tasks/bulk",
            {"tasks": ["PLN-1", "PLN-2", "PLN-3"], "set": {"due_date": "2025-03-03"}},
        )
        assert response.status_code == 200, response.content
    assert event_names().count("project.scheduled") == 1
    # a due date typed on tasks without a start sticks: "finish no earlier than" (MS Project)
    assert Task.objects.get(pk=textbook["A"].pk).due_date == D(2025, 3, 3)
    plans = TaskPlan.objects.filter(task__in=[textbook[k] for k in "ABC"]).order_by("task_id")
    assert [(p.constraint_type, p.constraint_date) for p in plans] == [("FNET", D(2025, 3, 3))] * 3
