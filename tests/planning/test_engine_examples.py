"""Hand-checked schedules. The week of 2025-03-03 (a Monday): Mon 3, Tue 4, Wed 5, Thu 6, Fri 7, Mon 10..."""

from __future__ import annotations

from datetime import date

import pytest

from labora.planning.engine import (
    Calendar,
    ConstraintType,
    CycleError,
    Dependency,
    DependencyAdded,
    DependencyType,
    ScheduleInputError,
    ScheduleResult,
    Task,
    reschedule,
    schedule,
)

# Pure Python (pytest-django would refuse a query): run once, not again on PostgreSQL.
pytestmark = pytest.mark.db_free

FS, SS, FF, SF = DependencyType.FS, DependencyType.SS, DependencyType.FF, DependencyType.SF
START = date(2025, 3, 3)
CAL = Calendar()


def d(day: int) -> date:
    return date(2025, 3, day)


def run(tasks: list[Task], deps: list[Dependency], cal: Calendar = CAL, start: date = START) -> ScheduleResult:
    return schedule(tasks, deps, cal, start)


@pytest.mark.parametrize(
    ("kind", "lag", "b_start", "b_finish"),
    [
        (FS, 0, d(6), d(7)),
        (FS, 2, d(10), d(11)),  # two working days over the weekend
        (FS, -1, d(5), d(6)),  # a lead: overlap the last day
        (SS, 1, d(4), d(5)),
        (SS, -2, d(3), d(4)),  # cannot start before the project
        (FF, 0, d(4), d(5)),
        (FF, 2, d(6), d(7)),
        (FF, -1, d(3), d(4)),
        (SF, 0, d(3), d(4)),  # the start of a bound nothing here: B starts with the project
        (SF, 4, d(5), d(6)),  # B finishes 4 working days after A starts (end of Thu)
    ],
)
def test_each_dependency_type_with_lags(kind: DependencyType, lag: int, b_start: date, b_finish: date) -> None:
    # given A (3 days, Mon-Wed) and B (2 days) linked with a type and lag
    result = run([Task("A", 3), Task("B", 2)], [Dependency("A", "B", kind, lag)])
    # then B is where the textbook puts it
    assert result.tasks["A"].early_start == d(3)
    assert result.tasks["A"].early_finish == d(5)
    assert (result.tasks["B"].early_start, result.tasks["B"].early_finish) == (b_start, b_finish)


def test_floats_critical_path_and_project_finish() -> None:
    result = run(
        [Task("A", 3), Task("B", 2), Task("C", 1)],
        [Dependency("A", "B"), Dependency("A", "C")],
    )
    assert result.finish_date == d(7)
    assert result.critical_path == ["A", "B"]
    assert result.critical_chains == [["A", "B"]]
    c = result.tasks["C"]
    assert (c.early_start, c.early_finish, c.late_start, c.late_finish) == (d(6), d(6), d(7), d(7))
    assert (c.total_float_days, c.free_float_days, c.critical) == (1, 1, False)
    assert (result.tasks["A"].total_float_days, result.tasks["A"].free_float_days) == (0, 0)


def test_free_float_differs_from_total_float() -> None:
    # C (1 day) feeds D, which has 2 days of float; C's free float is 0 but its total float 2
    result = run(
        [Task("A", 5), Task("C", 1), Task("D", 2)],
        [Dependency("C", "D")],
    )
    assert result.tasks["C"].free_float_days == 0
    assert result.tasks["C"].total_float_days == 2
    assert result.tasks["D"].free_float_days == 2


def test_tied_paths_give_two_critical_chains() -> None:
    result = run(
        [Task("A", 1), Task("B", 2), Task("C", 2), Task("D", 1)],
        [Dependency("A", "B"), Dependency("A", "C"), Dependency("B", "D"), Dependency("C", "D")],
    )
    assert result.critical_path == ["A", "B", "C", "D"]
    assert result.critical_chains == [["A", "B", "D"], ["A", "C", "D"]]


def test_milestones_take_the_date_of_what_drives_them() -> None:
    result = run(
        [Task("A", 3), Task("after", 0), Task("at-start", 0), Task("T", 2), Task("with-T", 0)],
        [Dependency("A", "after"), Dependency("A", "T"), Dependency("T", "with-T", SS)],
    )
    # finish-to-start after a task that ends on Wednesday: on Wednesday (MS Project's convention)
    assert result.tasks["after"].early_start == result.tasks["after"].early_finish == d(5)
    # start-to-start with a task that starts on Thursday: on Thursday
    assert result.tasks["with-T"].early_start == d(6)
    assert result.tasks["at-start"].early_start == d(3)
    assert result.tasks["after"].is_milestone


def test_summary_spans_children_and_links_on_summaries_apply_to_children() -> None:
    tasks = [
        Task("P", 1),
        Task("S"),
        Task("X", 2, parent="S"),
        Task("Y", 1, parent="S"),
        Task("Z", 1),
        Task("P2", 5),
        Task("S2"),
        Task("Q", 1, parent="S2"),
    ]
    deps = [
        Dependency("P", "S"),  # every subtask of S starts after P
        Dependency("X", "Y"),
        Dependency("S", "Z"),  # Z starts after the last subtask of S
        Dependency("P2", "S2", FF),  # copied onto S2's subtasks
    ]
    result = run(tasks, deps)
    assert (result.tasks["X"].early_start, result.tasks["X"].early_finish) == (d(4), d(5))
    assert result.tasks["Y"].early_start == d(6)
    s = result.tasks["S"]
    assert (s.early_start, s.early_finish, s.is_summary) == (d(4), d(6), True)
    assert result.tasks["Z"].early_start == d(7)
    assert result.tasks["Q"].early_finish == d(7)
    assert result.critical_chains == [["P", "X", "Y", "Z"], ["P2", "Q"]]
    assert "S" not in result.critical_path


def test_snet_and_mso_constraints() -> None:
    result = run(
        [
            Task("A", 3),
            Task("late", 1, constraint=ConstraintType.SNET, constraint_date=d(5)),
            Task("fixed", 1, constraint=ConstraintType.MSO, constraint_date=d(11)),
        ],
        [Dependency("A", "fixed")],
    )
    assert result.tasks["late"].early_start == d(5)
    assert result.tasks["fixed"].early_start == d(11)
    assert result.conflicts == {}


def test_impossible_finish_no_later_than_is_a_conflict_with_negative_float() -> None:
    result = run(
        [Task("A", 3), Task("B", 2, constraint=ConstraintType.FNLT, constraint_date=d(5))],
        [Dependency("A", "B")],
    )
    b = result.tasks["B"]
    assert b.early_finish == d(7)
    assert b.total_float_days == -2
    assert b.critical
    assert b.conflicts == ("finish no later than 2025-03-05 cannot be met: the earliest finish is 2025-03-07",)
    assert result.tasks["A"].total_float_days == -2


def test_must_start_on_before_its_predecessor_allows_is_a_conflict() -> None:
    result = run(
        [Task("A", 3), Task("B", 1, constraint=ConstraintType.MSO, constraint_date=d(4))],
        [Dependency("A", "B")],
    )
    assert result.tasks["B"].early_start == d(4)
    assert result.conflicts == {
        "B": ("the dependency on A (FS +0d) needs a start on or after 2025-03-06, but the task starts on 2025-03-04",)
    }


def test_manual_task_keeps_its_dates_and_reports_the_violated_dependency() -> None:
    result = run(
        [Task("A", 3), Task("M", 2, manually_scheduled=True, start=d(4), finish=d(5)), Task("N", 1)],
        [Dependency("A", "M"), Dependency("M", "N")],
    )
    m = result.tasks["M"]
    assert (m.early_start, m.early_finish) == (d(4), d(5))
    assert m.conflicts == (
        "the dependency on A (FS +0d) needs a start on or after 2025-03-06, but the task starts on 2025-03-04",
    )
    assert result.tasks["N"].early_start == d(6)  # successors follow the manual dates


def test_actual_dates_pin_work_under_way_and_done() -> None:
    result = run(
        [Task("done", 2, actual_start=d(3), actual_finish=d(5)), Task("going", 4, actual_start=d(4)), Task("next", 1)],
        [Dependency("done", "next")],
    )
    assert (result.tasks["done"].early_start, result.tasks["done"].early_finish) == (d(3), d(5))
    assert not result.tasks["done"].critical  # finished work is never critical
    assert (result.tasks["going"].early_start, result.tasks["going"].early_finish) == (d(4), d(7))
    assert result.tasks["next"].early_start == d(6)


def test_holidays_and_elapsed_lags() -> None:
    cal = Calendar(holidays=frozenset({d(6)}))
    result = run(
        [Task("A", 3), Task("B", 2), Task("C", 1)],
        [Dependency("A", "B"), Dependency("A", "C", lag_days=3, lag_elapsed=True)],
        cal=cal,
    )
    assert (result.tasks["B"].early_start, result.tasks["B"].early_finish) == (d(7), d(10))  # Thursday is off
    # Wednesday's end + 3 calendar days = Saturday: C starts Monday
    assert result.tasks["C"].early_start == d(10)


def test_cycle_is_reported_with_its_tasks_in_order() -> None:
    with pytest.raises(CycleError) as caught:
        run(
            [Task("a", 1), Task("b", 1), Task("c", 1), Task("x", 1)],
            [Dependency("a", "b"), Dependency("b", "c"), Dependency("c", "a"), Dependency("x", "a")],
        )
    ids = caught.value.task_ids
    assert sorted(map(str, ids)) == ["a", "b", "c"]
    start = ids.index("a")
    assert ids[start:] + ids[:start] == ["a", "b", "c"]


def test_link_between_a_summary_and_its_own_subtask_is_a_cycle() -> None:
    with pytest.raises(CycleError) as caught:
        run([Task("S"), Task("x", 1, parent="S")], [Dependency("S", "x")])
    assert sorted(map(str, caught.value.task_ids)) == ["S", "x"]


def test_adding_a_dependency_that_closes_a_cycle_leaves_the_schedule_usable() -> None:
    first = run([Task("a", 1), Task("b", 1), Task("c", 1)], [Dependency("a", "b"), Dependency("b", "c")])
    with pytest.raises(CycleError) as caught:
        reschedule(first, DependencyAdded(Dependency("c", "a")))
    assert caught.value.task_ids == ["c", "a", "b"]
    again = reschedule(first, DependencyAdded(Dependency("a", "c", lag_days=5)))
    assert again.tasks["c"].early_start == d(11)


@pytest.mark.parametrize(
    ("tasks", "deps", "message"),
    [
        ([Task("a", 1), Task("a", 2)], [], "listed twice"),
        ([Task("a", 1)], [Dependency("a", "zz")], "unknown task 'zz'"),
        ([Task("a", 1, parent="nope")], [], "unknown parent"),
        ([Task("a", 1, parent="b"), Task("b", parent="a")], [], "hierarchy loops"),
        ([Task("a", -1)], [], "negative duration"),
        ([Task("a", 1), Task("b", 1)], [Dependency("a", "b"), Dependency("a", "b", SS)], "two dependencies"),
        ([Task("a", 1, constraint=ConstraintType.SNET)], [], "needs a date"),
    ],
)
def test_bad_input_is_refused_with_a_message(tasks: list[Task], deps: list[Dependency], message: str) -> None:
    with pytest.raises(ScheduleInputError, match=message):
        run(tasks, deps)
