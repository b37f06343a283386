"""`labora createuser`, `labora token` and `labora demo`, run in-process."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from labora.accounts.models import ApiToken, User
from labora.core.models import DomainEvent
from labora.work.models import Project, Task
from labora.workspaces.models import Invitation, Membership, Role, Team, Workspace
from tests.conftest import ApiClient
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


# --- createuser ----------------------------------------------------------------------------


def test_createuser_creates_the_workspace_with_the_user_as_owner() -> None:
    run(
        "createuser",
        "--email",
        "Ana@Example.com",
        "--password",
        PASSWORD,
        "--name",
        "Ana Lima",
        "--workspace",
        "north-star",
    )

    user = User.objects.get(email="ana@example.com")
    assert user.name == "Ana Lima"
    assert user.check_password(PASSWORD)
    workspace = Workspace.objects.get(slug="north-star")
    assert workspace.name == "North Star"
    assert Membership.objects.get(workspace=workspace, user=user).role == Role.OWNER


def test_createuser_adds_a_second_user_to_an_existing_workspace_with_a_role() -> None:
    run("createuser", "--email", "ana@example.com", "--password", PASSWORD, "--workspace", "acme")

    out = run(
        "createuser", "--email", "bo@example.com", "--password", PASSWORD, "--workspace", "acme", "--role", "admin"
    )

    membership = Membership.objects.get(workspace__slug="acme", user__email="bo@example.com")
    assert membership.role == Role.ADMIN
    assert "Added bo@example.com to acme as admin" in out
    event = DomainEvent.objects.get(name="member.added")
    assert event.data["role"] == "admin"
    assert event.actor is None


def test_createuser_defaults_to_member_and_is_safe_to_run_again() -> None:
    run("createuser", "--email", "ana@example.com", "--password", PASSWORD, "--workspace", "acme")
    run("createuser", "--email", "bo@example.com", "--password", PASSWORD, "--workspace", "acme")

    out = run("createuser", "--email", "bo@example.com", "--password", "another-password-9", "--workspace", "acme")

    assert "already a member of acme as member" in out
    assert User.objects.count() == 2
    assert User.objects.get(email="bo@example.com").check_password(PASSWORD)  # unchanged
    assert Membership.objects.filter(workspace__slug="acme").count() == 2


def test_createuser_explains_a_weak_password_and_creates_nothing() -> None:
    with pytest.raises(CommandError, match="too short"):
        run("createuser", "--email", "ana@example.com", "--password", "short", "--workspace", "acme")

    assert not User.objects.exists()
    assert not Workspace.objects.exists()


def test_createuser_explains_a_bad_slug() -> None:
    with pytest.raises(CommandError, match="slug"):
        run("createuser", "--email", "ana@example.com", "--password", PASSWORD, "--workspace", "Not A Slug!")


# --- token ---------------------------------------------------------------------------------


def test_token_create_prints_only_the_token_and_it_authenticates(user: Any) -> None:
    out = run("token", "create", "--email", user.email, "--name", "CI", "--expires-days", "30")

    lines = out.splitlines()
    assert len(lines) == 1
    me = ApiClient(lines[0]).get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["email"] == user.email
    token = ApiToken.objects.get(user=user)
    assert token.name == "CI"
    assert token.expires_at is not None


def test_token_list_and_revoke(user: Any) -> None:
    raw = run("token", "create", "--email", user.email).strip()
    token = ApiToken.objects.get(user=user)

    listing = run("token", "list", "--email", user.email)
    assert token.public_id in listing
    assert "active" in listing

    out = run("token", "revoke", "--email", user.email, "--id", token.public_id)

    assert f"Revoked token {token.public_id}" in out
    assert ApiClient(raw).get("/api/v1/me").status_code == 401
    assert "revoked" in run("token", "list", "--email", user.email)


def test_token_revoke_cannot_reach_someone_elses_token(user: Any) -> None:
    other = make_user(email="other@example.com")
    run("token", "create", "--email", other.email)
    theirs = ApiToken.objects.get(user=other)

    with pytest.raises(CommandError, match="No such token"):
        run("token", "revoke", "--email", user.email, "--id", theirs.public_id)

    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_token_for_an_unknown_account_says_how_to_create_it() -> None:
    with pytest.raises(CommandError, match="labora createuser"):
        run("token", "create", "--email", "nobody@example.com")


# --- demo ----------------------------------------------------------------------------------


def test_demo_loads_a_workspace_with_people_teams_and_an_invitation() -> None:
    out = run("demo", "--if-empty")

    assert "demo@labora.local" in out
    assert "labora-demo" in out
    owner = User.objects.get(email="demo@labora.local")
    assert owner.check_password("labora-demo")
    workspace = Workspace.objects.get(slug="acme")
    assert workspace.name == "Acme Studio"
    roles = set(Membership.objects.filter(workspace=workspace).values_list("role", flat=True))
    assert roles == {Role.OWNER, Role.ADMIN, Role.MEMBER, Role.GUEST, Role.CLIENT}
    assert Team.objects.filter(workspace=workspace).count() == 2
    assert Invitation.objects.filter(workspace=workspace, accepted_at__isnull=True).count() == 1
    assert DomainEvent.objects.filter(workspace=workspace, name="member.added").count() == 6


def test_demo_work_shows_projects_streams_and_a_few_hundred_varied_tasks() -> None:
    """Issue 3's demo: several projects and two ongoing streams, a few hundred tasks across
    people, statuses, labels and dates."""
    run("demo", "--if-empty")
    workspace = Workspace.objects.get(slug="acme")
    projects = Project.objects.filter(workspace=workspace)
    tasks = Task.objects.filter(project__workspace=workspace)
    today = datetime.date.today()

    kinds = list(projects.values_list("kind", flat=True))
    assert kinds.count("ongoing") == 2
    assert kinds.count("project") >= 3
    assert tasks.count() >= 300
    assert tasks.values("assignee").distinct().count() >= 5
    assert set(tasks.values_list("status__category", flat=True)) >= {"backlog", "todo", "in_progress", "done"}
    assert tasks.filter(labels__isnull=False).values("labels").distinct().count() >= 6
    assert tasks.filter(due_date__lt=today).exists()
    assert tasks.filter(due_date__gt=today).exists()
    assert tasks.filter(type="bug").exists()
    assert tasks.filter(parent__isnull=False).exists()
    # Written like real work: a title repeats in a stream (a request that comes back), rarely elsewhere.
    titles = list(tasks.filter(project__kind="project").values_list("title", flat=True))
    assert len(set(titles)) >= 0.8 * len(titles)


def test_demo_if_empty_is_idempotent() -> None:
    run("demo", "--if-empty")
    counts = (User.objects.count(), Membership.objects.count(), DomainEvent.objects.count())

    out = run("demo", "--if-empty")

    assert out.strip() == "Demo data already present; sign in as demo@labora.local / labora-demo"
    assert (User.objects.count(), Membership.objects.count(), DomainEvent.objects.count()) == counts


def test_demo_if_empty_leaves_a_real_instance_alone(user: Any) -> None:
    out = run("demo", "--if-empty")

    assert out.strip() == "Existing data found; no demo loaded"
    assert not Workspace.objects.filter(slug="acme").exists()
