"""Checklist items: add, edit, tick, reorder between neighbours, delete (services)."""

from __future__ import annotations

from typing import Any

import pytest

from labora.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from labora.core.models import DomainEvent
from labora.work import selectors, services
from labora.work.models import ChecklistItem, Task
from labora.work.services import checklist as checklist_services
from labora.workspaces.models import Role
from tests import factories


@pytest.fixture
def task(user: Any, workspace: Any) -> Task:
    project = services.project_create(actor=user, workspace=workspace, key="OPS", name="Operations")
    return services.task_create(actor=user, project=project, title="Launch")


def _texts(task: Task) -> list[str]:
    return [i.text for i in selectors.checklist(task=task)]


def test_items_are_added_at_the_end(user: Any, task: Task) -> None:
    for text in ("Draft", "Review", "Publish"):
        checklist_services.checklist_item_add(actor=user, task=task, text=text)
    assert _texts(task) == ["Draft", "Review", "Publish"]
    assert DomainEvent.objects.filter(name="checklist.item_added", data__task="OPS-1").count() == 3


def test_ticking_stamps_who_and_when_and_unticking_clears_it(user: Any, task: Task) -> None:
    item = checklist_services.checklist_item_add(actor=user, task=task, text="Draft")
    done = checklist_services.checklist_item_update(actor=user, item=item, version=1, done=True)
    assert (done.done, done.done_by, done.done_at is not None, done.version) == (True, user, True, 2)
    assert DomainEvent.objects.filter(name="checklist.item_checked").count() == 1
    undone = checklist_services.checklist_item_update(actor=user, item=done, done=False)
    assert (undone.done, undone.done_by, undone.done_at) == (False, None, None)


def test_a_stale_edit_is_refused(user: Any, task: Task) -> None:
    item = checklist_services.checklist_item_add(actor=user, task=task, text="Draft")
    checklist_services.checklist_item_update(actor=user, item=item, version=1, text="Draft it")
    with pytest.raises(Conflict):
        checklist_services.checklist_item_update(actor=user, item=item, version=1, text="Stale")
    assert ChecklistItem.objects.get(pk=item.pk).text == "Draft it"


def test_an_item_moves_between_its_neighbours(user: Any, task: Task) -> None:
    a, b, c = (checklist_services.checklist_item_add(actor=user, task=task, text=t) for t in "ABC")
    checklist_services.checklist_item_move(actor=user, item=c, after_id=a.public_id)
    assert _texts(task) == ["A", "C", "B"]
    checklist_services.checklist_item_move(actor=user, item=a, before_id=None, after_id=b.public_id)
    assert _texts(task) == ["C", "B", "A"]
    checklist_services.checklist_item_move(actor=user, item=a, before_id=c.public_id)
    assert _texts(task) == ["A", "C", "B"]


def test_a_neighbour_must_be_on_the_same_checklist(user: Any, task: Task) -> None:
    other = services.task_create(actor=user, project=task.project, title="Other")
    foreign = checklist_services.checklist_item_add(actor=user, task=other, text="Elsewhere")
    item = checklist_services.checklist_item_add(actor=user, task=task, text="Here")
    with pytest.raises(ValidationError) as err:
        checklist_services.checklist_item_move(actor=user, item=item, after_id=foreign.public_id)
    assert err.value.fields == {"after": "unknown item"}


def test_deleting_moves_the_item_to_the_trash(user: Any, task: Task) -> None:
    item = checklist_services.checklist_item_add(actor=user, task=task, text="Draft")
    checklist_services.checklist_item_delete(actor=user, item=item)
    assert _texts(task) == []
    assert ChecklistItem.all_objects.get(pk=item.pk).deleted_by == user


def test_an_empty_text_is_refused(user: Any, task: Task) -> None:
    with pytest.raises(ValidationError) as err:
        checklist_services.checklist_item_add(actor=user, task=task, text="   ")
    assert err.value.fields == {"text": "required"}


def test_a_trashed_task_takes_no_items(user: Any, task: Task) -> None:
    services.task_delete(actor=user, task=task)
    with pytest.raises(NotFound):
        checklist_services.checklist_item_add(actor=user, task=task, text="Draft")


def test_a_project_viewer_cannot_change_the_checklist(user: Any, workspace: Any, task: Task) -> None:
    item = checklist_services.checklist_item_add(actor=user, task=task, text="Draft")
    guest = factories.add_member(workspace, role=Role.GUEST).user
    with pytest.raises((PermissionDenied, NotFound)):
        checklist_services.checklist_item_update(actor=guest, item=item, done=True)
    with pytest.raises((PermissionDenied, NotFound)):
        checklist_services.checklist_item_add(actor=guest, task=task, text="Sneaky")
    assert [(i.text, i.done) for i in ChecklistItem.objects.all()] == [("Draft", False)]


def test_the_summary_counts_live_items(user: Any, task: Task) -> None:
    items = [checklist_services.checklist_item_add(actor=user, task=task, text=t) for t in "ABC"]
    checklist_services.checklist_item_update(actor=user, item=items[0], done=True)
    checklist_services.checklist_item_delete(actor=user, item=items[2])
    counted = selectors.with_task_fields(Task.objects.filter(pk=task.pk)).get()
    assert (counted.checklist_done, counted.checklist_total) == (1, 2)  # type: ignore[attr-defined]
