"""Import a Microsoft Project XML (MSPDI) file into a new project, all of it or nothing.

What comes across: tasks in file order (numbered 1..n), their hierarchy as parents, durations in
working days (labora.planning.mspdi.convert's rules), start and finish dates as MS Project saved
them, milestones, notes as descriptions, percent complete as the status (0 = to do, 100 = done,
in between = in progress), manual scheduling, constraints and actual dates (TaskPlan), links with
their types and lags (Dependency), the project calendar (the project's own WorkCalendar), and
resources as assignees when a resource's e-mail or name matches a member of the workspace (the
one with the most units when a task has several). The file is read with defusedxml after a size
check; anything the reader refuses answers 422 with its message, and nothing is written.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from labora.accounts.models import User
from labora.core import events
from labora.core.errors import ValidationError
from labora.planning import engine
from labora.planning.engine.network import Network
from labora.planning.models import WEEKDAY_NAMES, ConstraintType, Dependency, ScheduleMode, TaskPlan, WorkCalendar
from labora.planning.mspdi import EngineInput, MspdiError, MspdiProject, read_mspdi, schedulable_tasks, to_engine
from labora.planning.mspdi.convert import holiday_names
from labora.planning.mspdi.reader import MAX_BYTES
from labora.planning.services.calendars import MAX_HOLIDAY_NAME
from labora.work import rank
from labora.work.models import Category, Project, Status, Task, TaskType
from labora.work.services._common import authorise
from labora.work.services.projects import project_create
from labora.work.services.rollup import rollup_refresh
from labora.workspaces.models import Membership, Workspace

MAX_TASKS = 20_000
MAX_DURATION_DAYS = 100_000
MAX_LAG_DAYS = 10_000
IMPORT_STEPS = 3  # read and parsed, checked and matched, written


@dataclass
class ImportOutcome:
    project: Project
    tasks: int
    dependencies: int
    assigned: int
    unmatched_resources: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _invalid(message: str) -> ValidationError:
    return ValidationError(
        f"The file cannot be imported: {message}. Nothing was imported.",
        code="invalid_mspdi",
        fields={"file": message},
    )


def _parse(source: bytes | IO[bytes]) -> tuple[MspdiProject, EngineInput]:
    try:
        parsed = read_mspdi(source, max_bytes=MAX_BYTES)
        converted = to_engine(parsed)
        Network(converted.tasks, converted.dependencies).sort()
    except MspdiError as error:
        raise _invalid(str(error)) from None
    except engine.CycleError as error:
        raise _invalid(
            f"its links form a cycle through the tasks with UIDs {', '.join(map(str, error.task_ids))}"
        ) from None
    except (engine.ScheduleInputError, ValueError, TypeError, OverflowError) as error:
        raise _invalid(f"it holds a value that cannot be used ({error})") from None
    return parsed, converted


def _finish(value: datetime.datetime | None, project: MspdiProject, *, milestone: bool) -> datetime.date | None:
    """A finish saved at the start of a working day (08:00) ends the working day before it."""
    if value is None:
        return None
    if not milestone and value.time() <= project.default_start_time:
        return value.date() - datetime.timedelta(days=1)
    return value.date()


def _members(workspace: Workspace) -> tuple[dict[str, User], dict[str, User]]:
    by_email: dict[str, User] = {}
    by_name: dict[str, User] = {}
    rows = Membership.objects.filter(workspace=workspace, user__is_active=True).select_related("user")
    for m in rows.order_by(Lower("user__email")):
        by_email[m.user.email.lower()] = m.user
        if m.user.name:
            by_name.setdefault(m.user.name.strip().lower(), m.user)
    return by_email, by_name


def _assignees(parsed: MspdiProject, workspace: Workspace) -> tuple[dict[int, User], list[str]]:
    """Task UID -> the member matching its main resource; names of resources matching nobody."""
    by_email, by_name = _members(workspace)
    people: dict[int, User] = {}
    unmatched: list[str] = []
    for res in parsed.resources:
        person = by_email.get(res.email.strip().lower()) if res.email else None
        if person is None and res.name:
            person = by_email.get(res.name.strip().lower()) or by_name.get(res.name.strip().lower())
        if person is not None:
            people[res.uid] = person
        elif res.name or res.email:
            unmatched.append(res.name or res.email)
    chosen: dict[int, tuple[float, User]] = {}
    for a in parsed.assignments:
        person = people.get(a.resource_uid)
        if person is not None and (a.task_uid not in chosen or a.units > chosen[a.task_uid][0]):
            chosen[a.task_uid] = (a.units, person)
    return {uid: person for uid, (_, person) in chosen.items()}, sorted(set(unmatched))


def _status(statuses: list[Status], percent: int) -> Status:
    wanted = Category.DONE if percent >= 100 else Category.IN_PROGRESS if percent > 0 else Category.TODO
    for category in (wanted, Category.TODO, Category.BACKLOG):
        for status in statuses:
            if status.category == category:
                return status
    return statuses[0]


def project_import_mspdi(
    *,
    actor: User,
    workspace: Workspace,
    source: bytes | IO[bytes],
    key: str,
    name: str | None = None,
    progress: Callable[[int, int], object] | None = None,
) -> ImportOutcome:
    """Create project `key` from an MSPDI file; `progress(done, IMPORT_STEPS)` hears of each step
    (read, checked, written). Raises PermissionDenied, ValidationError (invalid_mspdi with the
    reader's message, too many tasks, key), Conflict (key taken)."""
    authorise(actor, "project.create", workspace, "Only workspace members can import projects.")
    report = progress or (lambda done, total: None)
    report(0, IMPORT_STEPS)
    parsed, converted = _parse(source)
    report(1, IMPORT_STEPS)
    rows = schedulable_tasks(parsed)
    if len(rows) > MAX_TASKS:
        raise _invalid(f"it has {len(rows)} tasks; an import takes at most {MAX_TASKS}")
    by_uid = {t.id: t for t in converted.tasks}
    for t in converted.tasks:
        if t.duration_days > MAX_DURATION_DAYS:
            raise _invalid(f"task {t.id} lasts {t.duration_days} working days, more than {MAX_DURATION_DAYS}")
    for d in converted.dependencies:
        if abs(d.lag_days) > MAX_LAG_DAYS:
            raise _invalid(f"the link {d.predecessor} → {d.successor} has a lag of {d.lag_days} days")
    title = (name or "").strip() or parsed.title.strip() or parsed.name.strip() or key
    title = title.removesuffix(".mpp").removesuffix(".xml")[:200]
    people, unmatched = _assignees(parsed, workspace)
    parents = {t.parent for t in converted.tasks if t.parent is not None}
    hours = min(24, max(1, round(parsed.minutes_per_day / 60)))
    report(2, IMPORT_STEPS)

    # One transaction: what happens inside is seen by others (and the progress bar) at commit.
    with transaction.atomic():
        project = project_create(
            actor=actor, workspace=workspace, key=key, name=title, start_date=converted.project_start
        )
        statuses = list(Status.objects.filter(project=project).order_by("position", "id"))
        now = timezone.now()
        last_rank: str | None = None
        tasks: list[Task] = []
        for number, row in enumerate(rows, start=1):
            et = by_uid[row.uid]
            summary = row.uid in parents
            start = row.start.date() if row.start else None
            due = _finish(row.finish, parsed, milestone=et.duration_days == 0)
            if start is not None and due is not None and due < start:
                due = start
            status = _status(statuses, row.percent_complete)
            last_rank = rank.between(last_rank, None)
            tasks.append(
                Task(
                    workspace=workspace,
                    project=project,
                    number=number,
                    type=TaskType.MILESTONE if et.duration_days == 0 and not summary else TaskType.TASK,
                    title=(row.name or "").strip()[:500] or f"Task {row.uid}",
                    description=(row.notes or "").strip()[:100_000],
                    status=status,
                    reporter=actor,
                    assignee=people.get(row.uid),
                    start_date=start,
                    due_date=due,
                    duration_days=None if summary else et.duration_days,
                    rank=last_rank,
                    completed_at=now if status.category == Category.DONE else None,
                )
            )
        Task.objects.bulk_create(tasks, batch_size=500)
        pk_of: dict[Any, int] = {row.uid: task.pk for row, task in zip(rows, tasks, strict=True)}
        with_parent = []
        for row, task in zip(rows, tasks, strict=True):
            parent_uid = by_uid[row.uid].parent
            if parent_uid is not None:
                task.parent_id = pk_of[parent_uid]
                with_parent.append(task)
        if with_parent:
            Task.objects.bulk_update(with_parent, ["parent"], batch_size=500)
        Project.objects.filter(pk=project.pk).update(task_counter=len(tasks))
        project.task_counter = len(tasks)

        plans = [
            TaskPlan(
                workspace=workspace,
                task_id=pk_of[et.id],  # ids are UIDs
                version=0,
                mode=ScheduleMode.MANUAL if et.manually_scheduled else ScheduleMode.AUTO,
                constraint_type=ConstraintType(et.constraint.value),
                constraint_date=et.constraint_date,
                actual_start=et.actual_start,
                actual_finish=et.actual_finish,
            )
            for et in converted.tasks
            if et.manually_scheduled
            or et.constraint != engine.ConstraintType.ASAP
            or et.actual_start is not None
            or et.actual_finish is not None
        ]
        TaskPlan.objects.bulk_create(plans, batch_size=500)
        Dependency.objects.bulk_create(
            [
                Dependency(
                    workspace=workspace,
                    predecessor_id=pk_of[d.predecessor],
                    successor_id=pk_of[d.successor],
                    type=d.type.value,
                    lag_days=d.lag_days,
                    lag_elapsed=d.lag_elapsed,
                    created_by=actor,
                )
                for d in converted.dependencies
            ],
            batch_size=500,
        )
        cal = converted.calendar
        WorkCalendar.objects.create(
            workspace=workspace,
            project=project,
            working_days=[WEEKDAY_NAMES[d] for d in sorted(cal.working_weekdays)],
            holidays=sorted(d.isoformat() for d in cal.holidays),
            holiday_names={
                d.isoformat(): name[:MAX_HOLIDAY_NAME]
                for d, name in sorted(holiday_names(parsed).items())
                if d in cal.holidays
            },
            extra_working_days=sorted(d.isoformat() for d in cal.extra_working_days),
            hours_per_day=hours,
        )
        rollup_refresh([t.pk for t in tasks])
        outcome = ImportOutcome(
            project=project,
            tasks=len(tasks),
            dependencies=len(converted.dependencies),
            assigned=sum(1 for t in tasks if t.assignee_id is not None),
            unmatched_resources=unmatched,
            warnings=list(converted.skipped),
        )
        events.record(
            name="project.imported",
            actor=actor,
            workspace=workspace,
            target=project,
            target_label=f"{project.key} {project.name}",
            data={
                "project": project.key,
                "format": "mspdi",
                "tasks": outcome.tasks,
                "dependencies": outcome.dependencies,
                "assigned": outcome.assigned,
                "unmatched_resources": unmatched[:50],
                "warnings": outcome.warnings[:50],
            },
        )
    report(IMPORT_STEPS, IMPORT_STEPS)
    return outcome
