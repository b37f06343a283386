"""Entry points: a full schedule, and an incremental reschedule after one change."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date

from labora.planning.engine.calendar import Calendar, WorkingDays
from labora.planning.engine.model import (
    Change,
    Dependency,
    DependencyAdded,
    DependencyChanged,
    DependencyRemoved,
    DurationChanged,
    ScheduleInputError,
    ScheduleResult,
    Task,
)
from labora.planning.engine.network import LEAF, Network
from labora.planning.engine.passes import State


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a schedule allocates its many small objects.

    The engine creates no reference cycles; without this, collections triggered by the
    allocations themselves rescan every object and make large schedules superlinear. On the way
    out, the objects allocated meanwhile (the result, the engine state kept for ``reschedule``)
    go straight to the oldest generation (``gc.freeze()`` + ``gc.unfreeze()``, which moves lists,
    not objects) instead of being scanned by the first young collection after: that collection
    would visit each of them once more, about 0.2 s for a 100,000-task schedule. Skipped when
    the process keeps objects frozen on purpose (``gc.freeze()`` before forking workers), whose
    frozen objects ``gc.unfreeze()`` would release.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        if was_enabled:
            gc.enable()


@dataclass
class _Handle:
    """The engine state a result carries for :func:`reschedule` (used once, then handed on)."""

    state: State | None


def schedule(
    tasks: Sequence[Task],
    dependencies: Iterable[Dependency],
    calendar: Calendar,
    project_start: date,
) -> ScheduleResult:
    """Critical path schedule from ``project_start``.

    Raises :class:`~labora.planning.engine.model.CycleError` (before computing anything) when the
    dependencies form a cycle, :class:`~labora.planning.engine.model.ScheduleInputError` on unknown
    ids, duplicates or a looping hierarchy. Impossible constraints and violated dependencies of
    manually scheduled tasks are reported in the result's ``conflicts``, never raised.
    """
    with gc_paused():
        net = Network(tasks, dependencies).in_topological_order()
        state = State(net, WorkingDays(calendar, project_start))
        state.forward_all()
        state.backward_all()
        state.derive_all()
        return _result(state)


def reschedule(previous: ScheduleResult, change: Change) -> ScheduleResult:
    """Apply one change to a schedule, recomputing only what it affects.

    The answer equals ``schedule(...)`` on the changed input. ``previous`` hands its engine state on
    to the new result: reschedule from the newest result (a used one raises ``ValueError``). On a
    :class:`CycleError` or :class:`ScheduleInputError` nothing changes and ``previous`` stays usable.
    """
    handle = previous.engine
    if not isinstance(handle, _Handle) or handle.state is None:
        raise ValueError("this schedule was already rescheduled (or not made by schedule()): use the newest one")
    state = handle.state
    net = state.net
    forward: list[int] = []
    backward: list[int] = []
    if isinstance(change, DurationChanged):
        v = net.index.get(change.task)
        if v is None:
            raise ScheduleInputError(f"unknown task {change.task!r}")
        if net.kind[v] != LEAF:
            raise ScheduleInputError(f"task {change.task!r} is a summary: its duration comes from its subtasks")
        if change.duration_days < 0:
            raise ScheduleInputError(f"task {change.task!r}: a duration cannot be negative")
        net.tasks[v] = replace(net.tasks[v], duration_days=change.duration_days)
        state.set_duration(v, change.duration_days)
        forward.append(v)
        backward.append(v)
    elif isinstance(change, DependencyAdded):
        edges = net.add_dependency(change.dependency)
        forward.extend(e.dst for e in edges)
        backward.extend(e.src for e in edges)
    elif isinstance(change, DependencyRemoved):
        edges = net.remove_dependency(change.predecessor, change.successor)
        forward.extend(e.dst for e in edges)
        backward.extend(e.src for e in edges)
    elif isinstance(change, DependencyChanged):
        dep = change.dependency
        old = net.dependencies.get(dep.key)
        if old is None:
            raise ScheduleInputError(f"no dependency links {dep.predecessor!r} to {dep.successor!r}")
        removed = net.remove_dependency(dep.predecessor, dep.successor)
        try:
            added = net.add_dependency(dep)
        except Exception:
            net.add_dependency(old)
            raise
        for e in [*removed, *added]:
            forward.append(e.dst)
            backward.append(e.src)
    else:  # pragma: no cover - the Change union is closed
        raise TypeError(f"unknown change {change!r}")
    handle.state = None
    with gc_paused():
        state.propagate(forward, backward)
        return _result(state)


def _result(state: State) -> ScheduleResult:
    tasks, critical, chains, conflicts = state.results()
    wd = state.wd
    return ScheduleResult(
        start_date=wd.date_at(0),
        finish_date=wd.date_at(state.pf >> 1),
        tasks=tasks,
        critical_path=critical,
        critical_chains=chains,
        conflicts=conflicts,
        engine=_Handle(state),
    )
