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


@describes("project.updated", tells=("name", "archived", "is_private"))
def _project_updated(e: Any) -> list[Part]:
    label = getattr(e, "target_label", "") or _data(e).get("project", "")
    private = _pair(e, "is_private")
    if private:
        return [_t("made "), _s(label), _t(" private" if private[1] else " visible to the whole workspace")]
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


@describes("task.moved_to_project")
def _task_moved_to_project(e: Any) -> list[Part]:
    data = _data(e)
    return [_t("moved "), _s(data.get("from_task", "")), _t(" to "), _s(data.get("project", "")), _t(" as "),
            _s(_task_label(e))]  # fmt: skip


@describes("saved_view.created")
def _saved_view_created(e: Any) -> list[Part]:
    return [_t("saved the view "), _s(_data(e).get("name", ""))]


@describes("saved_view.updated", tells=("name",))
def _saved_view_updated(e: Any) -> list[Part]:
    renamed = _pair(e, "name")
    if renamed:
        return [_t("renamed the view "), _s(renamed[0]), _t(" to "), _s(renamed[1])]
    return [_t("changed the view "), _s(_data(e).get("name", ""))]


@describes("saved_view.deleted")
def _saved_view_deleted(e: Any) -> list[Part]:
    return [_t("deleted the view "), _s(_data(e).get("name", ""))]


def _item(e: Any) -> Part:
    return _s(value_text(_data(e).get("item", "")))


@describes("checklist.item_added")
def _checklist_added(e: Any) -> list[Part]:
    return [_t("added "), _item(e), _t(" to the checklist of "), _s(_task_key(e))]


@describes("checklist.item_checked", tells=("done",))
def _checklist_checked(e: Any) -> list[Part]:
    return [_t("ticked "), _item(e), _t(" on "), _s(_task_key(e))]


@describes("checklist.item_unchecked", tells=("done",))
def _checklist_unchecked(e: Any) -> list[Part]:
    return [_t("unticked "), _item(e), _t(" on "), _s(_task_key(e))]


@describes("checklist.item_updated", tells=("text",))
def _checklist_updated(e: Any) -> list[Part]:
    text = _pair(e, "text")
    if text:
        return [_t("renamed the checklist item "), _s(value_text(text[0])), _t(" to "), _s(value_text(text[1]))]
    return [_t("changed the checklist item "), _item(e), _t(" on "), _s(_task_key(e))]


@describes("checklist.item_moved")
def _checklist_moved(e: Any) -> list[Part]:
    return [_t("reordered the checklist of "), _s(_task_key(e))]


@describes("checklist.item_deleted")
def _checklist_deleted(e: Any) -> list[Part]:
    return [_t("removed "), _item(e), _t(" from the checklist of "), _s(_task_key(e))]


def _is_actor(e: Any, email: str) -> bool:
    actor = getattr(e, "actor", None)
    return bool(email) and getattr(actor, "email", "").lower() == email.lower()


@describes("task.watcher_added")
def _watcher_added(e: Any) -> list[Part]:
    email = str(_data(e).get("watcher", ""))
    if _is_actor(e, email):
        return [_t("started watching "), _s(_task_key(e))]
    return [_t("made "), _s(email), _t(" watch "), _s(_task_key(e))]


@describes("task.watcher_removed")
def _watcher_removed(e: Any) -> list[Part]:
    email = str(_data(e).get("watcher", ""))
    if _is_actor(e, email):
        return [_t("stopped watching "), _s(_task_key(e))]
    return [_t("removed "), _s(email), _t(" from the watchers of "), _s(_task_key(e))]


@describes("custom_field.created")
def _field_created(e: Any) -> list[Part]:
    data = _data(e)
    return [_t(f"added the {data.get('type', '')} field "), _s(data.get("field", "")), _t(" to "),
            _s(data.get("project", ""))]  # fmt: skip


@describes("custom_field.updated", tells=("name",))
def _field_updated(e: Any) -> list[Part]:
    renamed = _pair(e, "name")
    if renamed:
        return [_t("renamed the field "), _s(renamed[0]), _t(" to "), _s(renamed[1])]
    return [_t("changed the field "), _s(_data(e).get("field", ""))]


@describes("custom_field.deleted")
def _field_deleted(e: Any) -> list[Part]:
    return [_t("deleted the field "), _s(_data(e).get("field", "")), _t(" of "), _s(_data(e).get("project", ""))]


@describes("custom_field.reordered", tells=("fields",))
def _fields_reordered(e: Any) -> list[Part]:
    return [_t("reordered the fields of "), _s(_data(e).get("project", ""))]


@describes("project.types_updated")
def _types_updated(e: Any) -> list[Part]:
    return [_t("changed the task types of "), _s(_data(e).get("project", ""))]


for _kind in (("project", "Projects"), ("task", "Tasks"), ("label", "Labels"), ("checklist", "Checklists"),
              ("custom_field", "Custom fields")):  # fmt: skip
    if _kind not in KINDS:
        KINDS.append(_kind)


def _member_name(e: Any) -> str:
    return str(_data(e).get("name") or _data(e).get("user") or "someone")


def _project_label(e: Any) -> str:
    return str(getattr(e, "target_label", "") or _data(e).get("project", ""))


@describes("project.member_added")
def _project_member_added(e: Any) -> list[Part]:
    role = _data(e).get("role") or "member"
    return [_t("added "), _s(_member_name(e)), _t(" to "), _s(_project_label(e)), _t(f" as {role}")]


@describes("project.member_role_changed", tells=("role",))
def _project_member_role_changed(e: Any) -> list[Part]:
    role = _pair(e, "role")
    after = role[1] if role else "another role"
    return [_t("made "), _s(_member_name(e)), _t(f" {after} of "), _s(_project_label(e))]


@describes("project.member_removed")
def _project_member_removed(e: Any) -> list[Part]:
    return [_t("removed "), _s(_member_name(e)), _t(" from "), _s(_project_label(e))]
