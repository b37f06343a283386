"""How task and project events read in activity feeds: "Olivia moved OPS-3 from To do to In progress".

Registered with labora.web.activity_text's @describes when the work app is ready.
"""

from __future__ import annotations

import datetime
from typing import Any

from labora.web.activity_text import KINDS, Part, describes, value_text

# Fields a task.updated sentence tells itself; any other change is listed under the sentence.
TASK_TOLD = ("status", "title", "assignee", "priority", "due_date", "start_date")


def _s(text: Any) -> Part:
    return Part(str(text), strong=True)


def _t(text: str) -> Part:
    return Part(text)


def _data(entry: Any) -> dict[str, Any]:
    return getattr(entry, "data", None) or {}


def _pair(entry: Any, field: str) -> tuple[Any, Any] | None:
    pair = (getattr(entry, "changes", None) or {}).get(field)
    if not isinstance(pair, (list, tuple)) or len(pair) != 2:
        return None
    return pair[0], pair[1]


def day_text(value: Any) -> str:
    """ "2026-12-03" -> "3 Dec" (with the year when it is not this year's)."""
    if not value:
        return "no date"
    try:
        day = datetime.date.fromisoformat(str(value))
    except ValueError:
        return value_text(value)
    if day.year == datetime.date.today().year:
        return f"{day.day} {day:%b}"
    return f"{day.day} {day:%b} {day.year}"


def _task_key(entry: Any) -> str:
    return str(getattr(entry, "task_key", "") or _data(entry).get("task") or getattr(entry, "target_label", ""))


def _task_label(entry: Any) -> str:
    return str(getattr(entry, "target_label", "") or _task_key(entry))


def _clauses(entry: Any) -> list[list[Part]]:
    key = _task_key(entry)
    clauses: list[list[Part]] = []
    status = _pair(entry, "status")
    if status:
        clauses.append([_t("moved "), _s(key), _t(" from "), _s(status[0]), _t(" to "), _s(status[1])])
    title = _pair(entry, "title")
    if title:
        clauses.append([_t("renamed "), _s(key), _t(" to "), _s(value_text(title[1]))])
    assignee = _pair(entry, "assignee")
    if assignee:
        if assignee[1]:
            clauses.append([_t("assigned "), _s(key), _t(" to "), _s(assignee[1])])
        else:
            clauses.append([_t("unassigned "), _s(key)])
    priority = _pair(entry, "priority")
    if priority:
        clauses.append([_t("changed the priority from "), _s(priority[0]), _t(" to "), _s(priority[1])])
    for field, noun in (("due_date", "due date"), ("start_date", "start date")):
        pair = _pair(entry, field)
        if pair:
            clauses.append([_t(f"changed the {noun} from "), _s(day_text(pair[0])), _t(" to "), _s(day_text(pair[1]))])
    return clauses


@describes("task.created")
def _task_created(e: Any) -> list[Part]:
    return [_t("created "), _s(_task_label(e))]


@describes("task.updated", tells=TASK_TOLD)
def _task_updated(e: Any) -> list[Part]:
    clauses = _clauses(e)
    if not clauses:
        return [_t("updated the task "), _s(_task_label(e))]
    parts: list[Part] = []
    for i, clause in enumerate(clauses):
        if i:
            parts.append(_t(" and " if i == len(clauses) - 1 else ", "))
        parts += clause
    return parts


@describes("task.deleted")
def _task_deleted(e: Any) -> list[Part]:
    return [_t("moved "), _s(_task_label(e)), _t(" to the trash")]


@describes("task.restored")
def _task_restored(e: Any) -> list[Part]:
    return [_t("restored "), _s(_task_label(e)), _t(" from the trash")]


@describes("project.created")
def _project_created(e: Any) -> list[Part]:
    kind = "ongoing work stream" if _data(e).get("kind") == "ongoing" else "project"
    return [_t(f"created the {kind} "), _s(getattr(e, "target_label", "") or _data(e).get("project", ""))]


@describes("project.updated", tells=("name", "archived"))
def _project_updated(e: Any) -> list[Part]:
    label = getattr(e, "target_label", "") or _data(e).get("project", "")
    archived = _pair(e, "archived")
    if archived:
        return [_t("archived " if archived[1] else "unarchived "), _s(label)]
    renamed = _pair(e, "name")
    if renamed:
        return [_t("renamed the project "), _s(renamed[0]), _t(" to "), _s(renamed[1])]
    return [_t("updated the project "), _s(label)]


@describes("project.deleted")
def _project_deleted(e: Any) -> list[Part]:
    return [_t("moved the project "), _s(getattr(e, "target_label", "")), _t(" to the trash")]


@describes("task.moved")
def _task_moved(e: Any) -> list[Part]:
    return [_t("reordered "), _s(_task_label(e))]


@describes("project.restored")
def _project_restored(e: Any) -> list[Part]:
    return [_t("restored the project "), _s(getattr(e, "target_label", "")), _t(" from the trash")]


@describes("label.created")
def _label_created(e: Any) -> list[Part]:
    return [_t("created the label "), _s(_data(e).get("name", ""))]


@describes("label.updated", tells=("name",))
def _label_updated(e: Any) -> list[Part]:
    renamed = _pair(e, "name")
    if renamed:
        return [_t("renamed the label "), _s(renamed[0]), _t(" to "), _s(renamed[1])]
    return [_t("changed the label "), _s(getattr(e, "target_label", "") or _data(e).get("name", ""))]


@describes("label.deleted")
def _label_deleted(e: Any) -> list[Part]:
    return [_t("deleted the label "), _s(_data(e).get("name", ""))]


for _kind in (("project", "Projects"), ("task", "Tasks"), ("label", "Labels")):
    if _kind not in KINDS:
        KINDS.append(_kind)
