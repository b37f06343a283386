"""Critical-chain buffers as explicit tasks and dependencies.

Without resource levelling the critical chain is the critical path of the schedule at the likely
durations. :func:`insert_buffers` adds

- a **project buffer** after the last task of each critical chain, and
- a **feeding buffer** wherever a chain of non-critical tasks joins a critical task through a
  finish-to-start dependency: ``feeder -> buffer -> critical task`` replaces ``feeder -> critical``.

Sizes, in whole working days (rounded up):

- ``"rsem"`` (default), the root-square-error method: ``sqrt(sum((pessimistic - likely)^2))`` over
  the chain's tasks — the buffer covers the combined spread of the chain's own uncertainty;
- ``"cut_and_paste"``: 50 % of the chain's likely duration (Goldratt's rule of thumb).

Non-FS joins are left unbuffered (a buffer in front of an SS or FF link would change what the link
means) and listed in ``BufferPlan.unbuffered``. The caller stores the buffers as tasks and
reschedules; a feeding buffer larger than the feeding chain's float moves the join later, which the
new schedule then shows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal

from labora.planning.engine.calendar import Calendar
from labora.planning.engine.forecast import Estimate
from labora.planning.engine.model import Dependency, DependencyType, ScheduleResult, Task, TaskId
from labora.planning.engine.schedule import schedule

PROJECT_BUFFER = "project-buffer"


@dataclass(frozen=True)
class BufferPlan:
    tasks: list[Task]  # the buffer tasks to add
    added: list[Dependency]
    removed: list[Dependency]
    dependencies: list[Dependency]  # the whole new list of dependencies
    sizes: dict[TaskId, int]
    chains: dict[TaskId, list[TaskId]]  # the chain each buffer protects
    unbuffered: list[Dependency] = field(default_factory=list)
    schedule: ScheduleResult | None = None  # the schedule with the buffers in


def buffer_size(chain: Sequence[Task], estimates: Mapping[Any, Estimate], method: str) -> int:
    if method == "rsem":
        spread = 0.0
        for task in chain:
            est = estimates.get(task.id)
            if est is not None:
                spread += (est.pessimistic - est.likely) ** 2
        return math.ceil(math.sqrt(spread) - 1e-9)
    if method == "cut_and_paste":
        total = sum(estimates[t.id].likely if t.id in estimates else t.duration_days for t in chain)
        return math.ceil(total / 2 - 1e-9)
    raise ValueError(f"unknown buffer method {method!r}: use 'rsem' or 'cut_and_paste'")


def insert_buffers(
    tasks: Sequence[Task],
    dependencies: Sequence[Dependency],
    calendar: Calendar,
    project_start: date,
    estimates: Mapping[Any, Estimate],
    *,
    method: Literal["rsem", "cut_and_paste"] = "rsem",
    buffer_id: str = "buffer",
) -> BufferPlan:
    """Buffers for a schedule at the likely durations (see the module docstring).

    Buffer ids are ``f"{buffer_id}:{PROJECT_BUFFER}"`` and ``f"{buffer_id}:feeding:{feeder}"``.
    """
    likely = [
        replace(t, duration_days=math.ceil(estimates[t.id].likely - 1e-9)) if t.id in estimates else t for t in tasks
    ]
    base = schedule(likely, dependencies, calendar, project_start)
    by_id = {t.id: t for t in likely}
    summaries = {t.parent for t in likely if t.parent is not None}
    critical = {tid for tid, ts in base.tasks.items() if ts.critical and not ts.is_summary}
    preds: dict[TaskId, list[Dependency]] = {}
    for dep in dependencies:
        preds.setdefault(dep.successor, []).append(dep)

    new_tasks: list[Task] = []
    added: list[Dependency] = []
    removed: list[Dependency] = []
    unbuffered: list[Dependency] = []
    sizes: dict[TaskId, int] = {}
    chains: dict[TaskId, list[TaskId]] = {}

    # the project buffer: after the end of every critical chain, sized on the longest chain
    if base.critical_chains:
        longest = max(base.critical_chains, key=lambda c: sum(by_id[t].duration_days for t in c))
        pb: TaskId = f"{buffer_id}:{PROJECT_BUFFER}"
        size = buffer_size([by_id[t] for t in longest], estimates, method)
        new_tasks.append(Task(id=pb, duration_days=size))
        sizes[pb] = size
        chains[pb] = list(longest)
        for end in dict.fromkeys(chain[-1] for chain in base.critical_chains):
            added.append(Dependency(end, pb, DependencyType.FS, 0))

    # feeding buffers where a non-critical task feeds a critical one
    for dep in dependencies:
        if dep.successor not in critical or dep.predecessor in critical:
            continue
        if dep.predecessor in summaries or dep.successor in summaries:
            continue
        if DependencyType(dep.type) != DependencyType.FS:
            unbuffered.append(dep)
            continue
        chain = _feeding_chain(dep.predecessor, preds, critical, base)
        fb: TaskId = f"{buffer_id}:feeding:{dep.predecessor}"
        if fb in sizes:
            continue
        size = buffer_size([by_id[t] for t in chain], estimates, method)
        new_tasks.append(Task(id=fb, duration_days=size, parent=by_id[dep.successor].parent))
        sizes[fb] = size
        chains[fb] = chain
        removed.append(dep)
        added.append(Dependency(dep.predecessor, fb, DependencyType.FS, 0))
        added.append(Dependency(fb, dep.successor, DependencyType.FS, dep.lag_days, dep.lag_elapsed))

    removed_keys = {d.key for d in removed}
    new_deps = [d for d in dependencies if d.key not in removed_keys] + added
    buffered = schedule([*tasks, *new_tasks], new_deps, calendar, project_start)
    return BufferPlan(new_tasks, added, removed, new_deps, sizes, chains, unbuffered, buffered)


def _feeding_chain(
    end: TaskId, preds: Mapping[TaskId, list[Dependency]], critical: set[TaskId], base: ScheduleResult
) -> list[TaskId]:
    """The non-critical chain ending at ``end``: walk back through the driving (least free float) predecessor."""
    chain = [end]
    seen = {end}
    node = end
    while True:
        options = [
            d.predecessor
            for d in preds.get(node, [])
            if d.predecessor not in critical
            and d.predecessor not in seen
            and d.predecessor in base.tasks
            and not base.tasks[d.predecessor].is_summary
        ]
        if not options:
            break
        node = min(options, key=lambda t: (base.tasks[t].free_float_days, str(t)))
        chain.append(node)
        seen.add(node)
    chain.reverse()
    return chain
