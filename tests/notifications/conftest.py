"""Fixtures for notification tests: a workspace with people in every role, a project, a task."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core import mail

from labora.core import events
from labora.work import services as work
from labora.work.models import Project, Task
from labora.workspaces.models import Role
from tests import factories


@dataclass
class Team:
    workspace: Any
    owner: Any
    alice: Any
    bob: Any
    carol: Any
    guest: Any
    outsider: Any
    project: Project
    task: Task


@pytest.fixture
def team(db: Any, run_events: Any) -> Team:
    owner = factories.make_user(email="owner@example.com", name="Olivia Owner")
    workspace = factories.make_workspace(owner=owner, slug="acme", name="Acme")
    alice = factories.make_user(email="alice@example.com", name="Alice Adams")
    bob = factories.make_user(email="bob@example.com", name="Bob Brown")
    carol = factories.make_user(email="carol@example.com", name="Carol Clark")
    guest = factories.make_user(email="guest@example.com", name="Gus Guest")
    outsider = factories.make_user(email="out@example.com", name="Otto Outsider")
    for person in (alice, bob, carol):
        factories.add_member(workspace, person, Role.MEMBER)
    factories.add_member(workspace, guest, Role.GUEST)
    factories.make_workspace(owner=outsider, slug="other")
    with run_events():
        project = work.project_create(actor=owner, workspace=workspace, key="OPS", name="Operations")
        task = work.task_create(actor=owner, project=project, title="Fix the login")
    return Team(workspace, owner, alice, bob, carol, guest, outsider, project, task)


@pytest.fixture(autouse=True)
def _clean_outbox() -> None:
    mail.outbox = []


def record_event(
    *, name: str, actor: Any, workspace: Any, data: dict[str, Any], target: Any = None, label: str = ""
) -> Any:
    """Record an event like another app's service would (H1's comments, H3's chat)."""
    from django.db import transaction

    with transaction.atomic():
        return events.record(name=name, actor=actor, workspace=workspace, target=target, target_label=label, data=data)
