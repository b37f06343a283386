"""Writes to working calendars: the workspace's, and a project's own override."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction

from labora.accounts.models import User
from labora.core import events
from labora.core.errors import Conflict, ValidationError
from labora.planning.models import WEEKDAY_NAMES, WorkCalendar
from labora.planning.selectors import CalendarView, project_calendar, workspace_calendar
from labora.work.models import Project
from labora.work.services._common import authorise
from labora.workspaces.models import Workspace

MAX_DATES = 2000
MAX_HOURS_PER_DAY = 24
MAX_HOLIDAY_NAME = 100


def _names(holidays: list[datetime.date], names: dict[datetime.date, str] | None) -> dict[str, str]:
    """{"YYYY-MM-DD": name} as given, whitespace tidied; "" = drop that holiday's name."""
    listed = set(holidays)
    cleaned: dict[str, str] = {}
    for day, raw in sorted((names or {}).items()):
        name = " ".join(str(raw or "").split())
        if not name:
            cleaned[day.isoformat()] = ""
            continue
        if day not in listed:
            raise ValidationError(
                f"{day.isoformat()} has a name but is not a holiday: add it to the holidays too.",
                fields={"holidays": "name without a holiday"},
            )
        if len(name) > MAX_HOLIDAY_NAME:
            raise ValidationError(
                f"A holiday's name is at most {MAX_HOLIDAY_NAME} characters ({day.isoformat()} has {len(name)}).",
                fields={"holidays": "name too long"},
            )
        cleaned[day.isoformat()] = name
    return cleaned


def _clean(
    working_days: list[str],
    holidays: list[datetime.date],
    extra_working_days: list[datetime.date],
    hours_per_day: int,
    holiday_names: dict[datetime.date, str] | None = None,
) -> dict[str, Any]:
    days: set[str] = set()
    for i, name in enumerate(working_days):
        key = (name or "").strip().lower()[:3]
        if key not in WEEKDAY_NAMES:
            raise ValidationError(
                f"Unknown weekday '{name}'. Use mon, tue, wed, thu, fri, sat or sun.",
                fields={f"working_days.{i}": "unknown weekday"},
            )
        days.add(key)
    if not days:
        raise ValidationError(
            'A calendar needs at least one working weekday, e.g. ["mon", "tue", "wed", "thu", "fri"].',
            fields={"working_days": "empty"},
        )
    for name, values in (("holidays", holidays), ("extra_working_days", extra_working_days)):
        if len(values) > MAX_DATES:
            raise ValidationError(
                f"A calendar lists at most {MAX_DATES} {name.replace('_', ' ')}.", fields={name: "too many"}
            )
    if not 1 <= hours_per_day <= MAX_HOURS_PER_DAY:
        raise ValidationError(
            f"Hours per day is between 1 and {MAX_HOURS_PER_DAY}.", fields={"hours_per_day": "out of range"}
        )
    return {
        "working_days": [d for d in WEEKDAY_NAMES if d in days],
        "holidays": sorted({d.isoformat() for d in holidays}),
        "holiday_names": _names(holidays, holiday_names),
        "extra_working_days": sorted({d.isoformat() for d in extra_working_days}),
        "hours_per_day": hours_per_day,
    }


def _snapshot(view: CalendarView) -> dict[str, Any]:
    return {
        "working_days": view.working_days,
        "holidays": [d.isoformat() for d in view.holidays],
        "holiday_names": {d.isoformat(): n for d, n in sorted(view.holiday_names.items())},
        "extra_working_days": [d.isoformat() for d in view.extra_working_days],
        "hours_per_day": view.hours_per_day,
    }


def _save(
    *,
    actor: User,
    workspace: Workspace,
    project: Project | None,
    version: int | None,
    values: dict[str, Any],
    current: CalendarView,
) -> WorkCalendar:
    rows = WorkCalendar.objects.select_for_update().filter(workspace=workspace)
    row = rows.filter(project=project).first() if project is not None else rows.filter(project__isnull=True).first()
    if version is not None and (row.version if row is not None else 0) != version:
        raise Conflict(
            f"This calendar was changed by someone else (version {row.version if row else 0}, you sent {version}). "
            "Reload it and apply your change again.",
            code="stale_version",
            current=row,
        )
    # Names given are changes over the current ones ("" drops one); a holiday no longer listed
    # loses its name. So a client that sends plain dates keeps the names it does not know of.
    listed = set(values["holidays"])
    names = {d.isoformat(): n for d, n in current.holiday_names.items() if d.isoformat() in listed}
    names.update(values["holiday_names"])
    values = {**values, "holiday_names": {d: n for d, n in sorted(names.items()) if n and d in listed}}
    before = _snapshot(current)
    changes = {k: [before[k], v] for k, v in values.items() if before[k] != v}
    if row is None:
        try:
            with transaction.atomic():
                row = WorkCalendar.objects.create(workspace=workspace, project=project, **values)
        except IntegrityError:
            raise Conflict("This calendar was created by someone else a moment ago. Reload it.") from None
    elif changes:
        for name, value in values.items():
            setattr(row, name, value)
        row.version += 1
        row.save()
    if changes or current.source != ("project" if project is not None else "workspace"):
        events.record(
            name="calendar.updated",
            actor=actor,
            workspace=workspace,
            target=row,
            target_label=f"calendar of {project.key}" if project is not None else "workspace calendar",
            data={"project": project.key} if project is not None else {},
            changes=changes,
        )
    return row


def calendar_set_workspace(
    *,
    actor: User,
    workspace: Workspace,
    working_days: list[str],
    holidays: list[datetime.date],
    extra_working_days: list[datetime.date] | None = None,
    hours_per_day: int = 8,
    version: int | None = None,
    holiday_names: dict[datetime.date, str] | None = None,
) -> WorkCalendar:
    """Replace the workspace calendar (projects without their own use it). `holiday_names` names
    holidays ({date: "Christmas Day"}; "" drops a name; unnamed dates keep theirs). Raises
    PermissionDenied (owners and admins only), ValidationError, Conflict (stale version)."""
    authorise(
        actor, "calendar.update", workspace, "Only workspace owners and admins can change the workspace calendar."
    )
    values = _clean(working_days, holidays, extra_working_days or [], hours_per_day, holiday_names)
    with transaction.atomic():
        return _save(
            actor=actor,
            workspace=workspace,
            project=None,
            version=version,
            values=values,
            current=workspace_calendar(workspace=workspace),
        )


def calendar_set_project(
    *,
    actor: User,
    project: Project,
    working_days: list[str],
    holidays: list[datetime.date],
    extra_working_days: list[datetime.date] | None = None,
    hours_per_day: int = 8,
    version: int | None = None,
    holiday_names: dict[datetime.date, str] | None = None,
) -> WorkCalendar:
    """Give a project its own calendar (or replace it), holidays optionally named as for the
    workspace's. Raises PermissionDenied (managers),
    ValidationError, Conflict (stale version)."""
    authorise(actor, "calendar.update", project, "Only managers of the project can change its calendar.")
    values = _clean(working_days, holidays, extra_working_days or [], hours_per_day, holiday_names)
    with transaction.atomic():
        return _save(
            actor=actor,
            workspace=project.workspace,
            project=project,
            version=version,
            values=values,
            current=project_calendar(project=project),
        )


def calendar_reset_project(*, actor: User, project: Project) -> None:
    """Drop a project's own calendar: it uses the workspace's again. Raises PermissionDenied."""
    authorise(actor, "calendar.update", project, "Only managers of the project can change its calendar.")
    with transaction.atomic():
        row = WorkCalendar.objects.select_for_update().filter(project=project).first()
        if row is None:
            return
        events.record(
            name="calendar.reset",
            actor=actor,
            workspace=project.workspace,
            target=row,
            target_label=f"calendar of {project.key}",
            data={"project": project.key},
        )
        row.delete()
