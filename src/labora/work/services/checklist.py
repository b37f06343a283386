"""Writes to a task's checklist: add, edit the text, tick or untick, reorder, delete.

Items have their own version (a write to an item does not change the task's version) and rank
(fractional, between neighbours, like tasks on a board).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from labora.accounts.models import User
from labora.core import events
from labora.core.errors import NotFound, ValidationError
from labora.core.trash import move_to_trash
from labora.work import rank
from labora.work.models import ChecklistItem, Task
from labora.work.services._common import UNSET, authorise, check_version, clean_text, is_set

MAX_ITEMS = 200


def _record(name: str, actor: User, item: ChecklistItem, task: Task, **kwargs: Any) -> None:
    events.record(
        name=name,
        actor=actor,
        workspace=task.workspace,
        target=item,
        target_label=f"{task.key} {task.title}",
        data={"project": task.project.key, "task": task.key, "item": item.text},
        **kwargs,
    )


def _live_task(task: Task) -> Task:
    locked = Task.objects.select_for_update(of=("self",)).select_related("project").filter(pk=task.pk).first()
    if locked is None:
        raise NotFound(f"Task {task.key} is in the trash; restore it first.")
    return locked


def checklist_item_add(*, actor: User, task: Task, text: str) -> ChecklistItem:
    """Add an item at the end of the task's checklist.

    Raises PermissionDenied, ValidationError (empty or long text, too many items), NotFound.
    """
    authorise(actor, "task.write", task.project, "Viewers cannot change checklists.")
    text = clean_text(text, field="text", limit=500)
    with transaction.atomic():
        locked = _live_task(task)  # serialises concurrent appends to one task's list
        items = ChecklistItem.objects.filter(task=locked)
        if items.count() >= MAX_ITEMS:
            raise ValidationError(f"A checklist has at most {MAX_ITEMS} items.", fields={"text": "too many items"})
        last = ChecklistItem.all_objects.filter(task=locked).order_by("-rank").values_list("rank", flat=True).first()
        item = ChecklistItem.objects.create(
            workspace=locked.workspace, task=locked, text=text, rank=rank.between(last, None)
        )
        _record("checklist.item_added", actor, item, locked)
    return item


def checklist_item_update(
    *, actor: User, item: ChecklistItem, version: int | None = None, text: Any = UNSET, done: Any = UNSET
) -> ChecklistItem:
    """Edit an item's text and/or tick it (stamping who and when) or untick it.

    Raises PermissionDenied, ValidationError, Conflict (stale version), NotFound.
    """
    authorise(actor, "task.write", item.task.project, "Viewers cannot change checklists.")
    with transaction.atomic():
        locked = (
            ChecklistItem.objects.select_for_update(of=("self",))
            .select_related("task__project")
            .filter(pk=item.pk, task__deleted_at__isnull=True)
            .first()
        )
        if locked is None:
            raise NotFound("This checklist item (or its task) is in the trash.")
        check_version(locked, version, "checklist item")
        changes: dict[str, list[Any]] = {}
        if is_set(text):
            new_text = clean_text(text, field="text", limit=500)
            if new_text != locked.text:
                changes["text"] = [locked.text, new_text]
                locked.text = new_text
        if is_set(done):
            if not isinstance(done, bool):
                raise ValidationError("done is true or false.", fields={"done": "not a boolean"})
            if done != locked.done:
                changes["done"] = [locked.done, done]
                locked.done = done
                locked.done_at = timezone.now() if done else None
                locked.done_by = actor if done else None
        if changes:
            locked.version += 1
            locked.save()
            name = "checklist.item_updated"
            if list(changes) == ["done"]:
                name = "checklist.item_checked" if locked.done else "checklist.item_unchecked"
            _record(name, actor, locked, locked.task, changes=changes)
    return locked


def checklist_item_move(
    *,
    actor: User,
    item: ChecklistItem,
    before_id: str | None = None,
    after_id: str | None = None,
    version: int | None = None,
) -> ChecklistItem:
    """Place an item after `after_id` and/or before `before_id` (items of the same task); one row written.

    Raises PermissionDenied, ValidationError (unknown neighbour, stale_order), Conflict, NotFound.
    """
    authorise(actor, "task.write", item.task.project, "Viewers cannot change checklists.")
    if not before_id and not after_id:
        raise ValidationError(
            "Say where the item goes: before and/or after another item's id.", fields={"after": "required"}
        )
    with transaction.atomic():
        locked = (
            ChecklistItem.objects.select_for_update(of=("self",))
            .select_related("task__project")
            .filter(pk=item.pk, task__deleted_at__isnull=True)
            .first()
        )
        if locked is None:
            raise NotFound("This checklist item (or its task) is in the trash.")
        check_version(locked, version, "checklist item")
        others = ChecklistItem.objects.filter(task_id=locked.task_id).exclude(pk=locked.pk)
        neighbours = {i.public_id: i for i in others.filter(public_id__in=[x for x in (before_id, after_id) if x])}
        for field, wanted in (("before", before_id), ("after", after_id)):
            if wanted and wanted not in neighbours:
                raise ValidationError(
                    f"{wanted} is not another item of {locked.task.key}'s checklist.", fields={field: "unknown item"}
                )
        low = neighbours[after_id].rank if after_id else None
        high = neighbours[before_id].rank if before_id else None
        if before_id is None and low is not None:
            high = others.filter(rank__gt=low).order_by("rank").values_list("rank", flat=True).first()
        elif after_id is None and high is not None:
            low = others.filter(rank__lt=high).order_by("-rank").values_list("rank", flat=True).first()
        try:
            new_rank = rank.between(low, high)
        except ValueError:
            raise ValidationError(
                "Those items are not next to each other any more. Reload the checklist and move the item again.",
                code="stale_order",
                fields={"before": "out of order"},
            ) from None
        if new_rank != locked.rank:
            locked.rank = new_rank
            locked.version += 1
            locked.save(update_fields=["rank", "version", "updated_at"])
            _record("checklist.item_moved", actor, locked, locked.task)
    return locked


def checklist_item_delete(*, actor: User, item: ChecklistItem) -> ChecklistItem:
    """Move an item to the trash. Raises PermissionDenied."""
    authorise(actor, "task.write", item.task.project, "Viewers cannot change checklists.")
    with transaction.atomic():
        locked = (
            ChecklistItem.all_objects.select_for_update(of=("self",)).select_related("task__project").get(pk=item.pk)
        )
        if locked.deleted_at is None:
            move_to_trash(locked, actor=actor)
            _record("checklist.item_deleted", actor, locked, locked.task)
    return locked
