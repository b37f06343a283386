"""Who watches a task: anyone who can see it watches or stops watching for themselves; task
writers add or remove others. Assignees and reporters start watching on their own (tasks.py)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from labora.accounts.models import User
from labora.core import events
from labora.core.errors import NotFound, ValidationError
from labora.work.models import Task
from labora.work.services._common import authorise, member_by_email


def add_watchers(task: Task, users: Iterable[User | None]) -> None:
    """Make these people watch `task` (no event: part of the change that made them watch)."""
    people = [u for u in users if u is not None]
    if people:
        task.watchers.add(*people)


def _person(actor: User, task: Task, email: str | None) -> User:
    if email is None or email.strip() == "" or email.strip().lower() == actor.email.lower():
        authorise(actor, "project.view", task.project, "Only people who see this project can watch its tasks.")
        return actor
    authorise(actor, "task.write", task.project, "Viewers of this project cannot change who watches a task.")
    person = member_by_email(task.workspace, email, field="email")
    assert person is not None
    return person


def _change(name: str, actor: User, task: Task, person: User, *, adding: bool) -> bool:
    with transaction.atomic():
        locked = Task.objects.select_for_update(of=("self",)).select_related("project").filter(pk=task.pk).first()
        if locked is None:
            raise NotFound(f"Task {task.key} is in the trash; restore it first.")
        watching = locked.watchers.filter(pk=person.pk).exists()
        if watching == adding:
            return False
        if adding:
            locked.watchers.add(person)
        else:
            locked.watchers.remove(person)
        events.record(
            name=name,
            actor=actor,
            workspace=locked.workspace,
            target=locked,
            target_label=f"{locked.key} {locked.title}",
            data={"project": locked.project.key, "task": locked.key, "watcher": person.email},
        )
    return True


def task_watch(*, actor: User, task: Task, email: str | None = None) -> User:
    """`email` (default: the actor) starts watching `task`; watching twice changes nothing.

    Raises PermissionDenied, ValidationError (not a member), NotFound (trashed task).
    """
    person = _person(actor, task, email)
    _change("task.watcher_added", actor, task, person, adding=True)
    return person


def task_unwatch(*, actor: User, task: Task, email: str | None = None) -> User:
    """`email` (default: the actor) stops watching `task`.

    Raises PermissionDenied, ValidationError (not watching), NotFound (trashed task).
    """
    if email is not None and email.strip() and email.strip().lower() != actor.email.lower():
        authorise(actor, "task.write", task.project, "Viewers of this project cannot change who watches a task.")
        person = task.watchers.filter(email__iexact=email.strip()).first()
        if person is None:
            raise ValidationError(f"{email.strip()} does not watch {task.key}.", fields={"email": "not watching"})
    else:
        person = _person(actor, task, None)
    _change("task.watcher_removed", actor, task, person, adding=False)
    return person
