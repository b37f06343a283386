"""selectors.project_scope: the task list's workspace, membership and project in one hand-written
query (decision 0014). It must answer exactly what workspace_for_user + project_get answer, for
every role and project state, and build the same model instances the ORM builds."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from labora.accounts import services as account_services
from labora.accounts.models import ApiToken
from labora.core.errors import NotFound
from labora.work import selectors
from labora.work.services import members as member_services
from labora.work.services import projects as project_services
from labora.workspaces.models import Role
from labora.workspaces.selectors import workspace_for_user
from tests import factories


def _two_step(user: Any, slug: str, key: str) -> Any:
    try:
        workspace, membership = workspace_for_user(user=user, slug=slug)
        project = selectors.project_get(user=user, workspace=workspace, key=key, membership=membership)
    except NotFound as error:
        return ("not found", str(error))
    return (workspace.pk, membership.pk, membership.role, project.pk, project.my_role)


def _one_query(user: Any, slug: str, key: str) -> Any:
    try:
        workspace, membership, project = selectors.project_scope(user=user, slug=slug, key=key)
    except NotFound as error:
        return ("not found", str(error))
    assert membership.workspace is workspace
    assert project.workspace is workspace
    return (workspace.pk, membership.pk, membership.role, project.pk, project.my_role)


@pytest.fixture
def world(user: Any, workspace: Any) -> dict[str, Any]:
    """An owner's workspace with a public, a private and a trashed project, and one person of
    every role; the guest and one member are shared the private project."""
    public = project_services.project_create(actor=user, workspace=workspace, key="OPS", name="Operations")
    secret = project_services.project_create(actor=user, workspace=workspace, key="SEC", name="Secret", is_private=True)
    gone = project_services.project_create(actor=user, workspace=workspace, key="OLD", name="Old")
    project_services.project_delete(actor=user, project=gone)
    people = {"owner": user}
    for role in (Role.ADMIN, Role.MEMBER, Role.GUEST, Role.CLIENT):
        people[role.value] = factories.add_member(workspace, role=role).user
    people["insider"] = factories.add_member(workspace, role=Role.MEMBER).user
    member_services.project_member_add(actor=user, project=secret, email=people["insider"].email, role="viewer")
    member_services.project_member_add(actor=user, project=secret, email=people["guest"].email, role="contributor")
    member_services.project_member_add(actor=user, project=public, email=people["client"].email, role="viewer")
    people["stranger"] = factories.make_user(email="stranger@example.com")
    other = factories.make_workspace(owner=people["stranger"], slug="other", name="Other")
    project_services.project_create(actor=people["stranger"], workspace=other, key="OPS", name="Theirs")
    return people


@pytest.mark.parametrize("who", ["owner", "admin", "member", "guest", "client", "insider", "stranger"])
@pytest.mark.parametrize(
    ("slug", "key"),
    [("acme", "OPS"), ("acme", "ops"), ("acme", "SEC"), ("acme", "OLD"), ("acme", "NOPE"), ("other", "OPS")],
)
def test_one_query_answers_what_the_two_lookups_answer(world: dict[str, Any], who: str, slug: str, key: str) -> None:
    user = world[who]
    assert _one_query(user, slug, key) == _two_step(user, slug, key)


def test_what_the_two_lookups_answer_is_what_the_rules_say(world: dict[str, Any]) -> None:
    # (guards the comparison above against both sides being wrong the same way)
    assert _one_query(world["member"], "acme", "OPS")[4] == "contributor"
    assert _one_query(world["admin"], "acme", "SEC")[4] == "manager"
    assert _one_query(world["insider"], "acme", "SEC")[4] == "viewer"
    assert _one_query(world["guest"], "acme", "SEC")[4] == "contributor"
    assert _one_query(world["client"], "acme", "OPS")[4] == "viewer"
    assert _one_query(world["member"], "acme", "SEC")[0] == "not found"
    assert _one_query(world["guest"], "acme", "OPS")[0] == "not found"
    assert _one_query(world["stranger"], "acme", "OPS") == (
        "not found",
        "No workspace 'acme' among yours. Check the slug in GET /api/v1/workspaces.",
    )


def test_one_query_builds_the_instances_the_orm_builds(world: dict[str, Any], workspace: Any) -> None:
    user = world["owner"]
    with CaptureQueriesContext(connection) as ctx:
        got_ws, got_m, got_p = selectors.project_scope(user=user, slug="acme", key="OPS")
    assert len(ctx.captured_queries) == 1
    want_ws, want_m = workspace_for_user(user=user, slug="acme")
    want_p = selectors.project_get(user=user, workspace=want_ws, key="OPS")
    for got, want in ((got_ws, want_ws), (got_m, want_m), (got_p, want_p)):
        for field in type(want)._meta.concrete_fields:
            mine, theirs = getattr(got, field.attname), getattr(want, field.attname)
            assert (mine, type(mine)) == (theirs, type(theirs)), field.name
    assert got_p._state.adding is False
    assert got_p._state.db == "default"


def test_a_token_lookup_builds_the_user_the_orm_builds(user: Any) -> None:
    token, raw = account_services.token_create(actor=user, name="ci")
    with CaptureQueriesContext(connection) as ctx:
        found = account_services.token_authenticate(raw)
    assert found is not None
    assert found.pk == user.pk
    assert len([q for q in ctx.captured_queries if q["sql"].startswith("SELECT")]) == 1
    fresh = type(user).objects.get(pk=user.pk)
    for field in type(user)._meta.concrete_fields:
        mine, theirs = getattr(found, field.attname), getattr(fresh, field.attname)
        assert (mine, type(mine)) == (theirs, type(theirs)), field.name
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None  # its first use is stamped
    # a revoked token, or a deactivated person's: nobody
    account_services.token_revoke(actor=user, token_public_id=token.public_id)
    assert account_services.token_authenticate(raw) is None
    _other, raw = account_services.token_create(actor=user, name="ci 2")
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    assert account_services.token_authenticate(raw) is None
