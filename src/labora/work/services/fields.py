"""Custom fields (definitions per project, values on tasks), custom task types, required fields.

Definitions are CustomField rows; a task keeps its values in Task.custom_fields keyed by the
field's public id, so renaming a field keeps its values and a deleted (trashed) field's values
stay in the JSON but are no longer shown or validated. The API and pages speak field *names*;
this module translates names to public ids and back, and validates each value by the field's type.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction

from labora.accounts.models import User
from labora.core import events
from labora.core.errors import Conflict, ValidationError
from labora.core.trash import move_to_trash
from labora.work.models import CustomField, CustomFieldType, Project, Status, Task, TaskType
from labora.work.services._common import UNSET, authorise, check_version, clean_text, is_set
from labora.workspaces.models import Membership, Workspace

MAX_FIELDS = 50
MAX_OPTIONS = 100
MAX_TYPES = 20
MAX_TEXT = 5_000
MAX_URL = 2_000
CHOICE_TYPES = (CustomFieldType.SELECT, CustomFieldType.MULTISELECT)
BUILTIN_TYPES: tuple[str, ...] = tuple(TaskType.values)

# Fields a status may require on entry, besides custom fields written "cf:<name>".
REQUIRABLE = ("assignee", "due_date", "start_date", "estimate", "labels", "description")
CF_PREFIX = "cf:"


# --- custom types ------------------------------------------------------------------------------


def custom_type_names(project: Project) -> list[str]:
    """The project's own task types, in the order they were defined."""
    names = []
    for item in project.custom_types or []:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and name:
            names.append(name)
    return names


def task_types(project: Project) -> list[str]:
    """Every type a task of `project` may have: the built-in ones, then the project's."""
    return [*BUILTIN_TYPES, *custom_type_names(project)]


def check_type(project: Project, value: str) -> str:
    """The type named `value` (ignoring case) as the project spells it; 422 for an unknown type."""
    wanted = (value or "").strip().lower()
    for name in task_types(project):
        if name.lower() == wanted:
            return name
    raise ValidationError(
        f"Unknown type '{value}'. {project.key} takes: {', '.join(task_types(project))}. "
        f"Add a type with PUT /api/v1/workspaces/{{ws}}/projects/{project.key}/types.",
        fields={"type": "unknown type"},
    )


def project_types_replace(*, actor: User, project: Project, types: list[str], version: int | None = None) -> Project:
    """Replace a project's custom task types (the built-in ones always stay).

    Raises PermissionDenied, ValidationError (bad or duplicate names, a removed type still used
    by tasks: type_in_use), Conflict (stale project version).
    """
    authorise(actor, "project.update", project, "Only managers of the project can change its task types.")
    cleaned: list[str] = []
    seen = {t.lower() for t in BUILTIN_TYPES}
    for i, raw in enumerate(types):
        name = clean_text(raw, field=f"types.{i}", limit=30)
        if name.lower() in seen:
            what = "a built-in type" if name.lower() in BUILTIN_TYPES else "given twice"
            raise ValidationError(
                f"The type '{name}' is {what}; custom type names are unique and differ from "
                f"{', '.join(BUILTIN_TYPES)}.",
                fields={f"types.{i}": "duplicate"},
            )
        seen.add(name.lower())
        cleaned.append(name)
    if len(cleaned) > MAX_TYPES:
        raise ValidationError(f"A project has at most {MAX_TYPES} custom types.", fields={"types": "too many"})
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        check_version(locked, version, "project")
        before = custom_type_names(locked)
        kept = {name.lower() for name in cleaned}
        removed = [name for name in before if name.lower() not in kept]
        if removed:
            in_use = Task.all_objects.filter(project=locked, type__in=removed).values_list("type", flat=True)
            used = sorted(set(in_use))
            if used:
                raise ValidationError(
                    f"The type {', '.join(repr(u) for u in used)} is still used by tasks of {locked.key} (the "
                    "trash included). Change their type first, or keep it.",
                    code="type_in_use",
                    fields={"types": f"{', '.join(used)} in use"},
                    extra={"in_use": used},
                )
        # A renamed spelling ("Story" -> "story") carries over to the tasks of that type.
        for name in cleaned:
            old = next((b for b in before if b.lower() == name.lower() and b != name), None)
            if old is not None:
                Task.all_objects.filter(project=locked, type=old).update(type=name)
        if before != cleaned:
            locked.custom_types = [{"name": name} for name in cleaned]
            locked.version += 1
            locked.save(update_fields=["custom_types", "version", "updated_at"])
            events.record(
                name="project.types_updated",
                actor=actor,
                workspace=locked.workspace,
                target=locked,
                target_label=f"{locked.key} {locked.name}",
                data={"project": locked.key},
                changes={"types": [before, cleaned]},
            )
    return locked


# --- definitions -------------------------------------------------------------------------------


def _options(type: str, options: Iterable[Any] | None) -> list[str]:
    given = list(options or [])
    if type not in CHOICE_TYPES:
        if given:
            raise ValidationError(
                f"Only select and multiselect fields have options; a {type} field takes none.",
                fields={"options": "not allowed for this type"},
            )
        return []
    cleaned: list[str] = []
    seen: set[str] = set()
    for i, raw in enumerate(given):
        if not isinstance(raw, str):
            raise ValidationError("Each option is a text.", fields={f"options.{i}": "not a text"})
        name = clean_text(raw, field=f"options.{i}", limit=100)
        if name.lower() in seen:
            raise ValidationError(f"The option '{name}' is given twice.", fields={f"options.{i}": "duplicate"})
        seen.add(name.lower())
        cleaned.append(name)
    if not cleaned:
        raise ValidationError(
            f'A {type} field needs at least one option, e.g. options: ["Low", "High"].',
            fields={"options": "required"},
        )
    if len(cleaned) > MAX_OPTIONS:
        raise ValidationError(f"A field has at most {MAX_OPTIONS} options.", fields={"options": "too many"})
    return cleaned


def _field_name(name: str) -> str:
    cleaned = clean_text(name, field="name", limit=60)
    if cleaned.lower().startswith(CF_PREFIX):
        raise ValidationError("A field name cannot start with 'cf:'.", fields={"name": "reserved prefix"})
    return cleaned


def _name_taken(project: Project, name: str) -> Conflict:
    return Conflict(
        f"{project.key} already has a field named '{name}' (names are unique, ignoring case). Pick another name.",
        code="name_taken",
        fields={"name": "taken"},
    )


def _field_event(name: str, actor: User, field: CustomField, **kwargs: Any) -> None:
    events.record(
        name=name,
        actor=actor,
        workspace=field.workspace,
        target=field,
        target_label=field.name,
        data={"project": field.project.key, "field": field.name, "type": field.type},
        **kwargs,
    )


def custom_field_create(
    *, actor: User, project: Project, name: str, type: str, options: list[str] | None = None
) -> CustomField:
    """Define a custom field on a project, placed last.

    Raises PermissionDenied, ValidationError (bad name, type or options, too many fields),
    Conflict (name_taken).
    """
    authorise(actor, "project.update", project, "Only managers of the project can define fields.")
    name = _field_name(name)
    if type not in CustomFieldType.values:
        raise ValidationError(
            f"Unknown field type '{type}'. Use one of: {', '.join(CustomFieldType.values)}.",
            fields={"type": "unknown type"},
        )
    cleaned_options = _options(type, options)
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        live = list(CustomField.objects.filter(project=locked))
        if any(f.name.lower() == name.lower() for f in live):
            raise _name_taken(locked, name)
        if len(live) >= MAX_FIELDS:
            raise ValidationError(f"A project has at most {MAX_FIELDS} custom fields.", fields={"name": "too many"})
        field = CustomField.objects.create(
            workspace=locked.workspace,
            project=locked,
            name=name,
            type=type,
            options=cleaned_options,
            position=max((f.position for f in live), default=-1) + 1,
        )
        _field_event("custom_field.created", actor, field)
    return field


def custom_field_update(
    *,
    actor: User,
    field: CustomField,
    version: int | None = None,
    name: Any = UNSET,
    options: Any = UNSET,
) -> CustomField:
    """Rename a field or change its options (its type is fixed: values are stored by type).

    Values of removed options stay on tasks until they are edited. Raises PermissionDenied,
    ValidationError, Conflict (stale version, name_taken).
    """
    authorise(actor, "project.update", field.project, "Only managers of the project can change fields.")
    with transaction.atomic():
        locked = CustomField.objects.select_for_update(of=("self",)).select_related("project").get(pk=field.pk)
        check_version(locked, version, "field")
        changes: dict[str, list[Any]] = {}
        if is_set(name):
            new_name = _field_name(name or "")
            if new_name != locked.name:
                clash = (
                    CustomField.objects.filter(project=locked.project, name__iexact=new_name)
                    .exclude(pk=locked.pk)
                    .exists()
                )
                if clash:
                    raise _name_taken(locked.project, new_name)
                changes["name"] = [locked.name, new_name]
                locked.name = new_name
        if is_set(options):
            new_options = _options(locked.type, options)
            if new_options != locked.options:
                changes["options"] = [locked.options, new_options]
                locked.options = new_options
        if changes:
            locked.version += 1
            try:
                with transaction.atomic():
                    locked.save()
            except IntegrityError:  # renamed concurrently to the same name
                raise _name_taken(locked.project, locked.name) from None
            _field_event("custom_field.updated", actor, locked, changes=changes)
    return locked


def custom_field_delete(*, actor: User, field: CustomField) -> CustomField:
    """Move a field definition to the trash: it disappears from tasks (values stay in the JSON).

    Raises PermissionDenied.
    """
    authorise(actor, "project.update", field.project, "Only managers of the project can delete fields.")
    with transaction.atomic():
        locked = CustomField.all_objects.select_for_update(of=("self",)).select_related("project").get(pk=field.pk)
        if locked.deleted_at is None:
            move_to_trash(locked, actor=actor)
            _field_event("custom_field.deleted", actor, locked)
    return locked


def custom_field_reorder(*, actor: User, project: Project, field_ids: list[str]) -> list[CustomField]:
    """Put the project's fields in the order of `field_ids` (every live field, once).

    Raises PermissionDenied, ValidationError (unknown, missing or repeated ids).
    """
    authorise(actor, "project.update", project, "Only managers of the project can reorder fields.")
    with transaction.atomic():
        Project.objects.select_for_update().get(pk=project.pk)
        live = {f.public_id: f for f in CustomField.objects.filter(project=project)}
        unknown = [i for i in field_ids if i not in live]
        if unknown:
            raise ValidationError(
                f"{', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not a field of {project.key}.",
                fields={"fields": "unknown field"},
            )
        if len(set(field_ids)) != len(field_ids) or set(field_ids) != set(live):
            raise ValidationError(
                f"List every field of {project.key} once, in the new order ({len(live)} fields).",
                fields={"fields": "every field once"},
            )
        before = [f.name for f in sorted(live.values(), key=lambda f: (f.position, f.pk))]
        ordered = [live[i] for i in field_ids]
        for position, field in enumerate(ordered):
            field.position = position
        CustomField.objects.bulk_update(ordered, ["position"])
        after = [f.name for f in ordered]
        if before != after:
            events.record(
                name="custom_field.reordered",
                actor=actor,
                workspace=project.workspace,
                target=project,
                target_label=f"{project.key} {project.name}",
                data={"project": project.key},
                changes={"fields": [before, after]},
            )
    return ordered


def field_definitions(project: Project) -> list[CustomField]:
    return list(CustomField.objects.filter(project=project).order_by("position", "id"))


# --- values ------------------------------------------------------------------------------------


def _bad(field: CustomField, message: str) -> ValidationError:
    return ValidationError(
        f"The field '{field.name}' ({field.type}) {message}",
        code="invalid_custom_field",
        fields={f"custom_fields.{field.name}": message},
    )


def _member_id(workspace: Workspace, field: CustomField, value: Any) -> str:
    if not isinstance(value, str):
        raise _bad(field, "takes a member's e-mail.")
    membership = (
        Membership.objects.filter(workspace=workspace, user__email__iexact=value.strip(), user__is_active=True)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise _bad(field, f"takes a member's e-mail; {value.strip()} is not a member of this workspace.")
    return membership.user.public_id


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def clean_value(workspace: Workspace, field: CustomField, value: Any) -> Any:
    """The value to store for `field` (None = clear); 422 naming the field when it does not fit."""
    if value is None or value == "" or value == []:
        return None
    kind = field.type
    if kind == CustomFieldType.TEXT:
        if not isinstance(value, str):
            raise _bad(field, "takes a text.")
        if len(value) > MAX_TEXT:
            raise _bad(field, f"is at most {MAX_TEXT} characters.")
        return value.strip() or None
    if kind == CustomFieldType.NUMBER:
        if not _is_number(value) or abs(value) > 1e15:
            raise _bad(field, "takes a number, e.g. 3 or 2.5.")
        return value
    if kind == CustomFieldType.DATE:
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, str) and len(value) == 10:
            try:
                return datetime.date.fromisoformat(value).isoformat()
            except ValueError:
                pass
        raise _bad(field, "takes a date written YYYY-MM-DD, e.g. 2026-03-31.")
    if kind == CustomFieldType.CHECKBOX:
        if not isinstance(value, bool):
            raise _bad(field, "takes true or false.")
        return value
    if kind == CustomFieldType.URL:
        if not isinstance(value, str) or len(value) > MAX_URL:
            raise _bad(field, "takes a web address starting with http:// or https://.")
        try:
            URLValidator(schemes=["http", "https"])(value.strip())
        except DjangoValidationError:
            raise _bad(field, "takes a web address starting with http:// or https://.") from None
        return value.strip()
    if kind == CustomFieldType.USER:
        return _member_id(workspace, field, value)
    options = {o.lower(): o for o in field.options}
    if kind == CustomFieldType.SELECT:
        if not isinstance(value, str) or value.strip().lower() not in options:
            raise _bad(field, f"takes one of: {', '.join(field.options)}.")
        return options[value.strip().lower()]
    # multiselect
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _bad(field, f"takes a list of options from: {', '.join(field.options)}.")
    unknown = [v for v in value if v.strip().lower() not in options]
    if unknown:
        raise _bad(field, f"has no option {', '.join(repr(u) for u in unknown)}; use: {', '.join(field.options)}.")
    return list(dict.fromkeys(options[v.strip().lower()] for v in value))


def merge_values(
    project: Project, current: dict[str, Any], values: dict[str, Any], definitions: list[CustomField] | None = None
) -> dict[str, Any]:
    """`current` (stored, by public id) with `values` (by field name) applied; None clears a value.

    Raises ValidationError naming the unknown or invalid field.
    """
    defs = definitions if definitions is not None else field_definitions(project)
    by_name = {f.name.lower(): f for f in defs}
    merged = dict(current or {})
    for name, value in values.items():
        field = by_name.get(str(name).strip().lower())
        if field is None:
            known = ", ".join(f.name for f in defs) or "none yet"
            raise ValidationError(
                f"{project.key} has no custom field '{name}'. Its fields: {known}. "
                f"Define one with POST /api/v1/workspaces/{{ws}}/projects/{project.key}/fields.",
                code="unknown_custom_field",
                fields={f"custom_fields.{name}": "unknown field"},
            )
        cleaned = clean_value(project.workspace, field, value)
        if cleaned is None:
            merged.pop(field.public_id, None)
        else:
            merged[field.public_id] = cleaned
    return merged


def display_values(
    definitions: list[CustomField], stored: dict[str, Any], emails: dict[str, str] | None = None
) -> dict[str, Any]:
    """Stored values as {field name: value} for the live definitions, in field order.

    Person fields show the member's e-mail (`emails` maps user public ids to e-mails).
    Values of trashed fields are left out.
    """
    out: dict[str, Any] = {}
    for field in definitions:
        if field.public_id not in (stored or {}):
            continue
        value = stored[field.public_id]
        if field.type == CustomFieldType.USER:
            value = (emails or {}).get(value)
            if value is None:
                continue
        out[field.name] = value
    return out


def snapshot_values(definitions: list[CustomField], stored: dict[str, Any]) -> dict[str, Any]:
    """Values for the activity log, by field name (person fields by user id: no query)."""
    return {f"cf:{f.name}": (stored or {}).get(f.public_id) for f in definitions}


# --- required fields ---------------------------------------------------------------------------


def required_names(status: Status, definitions: list[CustomField]) -> list[str]:
    """The status's required fields as the API names them ("assignee", "cf:Severity")."""
    by_id = {f.public_id: f for f in definitions}
    names = []
    for item in status.required_fields or []:
        if item.startswith(CF_PREFIX):
            field = by_id.get(item[len(CF_PREFIX) :])
            if field is not None:
                names.append(f"{CF_PREFIX}{field.name}")
        else:
            names.append(item)
    return names


def clean_required(names: list[str], definitions: list[CustomField], *, where: str) -> list[str]:
    """API names -> stored names ("cf:<public id>"); 422 for anything a task does not have."""
    by_name = {f.name.lower(): f for f in definitions}
    stored: list[str] = []
    for i, raw in enumerate(names):
        name = (raw or "").strip()
        if name.lower().startswith(CF_PREFIX):
            field = by_name.get(name[len(CF_PREFIX) :].strip().lower())
            if field is None:
                raise ValidationError(
                    f"'{name}' names no custom field of this project. Custom fields: "
                    f"{', '.join(f.name for f in definitions) or 'none'}.",
                    fields={f"{where}.{i}": "unknown custom field"},
                )
            item = f"{CF_PREFIX}{field.public_id}"
        elif name in REQUIRABLE:
            item = name
        else:
            raise ValidationError(
                f"A status cannot require '{name}'. Use: {', '.join(REQUIRABLE)}, or cf:<custom field name>.",
                fields={f"{where}.{i}": "unknown field"},
            )
        if item not in stored:
            stored.append(item)
    return stored


def _has(task: Task, item: str, label_count: int) -> bool:
    if item == "assignee":
        return task.assignee_id is not None
    if item == "due_date":
        return task.due_date is not None
    if item == "start_date":
        return task.start_date is not None
    if item == "estimate":
        return task.estimate_minutes is not None
    if item == "labels":
        return label_count > 0
    if item == "description":
        return bool((task.description or "").strip())
    value = (task.custom_fields or {}).get(item[len(CF_PREFIX) :])
    # A required checkbox must be ticked: "QA passed" is the usual meaning.
    return value not in (None, "", [], False)


def check_required(task: Task, status: Status, *, label_count: int, definitions: list[CustomField]) -> None:
    """Refuse entering `status` while the task lacks a field the status requires."""
    by_id = {f.public_id for f in definitions}
    missing = [
        item
        for item in status.required_fields or []
        if (not item.startswith(CF_PREFIX) or item[len(CF_PREFIX) :] in by_id) and not _has(task, item, label_count)
    ]
    if not missing:
        return
    names = required_names(Status(required_fields=missing), definitions)
    raise ValidationError(
        f"'{status.name}' requires {', '.join(names)} before {task.key if task.pk else 'a task'} can enter it. "
        "Fill in the missing field(s) in the same change, or pick another status.",
        code="required_field_missing",
        fields=dict.fromkeys(names, f"required by '{status.name}'"),
        extra={"missing": names},
    )


def emails_by_user_id(user_ids: Iterable[str]) -> dict[str, str]:
    ids = {i for i in user_ids if isinstance(i, str)}
    if not ids:
        return {}
    return dict(User.objects.filter(public_id__in=ids).values_list("public_id", "email"))
