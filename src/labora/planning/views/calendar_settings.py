"""Working-calendar settings pages: the workspace's (`/w/<ws>/settings/calendar/`, owners and
admins change it, members read it) and a project's (`/w/<ws>/projects/<KEY>/settings/calendar/`,
managers change it, whoever sees the project reads it).

Working weekdays and hours per day, holidays (optionally named: "Christmas Day") and extra working
days (one date or a range), the
switch between "use the workspace calendar" and "this project's own calendar" (reset = the
project's row is deleted), and a preview of the next four weeks. Every change goes through
labora.planning.services.calendars with the version the page was loaded with: a stale one keeps
what the user typed and says what changed, a refused one renders the 403 page.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse

from labora.core.errors import Conflict, PermissionDenied, ValidationError
from labora.core.policy import can
from labora.planning.calendar_view import calendar_for, is_working_day
from labora.planning.models import WEEKDAY_NAMES
from labora.planning.selectors import CalendarView
from labora.planning.services import calendars as calendar_services
from labora.work import query_compiler
from labora.work.models import Project
from labora.work.permissions import access_of, is_outsider
from labora.work.views.projects import project_for
from labora.workspaces.forms import apply_error
from labora.workspaces.models import Membership, Workspace
from labora.workspaces.views import Request, workspace_page

WEEKDAY_CHOICES = [(name, name.capitalize()) for name in WEEKDAY_NAMES]
WEEKDAY_LONG = dict(
    zip(WEEKDAY_NAMES, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"), strict=True)
)
KIND_CHOICES = [("holiday", "Holiday (no work)"), ("extra", "Extra working day")]
MAX_RANGE_DAYS = 366
PREVIEW_WEEKS = 4
STALE = (
    "Someone else changed this calendar since you opened the page; what it holds now is shown below. "
    "Your change is still in the form: check it and press the button again to apply it."
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class WeekForm(forms.Form):
    working_days = forms.MultipleChoiceField(
        choices=WEEKDAY_CHOICES, required=False, widget=forms.CheckboxSelectMultiple, label="Working days"
    )
    hours_per_day = forms.IntegerField(
        min_value=1,
        max_value=calendar_services.MAX_HOURS_PER_DAY,
        label="Hours per working day",
        help_text="How many hours of an estimate fit in one working day.",
        error_messages={"required": "Say how many hours a working day has (1 to 24)."},
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def clean_working_days(self) -> list[str]:
        days = list(self.cleaned_data.get("working_days") or [])
        if not days:
            raise forms.ValidationError("Tick at least one working day: a calendar with no working day has no time.")
        return days


class DatesForm(forms.Form):
    kind = forms.ChoiceField(choices=KIND_CHOICES, label="Kind", initial="holiday")
    first = forms.DateField(
        label="Date",
        widget=DateInput(),
        error_messages={"required": "Pick a date.", "invalid": "Write the date as YYYY-MM-DD."},
    )
    last = forms.DateField(
        label="Until",
        required=False,
        widget=DateInput(),
        error_messages={"invalid": "Write the date as YYYY-MM-DD."},
    )
    name = forms.CharField(
        label="Name",
        required=False,
        max_length=calendar_services.MAX_HOLIDAY_NAME,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Christmas Day", "autocomplete": "off"}),
        error_messages={"max_length": f"A name is at most {calendar_services.MAX_HOLIDAY_NAME} characters."},
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first"), data.get("last")
        if first is not None and last is not None:
            if last < first:
                self.add_error("last", "The last day comes on or after the first one.")
            elif (last - first).days >= MAX_RANGE_DAYS:
                self.add_error("last", f"A range covers at most {MAX_RANGE_DAYS} days; add longer ones in parts.")
        return data

    def dates(self) -> list[datetime.date]:
        first = self.cleaned_data["first"]
        last = self.cleaned_data.get("last") or first
        return [first + datetime.timedelta(days=i) for i in range((last - first).days + 1)]


class RemoveForm(forms.Form):
    kind = forms.ChoiceField(choices=KIND_CHOICES)
    first = forms.DateField()
    last = forms.DateField()
    version = forms.IntegerField(min_value=0)


@dataclass
class DateRun:
    """Consecutive dates shown (and removed) together."""

    first: datetime.date
    last: datetime.date
    past: bool
    name: str = ""

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def runs(
    dates: list[datetime.date], today: datetime.date, names: dict[datetime.date, str] | None = None
) -> list[DateRun]:
    """Consecutive dates with the same name (or none) as one run each."""
    names = names or {}
    found: list[DateRun] = []
    for day in sorted(dates):
        name = names.get(day, "")
        if found and day - found[-1].last == datetime.timedelta(days=1) and found[-1].name == name:
            found[-1].last = day
            found[-1].past = day < today
        else:
            found.append(DateRun(first=day, last=day, past=day < today, name=name))
    return found


def preview(calendar: CalendarView, today: datetime.date) -> list[dict[str, Any]]:
    monday = today - datetime.timedelta(days=today.weekday())
    holidays, extra = set(calendar.holidays), set(calendar.extra_working_days)
    days = []
    for i in range(PREVIEW_WEEKS * 7):
        day = monday + datetime.timedelta(days=i)
        days.append(
            {
                "date": day,
                "working": is_working_day(calendar, day),
                "holiday": day in holidays,
                "holiday_name": calendar.holiday_name(day),
                "extra": day in extra,
                "today": day == today,
                "new_month": day.day == 1 or i == 0,
            }
        )
    return days


# --- writes -----------------------------------------------------------------------------------


def _save(
    request: Request,
    workspace: Workspace,
    project: Project | None,
    current: CalendarView,
    *,
    version: int,
    working_days: list[str] | None = None,
    hours_per_day: int | None = None,
    holidays: list[datetime.date] | None = None,
    holiday_names: dict[datetime.date, str] | None = None,
    extra_working_days: list[datetime.date] | None = None,
) -> None:
    kept_holidays = holidays if holidays is not None else current.holidays
    listed = set(kept_holidays)
    names = holiday_names if holiday_names is not None else current.holiday_names
    values: dict[str, Any] = {
        "working_days": working_days if working_days is not None else current.working_days,
        "holidays": kept_holidays,
        # a removed holiday takes its name with it
        "holiday_names": {d: n for d, n in names.items() if d in listed},
        "extra_working_days": extra_working_days if extra_working_days is not None else current.extra_working_days,
        "hours_per_day": hours_per_day if hours_per_day is not None else current.hours_per_day,
        "version": version,
    }
    if project is None:
        calendar_services.calendar_set_workspace(actor=request.user, workspace=workspace, **values)
    else:
        calendar_services.calendar_set_project(actor=request.user, project=project, **values)


def _with_version(form_class: type[forms.Form], request: Request, version: int) -> forms.Form:
    """The posted form again, with the calendar's current version: what the user typed is kept,
    and sending it again applies it over the current calendar."""
    data = request.POST.copy()
    data["version"] = str(version)
    form = form_class(data)
    form.is_valid()
    form.add_error(None, STALE)
    return form


def _add_dates(
    request: Request, workspace: Workspace, project: Project | None, current: CalendarView, form: DatesForm
) -> str | None:
    """Add the form's date (or range) to the holidays or the extra working days; a message, or
    None with the form's errors set."""
    kind = form.cleaned_data["kind"]
    dates = form.dates()
    same = set(current.holidays if kind == "holiday" else current.extra_working_days)
    other = set(current.extra_working_days if kind == "holiday" else current.holidays)
    label, other_label = ("holiday", "extra working day") if kind == "holiday" else ("extra working day", "holiday")
    clashes = sorted(set(dates) & other)
    if clashes:
        form.add_error(
            "first",
            f"{_day(clashes[0])} is listed as {'an' if other_label[0] in 'aeiou' else 'a'} {other_label}: "
            "remove it there first.",
        )
        return None
    new = [d for d in dates if d not in same]
    name = " ".join(form.cleaned_data.get("name", "").split()) if kind == "holiday" else ""
    if not new and name and any(current.holiday_name(d) != name for d in dates):
        # The days are holidays already: this names (or renames) them.
        names = {**current.holiday_names, **dict.fromkeys(dates, name)}
        _save(request, workspace, project, current, version=form.cleaned_data["version"], holiday_names=names)
        span = _day(dates[0]) if len(dates) == 1 else f"{_day(dates[0])} to {_day(dates[-1])}"
        return f"{span}: now called {name}."
    if not new:
        form.add_error(
            "first",
            f"{_day(dates[0])} is already a {label}." if len(dates) == 1 else f"These days are already {label}s.",
        )
        return None
    merged = sorted(same | set(new))
    if kind == "holiday":
        named = {**current.holiday_names, **dict.fromkeys(dates, name)} if name else None
        _save(
            request,
            workspace,
            project,
            current,
            version=form.cleaned_data["version"],
            holidays=merged,
            holiday_names=named,
        )
        if name:
            label = f"holiday ({name})"
    else:
        _save(request, workspace, project, current, version=form.cleaned_data["version"], extra_working_days=merged)
    if len(new) == 1:
        return f"{_day(new[0])} is now {'an' if label[0] in 'aeiou' else 'a'} {label}."
    plural = f"holidays ({name})" if kind == "holiday" and name else f"{label}s"
    return f"Added {len(new)} {plural}, {_day(new[0])} to {_day(new[-1])}."


def _day(day: datetime.date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def _post(
    request: Request, workspace: Workspace, project: Project | None, current: CalendarView
) -> tuple[str | None, dict[str, Any]]:
    """Apply the posted action. (success message, forms to show again) — a message means redirect."""
    action = request.POST.get("action", "")
    if action == "week":
        week = WeekForm(request.POST)
        if not week.is_valid():
            return None, {"week_form": week}
        try:
            _save(
                request,
                workspace,
                project,
                current,
                version=week.cleaned_data["version"],
                working_days=week.cleaned_data["working_days"],
                hours_per_day=week.cleaned_data["hours_per_day"],
            )
        except Conflict:
            return None, {"week_form": _with_version(WeekForm, request, current.version)}
        except ValidationError as exc:
            apply_error(week, exc)
            return None, {"week_form": week}
        names = ", ".join(WEEKDAY_LONG[d] for d in week.cleaned_data["working_days"])
        return f"Working days saved: {names}.", {}
    if action == "add":
        dates = DatesForm(request.POST)
        if not dates.is_valid():
            return None, {"dates_form": dates}
        try:
            message = _add_dates(request, workspace, project, current, dates)
        except Conflict:
            return None, {"dates_form": _with_version(DatesForm, request, current.version)}
        except ValidationError as exc:
            apply_error(dates, exc)
            return None, {"dates_form": dates}
        return (message, {}) if message else (None, {"dates_form": dates})
    if action == "remove":
        remove = RemoveForm(request.POST)
        if not remove.is_valid():
            return None, {"remove_error": "That date could not be read: reload the page and try again."}
        first, last = remove.cleaned_data["first"], remove.cleaned_data["last"]
        kind = remove.cleaned_data["kind"]
        listed = current.holidays if kind == "holiday" else current.extra_working_days
        kept = [d for d in listed if not first <= d <= last]
        try:
            if kind == "holiday":
                _save(request, workspace, project, current, version=remove.cleaned_data["version"], holidays=kept)
            else:
                _save(
                    request,
                    workspace,
                    project,
                    current,
                    version=remove.cleaned_data["version"],
                    extra_working_days=kept,
                )
        except Conflict:
            return None, {"remove_error": STALE.split(";")[0] + ". Nothing was removed: check the list and try again."}
        span = _day(first) if first == last else f"{_day(first)} to {_day(last)}"
        return f"Removed {span}.", {}
    if action == "own" and project is not None:
        try:
            calendar_services.calendar_set_project(
                actor=request.user,
                project=project,
                working_days=current.working_days,
                holidays=current.holidays,
                holiday_names=current.holiday_names,
                extra_working_days=current.extra_working_days,
                hours_per_day=current.hours_per_day,
                version=0,
            )
        except Conflict as exc:
            return None, {"remove_error": exc.message}
        return f"{project.key} now has its own calendar, starting as a copy of the workspace's.", {}
    if action == "reset" and project is not None:
        calendar_services.calendar_reset_project(actor=request.user, project=project)
        return f"{project.key} uses the workspace calendar again.", {}
    return None, {"remove_error": "Unknown action: reload the page and try again."}


# --- pages ----------------------------------------------------------------------------------


def _context(
    request: Request,
    workspace: Workspace,
    membership: Membership,
    project: Project | None,
    current: CalendarView,
    *,
    can_edit: bool,
    forms_shown: dict[str, Any],
) -> dict[str, Any]:
    today = query_compiler.user_today(request.user)
    week_form = forms_shown.get("week_form") or WeekForm(
        initial={
            "working_days": current.working_days,
            "hours_per_day": current.hours_per_day,
            "version": current.version,
        }
    )
    dates_form = forms_shown.get("dates_form") or DatesForm(initial={"version": current.version, "kind": "holiday"})
    own = project is None or current.source == "project"
    return {
        "workspace": workspace,
        "project": project,
        "calendar": current,
        "own": own,
        "can_edit": can_edit,
        "editable": can_edit and own,
        "week_form": week_form,
        "dates_form": dates_form,
        "remove_error": forms_shown.get("remove_error"),
        "working_names": [WEEKDAY_LONG[d] for d in current.working_days],
        "holiday_runs": runs(current.holidays, today, current.holiday_names),
        "extra_runs": runs(current.extra_working_days, today),
        "preview": preview(current, today),
        "weekday_labels": [label for _, label in WEEKDAY_CHOICES],
        "workspace_settings_url": reverse("calendar_workspace_settings", kwargs={"ws": workspace.slug}),
        "can_edit_workspace": can(request.user, "calendar.update", membership),
    }


def _page(
    request: Request, workspace: Workspace, membership: Membership, project: Project | None, *, can_edit: bool
) -> HttpResponse:
    current = calendar_for(workspace=workspace, project=project)
    forms_shown: dict[str, Any] = {}
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(
                "Only managers of the project can change its calendar."
                if project is not None
                else "Only workspace owners and admins can change the workspace calendar."
            )
        message, forms_shown = _post(request, workspace, project, current)
        if message:
            messages.success(request, message)
            return redirect(request.path)
        current = calendar_for(workspace=workspace, project=project)
    context = _context(request, workspace, membership, project, current, can_edit=can_edit, forms_shown=forms_shown)
    template = "planning/calendar_settings_project.html" if project else "planning/calendar_settings.html"
    return render(request, template, context)


@workspace_page
def calendar_workspace_settings(request: Request, workspace: Workspace, membership: Membership) -> HttpResponse:
    if is_outsider(membership):
        raise PermissionDenied("Guests and clients do not see the workspace settings.")
    return _page(request, workspace, membership, None, can_edit=can(request.user, "calendar.update", membership))


@workspace_page
def calendar_project_settings(request: Request, workspace: Workspace, membership: Membership, key: str) -> HttpResponse:
    project = project_for(workspace, key, user=request.user, membership=membership)
    can_edit = can(request.user, "calendar.update", access_of(membership, project))
    return _page(request, workspace, membership, project, can_edit=can_edit)


urlpatterns = [
    path("w/<slug:ws>/settings/calendar/", calendar_workspace_settings, name="calendar_workspace_settings"),
    path(
        "w/<slug:ws>/projects/<str:key>/settings/calendar/",
        calendar_project_settings,
        name="calendar_project_settings",
    ),
]
