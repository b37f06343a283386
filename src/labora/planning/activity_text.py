"""How planning events read in activity feeds: "Olivia made OPS-4 depend on OPS-2 (finish to start)".

Registered with labora.web.activity_text's @describes when the planning app is ready.
"""

from __future__ import annotations

from typing import Any

from labora.web.activity_text import KINDS, Part, describes, value_text

_TYPES = {"FS": "finish to start", "SS": "start to start", "FF": "finish to finish", "SF": "start to finish"}


def _s(text: Any) -> Part:
    return Part(str(text), strong=True)


def _t(text: str) -> Part:
    return Part(text)


def _data(entry: Any) -> dict[str, Any]:
    return getattr(entry, "data", None) or {}


def _label(entry: Any) -> str:
    return str(getattr(entry, "target_label", "") or _data(entry).get("project", ""))


def _link(entry: Any) -> str:
    data = _data(entry)
    lag = int(data.get("lag_days") or 0)
    kind = _TYPES.get(str(data.get("type", "")), str(data.get("type", "")))
    return f" ({kind}{f', lag {lag:+d} d' if lag else ''})"


@describes("dependency.created")
def _dependency_created(e: Any) -> list[Part]:
    data = _data(e)
    return [
        _t("made "),
        _s(data.get("successor", "")),
        _t(" depend on "),
        _s(data.get("predecessor", "")),
        _t(_link(e)),
    ]


@describes("dependency.updated", tells=("type", "lag_days", "lag_elapsed"))
def _dependency_updated(e: Any) -> list[Part]:
    data = _data(e)
    return [
        _t("changed the dependency of "),
        _s(data.get("successor", "")),
        _t(" on "),
        _s(data.get("predecessor", "")),
        _t(" to " + _link(e).strip(" ()")),
    ]


@describes("dependency.deleted")
def _dependency_deleted(e: Any) -> list[Part]:
    data = _data(e)
    return [
        _t("removed the dependency of "),
        _s(data.get("successor", "")),
        _t(" on "),
        _s(data.get("predecessor", "")),
    ]


@describes("project.scheduled")
def _project_scheduled(e: Any) -> list[Part]:
    data = _data(e)
    moved = int(data.get("moved") or 0)
    verb = "auto-scheduled " if data.get("trigger", "manual") != "manual" else "scheduled "
    return [
        _t(verb),
        _s(_label(e)),
        _t(f": {moved} task{'s' if moved != 1 else ''} moved, finish "),
        _s(value_text(data.get("finish_date", ""))),
    ]


@describes("project_plan.updated", tells=("auto_schedule",))
def _project_plan_updated(e: Any) -> list[Part]:
    pair = (getattr(e, "changes", None) or {}).get("auto_schedule") or [None, None]
    return [_t("turned auto-scheduling " + ("on" if pair[1] else "off") + " for "), _s(_label(e))]


@describes("task_plan.updated", tells=("mode", "constraint_type", "constraint_date", "actual_start", "actual_finish"))
def _task_plan_updated(e: Any) -> list[Part]:
    changes = getattr(e, "changes", None) or {}
    key = _data(e).get("task", "") or _label(e)
    mode = changes.get("mode")
    if mode and len(changes) == 1:
        return [_t("set "), _s(key), _t(" to be scheduled " + ("manually" if mode[1] == "manual" else "automatically"))]
    return [_t("changed how "), _s(key), _t(" is scheduled")]


@describes("calendar.updated")
def _calendar_updated(e: Any) -> list[Part]:
    project = _data(e).get("project")
    if project:
        return [_t("changed the working calendar of "), _s(project)]
    return [_t("changed the workspace's working calendar")]


@describes("calendar.reset")
def _calendar_reset(e: Any) -> list[Part]:
    return [_t("set "), _s(_data(e).get("project", "")), _t(" back to the workspace's working calendar")]


@describes("baseline.created")
def _baseline_created(e: Any) -> list[Part]:
    data = _data(e)
    return [_t("saved the baseline "), _s(data.get("name", "")), _t(" of "), _s(data.get("project", ""))]


@describes("baseline.deleted")
def _baseline_deleted(e: Any) -> list[Part]:
    data = _data(e)
    return [_t("deleted the baseline "), _s(data.get("name", "")), _t(" of "), _s(data.get("project", ""))]


@describes("project.imported")
def _project_imported(e: Any) -> list[Part]:
    data = _data(e)
    n = int(data.get("tasks") or 0)
    return [_t("imported "), _s(_label(e)), _t(f" from MS Project ({n} task{'s' if n != 1 else ''})")]


for _kind in (("dependency", "Dependencies"), ("baseline", "Baselines"), ("calendar", "Calendars")):
    if _kind not in KINDS:
        KINDS.append(_kind)
