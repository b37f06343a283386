"""The incremental path on richer networks: constraints, manual and finished work, elapsed lags,
milestones and nested summaries. ``reschedule`` re-derives floats, dates and chains only for the
nodes a change touched; whatever the change, the answer must equal a full ``schedule``."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, replace
from datetime import date, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from labora.planning.engine import (
    Calendar,
    Change,
    ConstraintType,
    CycleError,
    Dependency,
    DependencyAdded,
    DependencyChanged,
    DependencyRemoved,
    DependencyType,
    DurationChanged,
    ScheduleInputError,
    Task,
    reschedule,
    schedule,
)
from labora.planning.engine import network as network_module
from labora.planning.engine.calendar import WorkingDays
from labora.planning.engine.model import TaskSchedule
from labora.planning.engine.passes import _task_schedule

# Pure Python (pytest-django would refuse a query): run once, not again on PostgreSQL.
pytestmark = pytest.mark.db_free


START = date(2025, 3, 3)
CAL = Calendar(
    holidays=frozenset({date(2025, 3, 12), date(2025, 4, 1)}), extra_working_days=frozenset({date(2025, 3, 15)})
)
TYPES = list(DependencyType)
CONSTRAINTS = list(ConstraintType)


@dataclass
class Net:
    tasks: list[Task]
    deps: list[Dependency]


def day(offset: int) -> date:
    return START + timedelta(days=offset)


@st.composite
def rich_networks(draw: st.DrawFn) -> Net:
    n = draw(st.integers(3, 16))
    parents: list[int | None] = [None]
    for i in range(1, n):
        parents.append(draw(st.none() | st.none() | st.integers(0, i - 1)))
    ancestors: list[set[int]] = []
    for i in range(n):
        chain: set[int] = set()
        p = parents[i]
        while p is not None:
            chain.add(p)
            p = parents[p]
        ancestors.append(chain)
    tasks = []
    for i in range(n):
        duration = draw(st.integers(0, 6))
        constraint = draw(st.sampled_from([ConstraintType.ASAP] * 6 + CONSTRAINTS))
        extra: dict[str, object] = {}
        if constraint != ConstraintType.ASAP:
            extra["constraint_date"] = day(draw(st.integers(-3, 40)))
        mode = draw(st.sampled_from(["auto"] * 6 + ["manual", "started", "done"]))
        if mode == "manual":
            extra["manually_scheduled"] = True
            extra["start"] = day(draw(st.integers(0, 30)))
            if draw(st.booleans()):
                extra["finish"] = extra["start"] + timedelta(days=draw(st.integers(0, 9)))  # type: ignore[operator]
        elif mode == "started":
            extra["actual_start"] = day(draw(st.integers(-5, 10)))
        elif mode == "done":
            extra["actual_start"] = day(draw(st.integers(-5, 10)))
            extra["actual_finish"] = extra["actual_start"] + timedelta(days=draw(st.integers(0, 6)))  # type: ignore[operator]
        parent = None if parents[i] is None else f"t{parents[i]}"
        tasks.append(
            Task(
                f"t{i}",
                duration,
                is_milestone=duration == 0 and draw(st.booleans()),
                parent=parent,
                constraint=constraint,
                **extra,  # type: ignore[arg-type]
            )
        )
    order = draw(st.permutations(range(n)))
    rank = {v: r for r, v in enumerate(order)}
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=2 * n, unique=True))
    deps = []
    for a, b in pairs:
        if rank[a] >= rank[b] or a in ancestors[b] or b in ancestors[a]:
            continue
        deps.append(
            Dependency(
                f"t{a}",
                f"t{b}",
                draw(st.sampled_from(TYPES)),
                draw(st.integers(-3, 4)),
                lag_elapsed=draw(st.sampled_from([False, False, False, True])),
            )
        )
    return Net(tasks, deps)


@st.composite
def changes(draw: st.DrawFn, net: Net) -> Change:
    leaves = [t.id for t in net.tasks if not any(o.parent == t.id for o in net.tasks)]
    kinds = ["duration", "duration", "add"] + (["remove", "change"] if net.deps else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "duration":
        return DurationChanged(draw(st.sampled_from(leaves)), draw(st.integers(0, 9)))
    if kind == "remove":
        dep = draw(st.sampled_from(net.deps))
        return DependencyRemoved(dep.predecessor, dep.successor)
    if kind == "change":
        dep = draw(st.sampled_from(net.deps))
        return DependencyChanged(
            Dependency(
                dep.predecessor,
                dep.successor,
                draw(st.sampled_from(TYPES)),
                draw(st.integers(-3, 4)),
                lag_elapsed=draw(st.booleans()),
            )
        )
    ids = [t.id for t in net.tasks]
    return DependencyAdded(
        Dependency(
            draw(st.sampled_from(ids)),
            draw(st.sampled_from(ids)),
            draw(st.sampled_from(TYPES)),
            draw(st.integers(-2, 3)),
        )
    )


def applied(net: Net, change: Change) -> Net:
    tasks, deps = list(net.tasks), list(net.deps)
    if isinstance(change, DurationChanged):
        tasks = [replace(t, duration_days=change.duration_days) if t.id == change.task else t for t in tasks]
    elif isinstance(change, DependencyRemoved):
        deps = [d for d in deps if d.key != (change.predecessor, change.successor)]
    elif isinstance(change, DependencyChanged):
        deps = [change.dependency if d.key == change.dependency.key else d for d in deps]
    elif isinstance(change, DependencyAdded):
        deps.append(change.dependency)
    return Net(tasks, deps)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_reschedule_equals_schedule_with_constraints_actuals_and_elapsed_lags(data: st.DataObject) -> None:
    net = data.draw(rich_networks())
    try:
        result = schedule(net.tasks, net.deps, CAL, START)
    except (CycleError, ScheduleInputError):
        assume(False)
        raise
    current = net
    for _ in range(data.draw(st.integers(1, 6))):
        change = data.draw(changes(current))
        changed = applied(current, change)
        try:
            expected = schedule(changed.tasks, changed.deps, CAL, START)
        except (CycleError, ScheduleInputError):
            continue  # test_engine_properties checks that reschedule refuses it too
        before = result.tasks.copy()
        new = reschedule(result, change)
        assert new == expected, change
        assert result.tasks == before, "the previous result is left as it was"
        result, current = new, changed


def test_a_change_far_from_the_critical_path_rederives_few_tasks() -> None:
    # given a long critical chain and, beside it, independent short tasks with float
    tasks = [Task(f"c{i}", 2) for i in range(200)] + [Task(f"x{i}", 1) for i in range(200)]
    deps = [Dependency(f"c{i}", f"c{i + 1}") for i in range(199)]
    result = schedule(tasks, deps, CAL, START)
    # when a task with float changes (the project finish stays)
    new = reschedule(result, DurationChanged("x7", 3))
    # then only that task's schedule object is new; every other one is shared with the old result
    fresh = [tid for tid in new.tasks if new.tasks[tid] is not result.tasks[tid]]
    assert fresh == ["x7"]
    assert new.tasks["x7"].total_float_days == result.tasks["x7"].total_float_days - 2
    assert new == schedule([*tasks[:207], Task("x7", 3), *tasks[208:]], deps, CAL, START)
    assert new.critical_path == result.critical_path
    assert new.critical_chains == result.critical_chains


def test_a_change_on_the_critical_path_moves_the_finish_and_every_late_date() -> None:
    tasks = [Task(f"c{i}", 2) for i in range(50)] + [Task("x", 1)]
    deps = [Dependency(f"c{i}", f"c{i + 1}") for i in range(49)]
    result = schedule(tasks, deps, CAL, START)
    new = reschedule(result, DurationChanged("c10", 4))
    wd = WorkingDays(CAL, START)
    assert wd.finish_position(new.finish_date) == wd.finish_position(result.finish_date) + 2
    assert new.tasks["x"].total_float_days == result.tasks["x"].total_float_days + 2
    assert new == schedule([*tasks[:10], Task("c10", 4), *tasks[11:]], deps, CAL, START)


def test_fast_task_schedule_equals_the_dataclass() -> None:
    args = (date(2025, 1, 6), date(2025, 1, 7), date(2025, 1, 8), date(2025, 1, 9), 2, 1, False, True, False, ("x",))
    made = _task_schedule(*args)
    assert made == TaskSchedule(*args)
    assert repr(made) == repr(TaskSchedule(*args))
    assert hash(made) == hash(TaskSchedule(*args))


_COLLECTOR_CHECK = """
import gc
from datetime import date
from labora.planning.engine import Calendar, Task, schedule

tasks = [Task(f"t{i}", 1) for i in range(50)]
cal, start = Calendar(), date(2025, 1, 6)
gc.disable()
schedule(tasks, [], cal, start)
assert not gc.isenabled(), "a disabled collector was turned on"
gc.enable()
schedule(tasks, [], cal, start)
assert gc.isenabled(), "an enabled collector was left off"
# a process that froze objects on purpose (before forking workers) keeps them frozen
gc.freeze()
frozen = gc.get_freeze_count()
schedule(tasks, [], cal, start)
assert gc.get_freeze_count() == frozen, (gc.get_freeze_count(), frozen)
"""


def test_the_collector_stays_as_the_caller_left_it() -> None:
    """In a process of its own: the collector is process-wide, and in the test process other
    threads (the browser tests' servers) free frozen objects while this runs, so the frozen
    count would move by itself."""
    result = subprocess.run(
        [sys.executable, "-c", _COLLECTOR_CHECK], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_reschedule_equals_schedule_when_tasks_are_listed_out_of_dependency_order(data: st.DataObject) -> None:
    # a plan listed out of dependency order is scheduled on a renumbered network: reschedule
    # works on that one, and still answers what a full schedule of the changed input answers
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(network_module, "RENUMBER_FROM", 0)  # renumber even these small networks
        check_reschedule_renumbered(data)


def check_reschedule_renumbered(data: st.DataObject) -> None:
    net = data.draw(rich_networks())
    rng = data.draw(st.randoms(use_true_random=False))
    tasks, deps = list(net.tasks), list(net.deps)
    rng.shuffle(tasks)
    rng.shuffle(deps)
    current = Net(tasks, deps)
    try:
        result = schedule(current.tasks, current.deps, CAL, START)
    except (CycleError, ScheduleInputError):
        assume(False)
        raise
    for _ in range(data.draw(st.integers(1, 4))):
        change = data.draw(changes(current))
        changed = applied(current, change)
        try:
            expected = schedule(changed.tasks, changed.deps, CAL, START)
        except (CycleError, ScheduleInputError):
            continue
        new = reschedule(result, change)
        assert new == expected, change
        assert list(new.tasks) == [t.id for t in changed.tasks], "the tasks come back in the input's order"
        result, current = new, changed
