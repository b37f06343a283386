"""Properties of the engine on random networks (hypothesis)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from labora.planning.engine import (
    Calendar,
    Change,
    CycleError,
    Dependency,
    DependencyAdded,
    DependencyChanged,
    DependencyRemoved,
    DependencyType,
    DurationChanged,
    ScheduleResult,
    Task,
    reschedule,
    schedule,
)
from labora.planning.engine.calendar import WorkingDays

# Pure Python (pytest-django would refuse a query): run once, not again on PostgreSQL.
pytestmark = pytest.mark.db_free

START = date(2025, 3, 3)
CAL = Calendar(
    holidays=frozenset({date(2025, 3, 12), date(2025, 4, 1)}), extra_working_days=frozenset({date(2025, 3, 15)})
)
TYPES = list(DependencyType)


@dataclass
class Net:
    tasks: list[Task]
    deps: list[Dependency]


@st.composite
def networks(draw: st.DrawFn, min_duration: int = 0, summaries: bool = True) -> Net:
    n = draw(st.integers(2, 12))
    parents: list[int | None] = []
    for i in range(n):
        parent = draw(st.none() | st.integers(0, i - 1)) if summaries and i > 0 else None
        parents.append(parent)
    ancestors: list[set[int]] = []
    for i in range(n):
        chain: set[int] = set()
        p = parents[i]
        while p is not None:
            chain.add(p)
            p = parents[p]
        ancestors.append(chain)
    tasks = [
        Task(f"t{i}", draw(st.integers(min_duration, 5)), parent=None if parents[i] is None else f"t{parents[i]}")
        for i in range(n)
    ]
    order = draw(st.permutations(range(n)))
    rank = {v: r for r, v in enumerate(order)}
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=2 * n, unique=True))
    deps = []
    seen = set()
    for a, b in pairs:
        if rank[a] >= rank[b] or a in ancestors[b] or b in ancestors[a] or (a, b) in seen:
            continue
        seen.add((a, b))
        deps.append(Dependency(f"t{a}", f"t{b}", draw(st.sampled_from(TYPES)), draw(st.integers(-3, 3))))
    return Net(tasks, deps)


def scheduled(net: Net) -> ScheduleResult:
    try:
        return schedule(net.tasks, net.deps, CAL, START)
    except CycleError:  # a link into a summary can close a cycle through the hierarchy
        assume(False)
        raise


@settings(max_examples=50, deadline=None)
@given(net=networks(min_duration=1))
def test_every_dependency_is_honoured(net: Net) -> None:
    result = scheduled(net)
    wd = WorkingDays(CAL, START)
    for dep in net.deps:
        p, s = result.tasks[dep.predecessor], result.tasks[dep.successor]
        kind = DependencyType(dep.type)
        source = wd.finish_position(p.early_finish) if kind.from_finish else wd.start_position(p.early_start)
        target = wd.finish_position(s.early_finish) if kind.to_finish else wd.start_position(s.early_start)
        assert target >= source + dep.lag_days, (dep, p, s)
    # a finish driven by a start (SF, and FF/lead chains from such a finish) is "08:00 the next
    # day" as in MS Project: its date is the next working day (see docs/scheduling.md, Milestones)
    finish_may_roll = any(DependencyType(dep.type) == DependencyType.SF for dep in net.deps)
    for task in net.tasks:
        ts = result.tasks[task.id]
        assert wd.start_position(ts.early_start) >= 0
        if not ts.is_summary:
            span = wd.finish_position(ts.early_finish) - wd.start_position(ts.early_start)
            assert span == task.duration_days or (finish_may_roll and span == task.duration_days + 1), (task, ts)


@settings(max_examples=50, deadline=None)
@given(net=networks())
def test_float_is_never_negative_and_critical_tasks_have_none(net: Net) -> None:
    result = scheduled(net)
    for tid, ts in result.tasks.items():
        assert ts.total_float_days >= 0, tid
        assert ts.free_float_days >= 0, tid
        assert ts.free_float_days <= ts.total_float_days or ts.is_summary, tid
        if ts.critical:
            assert ts.total_float_days == 0
        assert ts.late_start >= ts.early_start
    assert result.critical_path, "some task always drives the finish"
    finish = max(ts.early_finish for ts in result.tasks.values())
    assert result.finish_date == finish
    for chain in result.critical_chains:
        assert all(result.tasks[t].critical for t in chain)


@st.composite
def changes(draw: st.DrawFn, net: Net) -> Change:
    leaves = [t.id for t in net.tasks if not any(o.parent == t.id for o in net.tasks)]
    options = ["duration"]
    if net.deps:
        options += ["remove", "change"]
    options.append("add")
    kind = draw(st.sampled_from(options))
    if kind == "duration":
        return DurationChanged(draw(st.sampled_from(leaves)), draw(st.integers(0, 7)))
    if kind == "remove":
        dep = draw(st.sampled_from(net.deps))
        return DependencyRemoved(dep.predecessor, dep.successor)
    if kind == "change":
        dep = draw(st.sampled_from(net.deps))
        return DependencyChanged(
            Dependency(dep.predecessor, dep.successor, draw(st.sampled_from(TYPES)), draw(st.integers(-3, 3)))
        )
    ids = [t.id for t in net.tasks]
    a, b = draw(st.sampled_from(ids)), draw(st.sampled_from(ids))
    return DependencyAdded(Dependency(a, b, draw(st.sampled_from(TYPES)), draw(st.integers(-3, 3))))


def applied(net: Net, change: Change) -> Net:
    tasks, deps = list(net.tasks), list(net.deps)
    if isinstance(change, DurationChanged):
        tasks = [Task(t.id, change.duration_days, parent=t.parent) if t.id == change.task else t for t in tasks]
    elif isinstance(change, DependencyRemoved):
        deps = [d for d in deps if d.key != (change.predecessor, change.successor)]
    elif isinstance(change, DependencyChanged):
        deps = [change.dependency if d.key == change.dependency.key else d for d in deps]
    elif isinstance(change, DependencyAdded):
        deps.append(change.dependency)
    return Net(tasks, deps)


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_incremental_reschedule_equals_a_full_schedule(data: st.DataObject) -> None:
    net = data.draw(networks())
    first = scheduled(net)
    steps = data.draw(st.integers(1, 4))
    current, result = net, first
    for _ in range(steps):
        change = data.draw(changes(current))
        changed = applied(current, change)
        try:
            expected = schedule(changed.tasks, changed.deps, CAL, START)
        except (CycleError, ValueError) as exc:
            # the incremental path refuses the same change, and the old result stays usable
            try:
                reschedule(result, change)
            except type(exc):
                continue
            raise AssertionError(f"reschedule accepted {change} that schedule refused with {exc}") from None
        result = reschedule(result, change)
        assert result == expected
        current = changed
