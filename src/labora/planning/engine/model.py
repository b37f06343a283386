"""The engine's inputs and outputs: plain dataclasses, no Django."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

TaskId = Hashable


class DependencyType(StrEnum):
    FS = "FS"  # finish-to-start: the successor starts after the predecessor finishes
    SS = "SS"  # start-to-start
    FF = "FF"  # finish-to-finish
    SF = "SF"  # start-to-finish: the successor finishes after the predecessor starts

    @property
    def from_finish(self) -> bool:
        """The predecessor's finish (not its start) is the reference."""
        return self in (DependencyType.FS, DependencyType.FF)

    @property
    def to_finish(self) -> bool:
        """The successor's finish (not its start) is constrained."""
        return self in (DependencyType.FF, DependencyType.SF)


class ConstraintType(StrEnum):
    ASAP = "ASAP"  # as soon as possible (no date)
    SNET = "SNET"  # start no earlier than
    SNLT = "SNLT"  # start no later than
    FNET = "FNET"  # finish no earlier than
    FNLT = "FNLT"  # finish no later than
    MSO = "MSO"  # must start on
    MFO = "MFO"  # must finish on


@dataclass(frozen=True, slots=True)
class Task:
    """One task as the engine sees it.

    ``duration_days`` counts working days; 0 makes a milestone. ``parent`` names a summary task:
    a task that is anybody's parent is a summary, its own duration is ignored and its dates span
    its children. A manually scheduled task keeps ``start``/``finish`` (``finish`` may be left out:
    then ``duration_days`` from ``start``). ``actual_start``/``actual_finish`` pin work under way or
    done. ``is_milestone`` with a non-zero duration keeps the duration (MS Project allows it) and
    only marks the task for forecasts.
    """

    id: TaskId
    duration_days: int = 0
    is_milestone: bool = False
    parent: TaskId | None = None
    constraint: ConstraintType = ConstraintType.ASAP
    constraint_date: date | None = None
    actual_start: date | None = None
    actual_finish: date | None = None
    manually_scheduled: bool = False
    start: date | None = None
    finish: date | None = None


@dataclass(frozen=True, slots=True)
class Dependency:
    """``successor`` depends on ``predecessor``. ``lag_days`` counts working days (negative = lead)
    unless ``lag_elapsed``, when it counts calendar days (MS Project's "elapsed" lag formats)."""

    predecessor: TaskId
    successor: TaskId
    type: DependencyType = DependencyType.FS
    lag_days: int = 0
    lag_elapsed: bool = False

    @property
    def key(self) -> tuple[TaskId, TaskId]:
        return (self.predecessor, self.successor)


@dataclass(frozen=True, slots=True)
class TaskSchedule:
    """Computed dates (inclusive working dates) and floats (working days) of one task."""

    early_start: date
    early_finish: date
    late_start: date
    late_finish: date
    total_float_days: int
    free_float_days: int
    critical: bool
    is_summary: bool = False
    is_milestone: bool = False
    conflicts: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScheduleResult:
    """What :func:`labora.planning.engine.schedule` answers.

    ``critical_path`` lists every critical (non-summary) task, ordered by early start;
    ``critical_chains`` lists the chains of critical tasks linked by driving dependencies (several
    when paths tie), each in order; ``conflicts`` maps task ids to the messages of the tasks that
    have any.
    """

    start_date: date
    finish_date: date
    tasks: dict[TaskId, TaskSchedule]
    critical_path: list[TaskId]
    critical_chains: list[list[TaskId]]
    conflicts: dict[TaskId, tuple[str, ...]] = field(default_factory=dict)
    engine: object = field(default=None, repr=False, compare=False)  # state for reschedule()


class ScheduleInputError(ValueError):
    """The input cannot be scheduled: an unknown task id, a duplicate, a self-dependency..."""


class CycleError(ValueError):
    """The dependencies (or a dependency between a summary and its own subtask) form a cycle.

    ``task_ids`` lists the tasks on the cycle in order; the last one depends back on the first.
    """

    def __init__(self, task_ids: Sequence[TaskId]) -> None:
        self.task_ids = list(task_ids)
        path = " -> ".join(str(t) for t in [*self.task_ids, self.task_ids[0]]) if self.task_ids else "?"
        super().__init__(f"the dependencies form a cycle: {path}")


# --- changes for incremental rescheduling -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class DurationChanged:
    task: TaskId
    duration_days: int


@dataclass(frozen=True, slots=True)
class DependencyAdded:
    dependency: Dependency


@dataclass(frozen=True, slots=True)
class DependencyRemoved:
    predecessor: TaskId
    successor: TaskId


@dataclass(frozen=True, slots=True)
class DependencyChanged:
    """Replace the dependency between the same two tasks (new type and/or lag)."""

    dependency: Dependency


Change = DurationChanged | DependencyAdded | DependencyRemoved | DependencyChanged
