"""A workspace with people in every role and a public and a private project, for the chat tests."""

from __future__ import annotations

from typing import Any

import pytest

from labora.work.services import project_create
from labora.work.services.members import project_member_add
from labora.workspaces.models import Role
from tests import factories


@pytest.fixture
def acme(db: Any) -> dict[str, Any]:
    """Owner Olivia; members Ann, Bob, Cat (Cat is in private SEC); guest Gus (shared OPS);
    Stan owns another workspace. OPS is public, SEC private."""
    owner = factories.make_user(email="owner@example.com", name="Olivia Owner")
    ann = factories.make_user(email="ann@example.com", name="Ann Able")
    bob = factories.make_user(email="bob@example.com", name="Bob Baker")
    cat = factories.make_user(email="cat@example.com", name="Cat Cole")
    gus = factories.make_user(email="gus@example.com", name="Gus Guest")
    stan = factories.make_user(email="stan@example.com", name="Stan Stranger")
    ws = factories.make_workspace(owner=owner, slug="acme", name="Acme")
    for person in (ann, bob, cat):
        factories.add_member(ws, person, Role.MEMBER)
    factories.add_member(ws, gus, Role.GUEST)
    other = factories.make_workspace(owner=stan, slug="other", name="Other")
    ops = project_create(actor=owner, workspace=ws, key="OPS", name="Operations")
    sec = project_create(actor=owner, workspace=ws, key="SEC", name="Security", is_private=True)
    project_member_add(actor=owner, project=sec, email="cat@example.com")
    project_member_add(actor=owner, project=ops, email="gus@example.com")
    for person, handle in ((ann, "ann"), (bob, "bob"), (cat, "cat")):
        person.handle = handle
        person.save(update_fields=["handle"])
    return {
        "ws": ws,
        "other": other,
        "owner": owner,
        "ann": ann,
        "bob": bob,
        "cat": cat,
        "gus": gus,
        "stan": stan,
        "ops": ops,
        "sec": sec,
    }
