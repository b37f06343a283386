"""Fixtures for the planning app's Django side: a project starting Monday 6 January 2025 and
helpers that build tasks and links through the same services users go through."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest

from labora.planning import services
from labora.planning.models import Dependency
from labora.work import services as work_services
from labora.work.models import Project, Task

MONDAY = datetime.date(2025, 1, 6)
WS = "/api/v1/workspaces/acme"


@pytest.fixture
def project(user: Any, workspace: Any) -> Project:
    return work_services.project_create(actor=user, workspace=workspace, key="PLN", name="Plan", start_date=MONDAY)


@pytest.fixture
def make_task(user: Any, project: Project) -> Callable[..., Task]:
    def build(title: str, duration: int | None = 1, **fields: Any) -> Task:
        return work_services.task_create(actor=user, project=project, title=title, duration_days=duration, **fields)

    return build


@pytest.fixture
def link(user: Any) -> Callable[..., Dependency]:
    def build(predecessor: Task, successor: Task, type: str = "FS", lag: int = 0) -> Dependency:
        return services.dependency_create(
            actor=user, task=successor, predecessor=predecessor.key, type=type, lag_days=lag
        )

    return build


@pytest.fixture
def viewer(workspace: Any, project: Project) -> Any:
    """A guest who may only look at PLN."""
    from labora.work.models import ProjectMember
    from labora.workspaces.models import Role
    from tests import factories

    person = factories.make_user(email="viewer@example.com")
    factories.add_member(workspace, person, role=Role.GUEST)
    ProjectMember.objects.create(project=project, user=person, role="viewer")
    return person


@pytest.fixture
def contributor(workspace: Any, project: Project) -> Any:
    """A workspace member: a contributor of every public project."""
    from labora.workspaces.models import Role
    from tests import factories

    person = factories.make_user(email="contributor@example.com")
    factories.add_member(workspace, person, role=Role.MEMBER)
    return person


def event_names() -> list[str]:
    from labora.core.models import DomainEvent

    return list(DomainEvent.objects.order_by("id").values_list("name", flat=True))
