"""Planning demo data: "Studio move" (FIT), a project with a realistic plan.

A summary structure of four phases, finish-to-start, start-to-start and finish-to-finish links with
lags and a lead, two milestones, three-point estimates, its own calendar with holidays, a baseline
saved at kick-off three weeks ago and some drift since (the cabling, the walls and the furniture
delivery take longer; the survey and the layout are done), a manually scheduled inspection that
no longer fits, and auto-scheduling on. Everything goes through the services users go through; the command
`labora demo` calls `add_planning` inside its transaction.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from labora.accounts.models import User
from labora.planning import services
from labora.planning.models import Baseline
from labora.work.models import Project, Task
from labora.work.services import project_create, task_create, task_update
from labora.workspaces.models import Workspace

KEY = "FIT"


@dataclass(frozen=True)
class Step:
    """One task of the demo plan. `after`: (title, type, lag in working days) of its predecessors;
    `points`: optimistic / likely / pessimistic hours."""

    title: str
    days: int | None = None
    parent: str | None = None
    after: tuple[tuple[str, str, int], ...] = ()
    points: tuple[float, float, float] | None = None
    who: str | None = None
    milestone: bool = False


PLAN = [
    Step("Planning"),
    Step("Survey the new space", 3, "Planning", points=(16, 24, 48), who="maya.chen"),
    Step("Agree the layout with the landlord", 4, "Planning", (("Survey the new space", "FS", 0),), (24, 32, 64),
         "demo"),
    Step("Lease signed", 0, "Planning", (("Agree the layout with the landlord", "FS", 1),), milestone=True),
    Step("Build-out"),
    Step("Electrical and data cabling", 8, "Build-out", (("Lease signed", "FS", 0),), (48, 64, 120), "tomas.ortega"),
    Step("Partition walls", 6, "Build-out", (("Electrical and data cabling", "SS", 3),), (40, 48, 80), "tomas.ortega"),
    Step("Paint and flooring", 5, "Build-out", (("Partition walls", "FS", 0),), (32, 40, 72), "priya.raman"),
    Step("Kitchen install", 4, "Build-out", (("Paint and flooring", "FF", 0),), (24, 32, 56), "priya.raman"),
    Step("Fire safety inspection", 1, "Build-out", (("Partition walls", "FS", 0),), who="demo"),
    Step("IT and furniture"),
    Step("Order the furniture", 1, "IT and furniture", (("Lease signed", "FS", 0),), who="maya.chen"),
    Step("Furniture delivery", 10, "IT and furniture", (("Order the furniture", "FS", 0),), (64, 80, 160)),
    Step("Network and Wi-Fi setup", 3, "IT and furniture", (("Electrical and data cabling", "FS", 2),), (16, 24, 40),
         "jonas.weber"),
    Step("Install the workstations", 2, "IT and furniture",
         (("Furniture delivery", "FS", 0), ("Network and Wi-Fi setup", "FS", 0), ("Paint and flooring", "FS", 0)),
         (12, 16, 32), "jonas.weber"),
    Step("Move"),
    Step("Pack the old studio", 3, "Move", (("Install the workstations", "FS", -2),), (16, 24, 40), "priya.raman"),
    Step("Moving day", 1, "Move",
         (("Pack the old studio", "FS", 0), ("Install the workstations", "FS", 0), ("Kitchen install", "FS", 0))),
    Step("New studio open", 0, "Move", (("Moving day", "FS", 0),), milestone=True),
]  # fmt: skip
DONE = ("Survey the new space", "Agree the layout with the landlord")
DRIFT = {"Electrical and data cabling": 11, "Partition walls": 8, "Furniture delivery": 13}


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def add_planning(*, owner: User, workspace: Workspace, users: dict[str, User], today: datetime.date) -> Project:
    """Create FIT with its plan, calendar, baseline and drift. Returns the project."""
    start = _monday(today) - datetime.timedelta(weeks=3)
    project: Project = project_create(
        actor=owner,
        workspace=workspace,
        key=KEY,
        name="Studio move",
        kind="project",
        lead=owner.email,
        start_date=start,
        target_date=start + datetime.timedelta(weeks=6),
        description="Move the studio to the new floor: survey, build-out, IT and furniture, moving day. "
        "See its Plan for the schedule, the baseline from kick-off and the finish forecast.",
        colour="#0891b2",
        icon="building",
    )
    holidays = [start + datetime.timedelta(weeks=w, days=d) for w, d in ((4, 0), (6, 3), (6, 4))]
    services.calendar_set_project(
        actor=owner,
        project=project,
        working_days=["mon", "tue", "wed", "thu", "fri"],
        holidays=holidays,
        holiday_names={holidays[0]: "Building closed", holidays[1]: "Company retreat", holidays[2]: "Company retreat"},
    )

    tasks: dict[str, Task] = {}
    for step in PLAN:  # tasks first, in outline order; summaries have no duration of their own
        o, m, p = step.points or (None, None, None)
        tasks[step.title] = task_create(
            actor=owner,
            project=project,
            title=step.title,
            type="milestone" if step.milestone else "task",
            parent=tasks[step.parent].key if step.parent else None,
            duration_days=step.days,
            estimate_optimistic_hours=o,
            estimate_likely_hours=m,
            estimate_pessimistic_hours=p,
            assignee=users[step.who].email if step.who else None,
        )
    for step in PLAN:
        for before, kind, lag in step.after:
            services.dependency_create(
                actor=owner, task=tasks[step.title], predecessor=tasks[before].key, type=kind, lag_days=lag
            )
    services.project_schedule(actor=owner, project=project)

    # The inspection was booked for a fixed day, right after the walls as first planned.
    inspection = Task.objects.get(pk=tasks["Fire safety inspection"].pk)
    services.task_plan_update(actor=owner, task=inspection, mode="manual")

    baseline = services.baseline_create(actor=owner, project=project, name="Kick-off plan")
    # Demo only: the baseline was saved at kick-off, three weeks ago (no service back-dates rows).
    Baseline.objects.filter(pk=baseline.pk).update(
        created_at=datetime.datetime.combine(start, datetime.time(10, 0), tzinfo=datetime.UTC)
    )

    for title, days in DRIFT.items():
        task_update(actor=owner, task=Task.objects.get(pk=tasks[title].pk), duration_days=days)
    for title in DONE:
        task_update(actor=owner, task=Task.objects.get(pk=tasks[title].pk), status="Done")
    services.project_plan_update(actor=owner, project=project, auto_schedule=True)
    services.project_schedule(actor=owner, project=project)
    return project
