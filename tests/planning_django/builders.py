"""Builders other test modules use (tests/api/test_tenancy.py: a dependency of workspace B,
which the walker cannot make from a sampled body since it names two real tasks)."""

from __future__ import annotations

from typing import Any

from labora.planning.services import dependency_create
from labora.work import services as work_services


def dependency_in(owner: Any, workspace: Any) -> str:
    """A dependency between two tasks of a new project of `workspace`; its public id."""
    project = work_services.project_create(actor=owner, workspace=workspace, key="DEPS", name="Linked")
    first = work_services.task_create(actor=owner, project=project, title="First")
    second = work_services.task_create(actor=owner, project=project, title="Second")
    return dependency_create(actor=owner, task=second, predecessor=first.key).public_id
