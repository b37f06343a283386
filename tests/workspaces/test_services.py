"""Workspace services: tenants, members and roles, invitations, teams."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from labora.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from labora.core.models import DomainEvent
from labora.workspaces import services
from labora.workspaces.models import Invitation, Membership, Role, Team, TeamMember, Workspace
from tests import factories


def _events(name: str) -> list[DomainEvent]:
    return list(DomainEvent.objects.filter(name=name).order_by("id"))


def _me(workspace: Workspace, user: Any) -> Membership:
    return Membership.objects.get(workspace=workspace, user=user)


@pytest.fixture
def owner_ms(workspace: Any, user: Any) -> Membership:
    return _me(workspace, user)


@pytest.fixture
def admin(workspace: Any) -> Membership:
    return factories.add_member(workspace, factories.make_user(name="Adam Admin"), role=Role.ADMIN)


@pytest.fixture
def member(workspace: Any) -> Membership:
    return factories.add_member(workspace, factories.make_user(name="Mia Member"), role=Role.MEMBER)


# --- workspaces ----------------------------------------------------------------------------


def test_the_creator_owns_a_new_workspace(user: Any) -> None:
    workspace = services.workspace_create(actor=user, name=" Acme ", slug="Acme-2")

    assert (workspace.name, workspace.slug) == ("Acme", "acme-2")
    assert _me(workspace, user).role == Role.OWNER
    [event] = _events("workspace.created")
    assert event.workspace_id == workspace.pk
    assert event.data == {"name": "Acme", "slug": "acme-2"}


@pytest.mark.parametrize("slug", ["", "-acme", "acme-", "ac me", "a" * 51, "new", "api", "admin", "ünï"])
def test_a_bad_or_reserved_slug_is_refused_naming_the_field(user: Any, slug: str) -> None:
    with pytest.raises(ValidationError) as caught:
        services.workspace_create(actor=user, name="Acme", slug=slug)

    assert caught.value.fields == {"slug": "invalid"}
    assert Workspace.objects.count() == 0


def test_a_taken_slug_is_a_conflict_and_creates_nothing(workspace: Any) -> None:
    other = factories.make_user()

    with pytest.raises(Conflict) as caught:
        services.workspace_create(actor=other, name="Another Acme", slug="acme")

    assert caught.value.code == "slug_taken"
    assert caught.value.fields == {"slug": "taken"}
    assert Workspace.objects.count() == 1
    assert not Membership.objects.filter(user=other).exists()


@pytest.mark.parametrize(("name", "problem"), [("  ", "required"), ("x" * 101, "too long")])
def test_a_bad_name_is_refused_naming_the_field(user: Any, name: str, problem: str) -> None:
    with pytest.raises(ValidationError) as caught:
        services.workspace_create(actor=user, name=name, slug="fine")

    assert caught.value.fields == {"name": problem}


def test_an_admin_renames_a_workspace(workspace: Any, admin: Membership) -> None:
    updated = services.workspace_update(
        actor=admin.user, workspace=workspace, membership=admin, version=1, name="Acme Inc"
    )

    assert (updated.name, updated.version) == ("Acme Inc", 2)
    [event] = _events("workspace.updated")
    assert event.changes == {"name": ["Acme", "Acme Inc"]}


def test_a_member_cannot_rename_a_workspace(workspace: Any, member: Membership) -> None:
    with pytest.raises(PermissionDenied):
        services.workspace_update(actor=member.user, workspace=workspace, membership=member, name="Mine")

    workspace.refresh_from_db()
    assert (workspace.name, workspace.version) == ("Acme", 1)
    assert _events("workspace.updated") == []


def test_a_stale_rename_is_a_conflict_with_the_current_workspace(workspace: Any, owner_ms: Membership) -> None:
    services.workspace_update(actor=owner_ms.user, workspace=workspace, membership=owner_ms, name="First")

    with pytest.raises(Conflict) as caught:
        services.workspace_update(
            actor=owner_ms.user, workspace=workspace, membership=owner_ms, version=1, name="Second"
        )

    assert caught.value.current.name == "First"
    workspace.refresh_from_db()
    assert (workspace.name, workspace.version) == ("First", 2)


# --- adding members and invitations --------------------------------------------------------


def test_an_existing_account_joins_at_once(workspace: Any, owner_ms: Membership) -> None:
    bob = factories.make_user(email="bob@example.com")

    added = services.member_invite(
        actor=owner_ms.user, workspace=workspace, membership=owner_ms, email="BOB@example.com", role="admin"
    )

    assert isinstance(added, Membership)
    assert (added.user, added.role) == (bob, Role.ADMIN)
    [event] = _events("member.added")
    assert event.data == {"email": "bob@example.com", "role": "admin", "user": bob.public_id}


@pytest.fixture
def immediate_tasks(settings: Any) -> None:
    """Background tasks run at once (the test settings' default, made explicit here)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_anyone_else_is_invited_by_email_after_commit(
    workspace: Any, owner_ms: Membership, run_events: Any, immediate_tasks: None
) -> None:
    with run_events():
        invitation = services.member_invite(
            actor=owner_ms.user, workspace=workspace, membership=owner_ms, email="new@example.com", role="guest"
        )

    assert isinstance(invitation, Invitation)
    assert (invitation.email, invitation.role, invitation.state) == ("new@example.com", Role.GUEST, "pending")
    assert invitation.expires_at > timezone.now() + timedelta(days=13)
    [message] = mail.outbox
    assert message.to == ["new@example.com"]
    assert "Acme" in message.subject


def test_no_email_leaves_before_the_invitation_commits(
    workspace: Any, owner_ms: Membership, immediate_tasks: None
) -> None:
    services.member_invite(
        actor=owner_ms.user, workspace=workspace, membership=owner_ms, email="new@example.com", role="member"
    )

    assert mail.outbox == []


def test_inviting_a_member_or_an_invitee_again_is_a_conflict(workspace: Any, owner_ms: Membership) -> None:
    kwargs = {"actor": owner_ms.user, "workspace": workspace, "membership": owner_ms, "role": "member"}
    services.member_invite(email="new@example.com", **kwargs)

    with pytest.raises(Conflict) as invited:
        services.member_invite(email="new@example.com", **kwargs)
    with pytest.raises(Conflict) as member:
        services.member_invite(email="owner@example.com", **kwargs)

    assert (invited.value.code, member.value.code) == ("already_invited", "already_member")
    assert invited.value.fields == {"email": "already invited"}
    assert Invitation.objects.count() == 1


def test_an_expired_invitation_is_replaced(workspace: Any, owner_ms: Membership) -> None:
    kwargs = {"actor": owner_ms.user, "workspace": workspace, "membership": owner_ms, "role": "member"}
    old = services.member_invite(email="new@example.com", **kwargs)
    Invitation.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    new = services.member_invite(email="new@example.com", **kwargs)

    old.refresh_from_db()
    assert old.state == "revoked"
    assert new.state == "pending"


@pytest.mark.parametrize(
    ("email", "role", "field"), [("nope", "member", "email"), ("ok@example.com", "superuser", "role")]
)
def test_bad_invitation_input_names_the_field(
    workspace: Any, owner_ms: Membership, email: str, role: str, field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.member_invite(actor=owner_ms.user, workspace=workspace, membership=owner_ms, email=email, role=role)

    assert set(caught.value.fields) == {field}
    assert Invitation.objects.count() == 0


def test_members_cannot_invite_and_admins_cannot_make_owners(
    workspace: Any, admin: Membership, member: Membership
) -> None:
    with pytest.raises(PermissionDenied):
        services.member_invite(
            actor=member.user, workspace=workspace, membership=member, email="x@example.com", role="guest"
        )
    with pytest.raises(PermissionDenied):
        services.member_invite(
            actor=admin.user, workspace=workspace, membership=admin, email="x@example.com", role="owner"
        )

    assert Invitation.objects.count() == 0
    assert _events("invitation.created") == []


def test_an_invitation_is_accepted_by_its_addressee(workspace: Any, owner_ms: Membership) -> None:
    invitation = services.member_invite(
        actor=owner_ms.user, workspace=workspace, membership=owner_ms, email="new@example.com", role="guest"
    )
    token = services.invitation_link_token(invitation)
    newcomer = factories.make_user(email="new@example.com")

    joined = services.invitation_accept(actor=newcomer, token=token)

    assert (joined.workspace, joined.role) == (workspace, Role.GUEST)
    invitation.refresh_from_db()
    assert invitation.state == "accepted"
    assert invitation.accepted_by == newcomer
    assert len(_events("member.joined")) == 1
    with pytest.raises(ValidationError):
        services.invitation_accept(actor=newcomer, token=token)


def test_an_invitation_is_not_accepted_by_someone_else(workspace: Any, owner_ms: Membership) -> None:
    invitation = services.member_invite(
        actor=owner_ms.user, workspace=workspace, membership=owner_ms, email="new@example.com", role="admin"
    )
    intruder = factories.make_user(email="intruder@example.com")

    with pytest.raises(ValidationError) as caught:
        services.invitation_accept(actor=intruder, token=services.invitation_link_token(invitation))

    assert caught.value.code == "invitation_other_email"
    assert not Membership.objects.filter(user=intruder).exists()
    invitation.refresh_from_db()
    assert invitation.state == "pending"


def test_a_forged_or_revoked_invitation_link_does_not_work(workspace: Any, owner_ms: Membership) -> None:
    invitation = services.member_invite(
        actor=owner_ms.user, workspace=workspace, membership=owner_ms, email="new@example.com", role="member"
    )
    services.invitation_revoke(
        actor=owner_ms.user, workspace=workspace, membership=owner_ms, invitation_public_id=invitation.public_id
    )
    newcomer = factories.make_user(email="new@example.com")

    with pytest.raises(NotFound):
        services.invitation_accept(actor=newcomer, token=invitation.public_id)  # unsigned
    with pytest.raises(ValidationError) as caught:
        services.invitation_accept(actor=newcomer, token=services.invitation_link_token(invitation))

    assert caught.value.code == "invitation_revoked"
    assert not Membership.objects.filter(user=newcomer).exists()


def test_an_invitation_of_another_workspace_cannot_be_revoked_from_here(workspace: Any, owner_ms: Membership) -> None:
    other = factories.make_workspace()
    other_owner = _me(other, other.created_by)
    theirs = services.member_invite(
        actor=other.created_by, workspace=other, membership=other_owner, email="x@example.com", role="member"
    )

    with pytest.raises(NotFound):
        services.invitation_revoke(
            actor=owner_ms.user, workspace=workspace, membership=owner_ms, invitation_public_id=theirs.public_id
        )

    theirs.refresh_from_db()
    assert theirs.state == "pending"


def test_members_cannot_revoke_invitations(workspace: Any, owner_ms: Membership, member: Membership) -> None:
    invitation = services.member_invite(
        actor=owner_ms.user, workspace=workspace, membership=owner_ms, email="x@example.com", role="member"
    )

    with pytest.raises(PermissionDenied):
        services.invitation_revoke(
            actor=member.user, workspace=workspace, membership=member, invitation_public_id=invitation.public_id
        )

    invitation.refresh_from_db()
    assert invitation.state == "pending"


# --- roles and removal -----------------------------------------------------------------------


def test_an_admin_changes_a_members_role(workspace: Any, admin: Membership, member: Membership) -> None:
    changed = services.member_change_role(
        actor=admin.user, workspace=workspace, membership=admin, target=member, role="guest", version=1
    )

    assert (changed.role, changed.version) == (Role.GUEST, 2)
    [event] = _events("member.role_changed")
    assert event.changes == {"role": ["member", "guest"]}
    assert event.target_label == member.user.email


def test_only_owners_grant_or_take_the_owner_role(
    workspace: Any, owner_ms: Membership, admin: Membership, member: Membership
) -> None:
    with pytest.raises(PermissionDenied):
        services.member_change_role(
            actor=admin.user, workspace=workspace, membership=admin, target=member, role="owner"
        )
    with pytest.raises(PermissionDenied):
        services.member_change_role(
            actor=admin.user, workspace=workspace, membership=admin, target=owner_ms, role="member"
        )

    assert _me(workspace, member.user).role == Role.MEMBER
    assert _me(workspace, owner_ms.user).role == Role.OWNER
    services.member_change_role(
        actor=owner_ms.user, workspace=workspace, membership=owner_ms, target=member, role="owner"
    )
    assert _me(workspace, member.user).role == Role.OWNER


def test_members_cannot_change_roles(workspace: Any, member: Membership, admin: Membership) -> None:
    with pytest.raises(PermissionDenied):
        services.member_change_role(
            actor=member.user, workspace=workspace, membership=member, target=admin, role="guest"
        )

    assert _me(workspace, admin.user).role == Role.ADMIN
    assert _events("member.role_changed") == []


def test_the_last_owner_cannot_be_demoted(workspace: Any, owner_ms: Membership) -> None:
    with pytest.raises(ValidationError) as caught:
        services.member_change_role(
            actor=owner_ms.user, workspace=workspace, membership=owner_ms, target=owner_ms, role="admin"
        )

    assert caught.value.code == "last_owner"
    assert set(caught.value.fields) == {"role"}
    assert _me(workspace, owner_ms.user).role == Role.OWNER
    assert _events("member.role_changed") == []


def test_an_owner_can_step_down_once_there_is_another(workspace: Any, owner_ms: Membership, member: Membership) -> None:
    services.member_change_role(
        actor=owner_ms.user, workspace=workspace, membership=owner_ms, target=member, role="owner"
    )

    services.member_change_role(
        actor=owner_ms.user, workspace=workspace, membership=owner_ms, target=owner_ms, role="admin"
    )

    assert _me(workspace, owner_ms.user).role == Role.ADMIN


def test_a_stale_role_change_is_a_conflict(workspace: Any, owner_ms: Membership, member: Membership) -> None:
    services.member_change_role(
        actor=owner_ms.user, workspace=workspace, membership=owner_ms, target=member, role="admin"
    )

    with pytest.raises(Conflict) as caught:
        services.member_change_role(
            actor=owner_ms.user, workspace=workspace, membership=owner_ms, target=member, role="guest", version=1
        )

    assert caught.value.current.role == Role.ADMIN
    assert _me(workspace, member.user).role == Role.ADMIN


def test_an_admin_removes_a_member_and_their_team_places(workspace: Any, admin: Membership, member: Membership) -> None:
    team = services.team_create(actor=admin.user, workspace=workspace, membership=admin, name="Ops")
    services.team_member_add(actor=admin.user, workspace=workspace, membership=admin, team=team, user_member=member)

    services.member_remove(actor=admin.user, workspace=workspace, membership=admin, target=member)

    assert not Membership.objects.filter(pk=member.pk).exists()
    assert not TeamMember.objects.filter(team=team).exists()
    [event] = _events("member.removed")
    assert event.data["email"] == member.user.email


def test_anyone_may_leave(workspace: Any, member: Membership) -> None:
    services.member_remove(actor=member.user, workspace=workspace, membership=member, target=member)

    assert not Membership.objects.filter(pk=member.pk).exists()


def test_the_last_owner_cannot_leave(workspace: Any, owner_ms: Membership) -> None:
    with pytest.raises(ValidationError) as caught:
        services.member_remove(actor=owner_ms.user, workspace=workspace, membership=owner_ms, target=owner_ms)

    assert caught.value.code == "last_owner"
    assert Membership.objects.filter(pk=owner_ms.pk, role=Role.OWNER).exists()


def test_admins_cannot_remove_owners_and_members_cannot_remove_anyone(
    workspace: Any, owner_ms: Membership, admin: Membership, member: Membership
) -> None:
    with pytest.raises(PermissionDenied):
        services.member_remove(actor=admin.user, workspace=workspace, membership=admin, target=owner_ms)
    with pytest.raises(PermissionDenied):
        services.member_remove(actor=member.user, workspace=workspace, membership=member, target=admin)

    assert Membership.objects.filter(workspace=workspace).count() == 3
    assert _events("member.removed") == []


# --- teams ---------------------------------------------------------------------------------


def test_team_life_cycle(workspace: Any, owner_ms: Membership, member: Membership) -> None:
    ctx = {"actor": owner_ms.user, "workspace": workspace, "membership": owner_ms}
    team = services.team_create(**ctx, name=" Design ", description="Pixels")
    assert (team.name, team.description, team.workspace) == ("Design", "Pixels", workspace)

    updated = services.team_update(**ctx, team=team, version=1, name="Product design")
    assert (updated.name, updated.version) == ("Product design", 2)

    services.team_member_add(**ctx, team=updated, user_member=member)
    assert list(updated.members.all()) == [member.user]
    services.team_member_remove(**ctx, team=updated, user_member=member)
    assert list(updated.members.all()) == []

    services.team_delete(**ctx, team=updated)
    assert not Team.objects.filter(pk=team.pk).exists()
    trashed = Team.all_objects.get(pk=team.pk)
    assert (trashed.deleted_by, trashed.version) == (owner_ms.user, 3)

    assert [e.name for e in DomainEvent.objects.filter(name__startswith="team.").order_by("id")] == [
        "team.created",
        "team.updated",
        "team.member_added",
        "team.member_removed",
        "team.deleted",
    ]


def test_team_names_are_unique_per_workspace_ignoring_case(workspace: Any, owner_ms: Membership) -> None:
    ctx = {"actor": owner_ms.user, "workspace": workspace, "membership": owner_ms}
    services.team_create(**ctx, name="Ops")
    other = factories.make_workspace()
    services.team_create(actor=other.created_by, workspace=other, membership=_me(other, other.created_by), name="Ops")

    with pytest.raises(Conflict) as caught:
        services.team_create(**ctx, name="OPS")

    assert caught.value.fields == {"name": "taken"}
    assert Team.objects.filter(workspace=workspace).count() == 1


def test_a_deleted_teams_name_can_be_reused(workspace: Any, owner_ms: Membership) -> None:
    ctx = {"actor": owner_ms.user, "workspace": workspace, "membership": owner_ms}
    services.team_delete(**ctx, team=services.team_create(**ctx, name="Ops"))

    assert services.team_create(**ctx, name="Ops").name == "Ops"


def test_renaming_a_team_onto_another_is_a_conflict(workspace: Any, owner_ms: Membership) -> None:
    ctx = {"actor": owner_ms.user, "workspace": workspace, "membership": owner_ms}
    services.team_create(**ctx, name="Ops")
    dev = services.team_create(**ctx, name="Dev")

    with pytest.raises(Conflict):
        services.team_update(**ctx, team=dev, name="ops")

    dev.refresh_from_db()
    assert (dev.name, dev.version) == ("Dev", 1)


def test_a_stale_team_update_is_a_conflict(workspace: Any, owner_ms: Membership) -> None:
    ctx = {"actor": owner_ms.user, "workspace": workspace, "membership": owner_ms}
    team = services.team_create(**ctx, name="Ops")
    services.team_update(**ctx, team=team, description="first")

    with pytest.raises(Conflict):
        services.team_update(**ctx, team=team, version=1, description="second")

    team.refresh_from_db()
    assert team.description == "first"


def test_adding_someone_to_a_team_twice_is_a_conflict(workspace: Any, owner_ms: Membership, member: Membership) -> None:
    ctx = {"actor": owner_ms.user, "workspace": workspace, "membership": owner_ms}
    team = services.team_create(**ctx, name="Ops")
    services.team_member_add(**ctx, team=team, user_member=member)

    with pytest.raises(Conflict):
        services.team_member_add(**ctx, team=team, user_member=member)

    assert TeamMember.objects.filter(team=team).count() == 1


def test_members_cannot_manage_teams(workspace: Any, owner_ms: Membership, member: Membership) -> None:
    team = services.team_create(actor=owner_ms.user, workspace=workspace, membership=owner_ms, name="Ops")
    ctx = {"actor": member.user, "workspace": workspace, "membership": member}

    with pytest.raises(PermissionDenied):
        services.team_create(**ctx, name="Mine")
    with pytest.raises(PermissionDenied):
        services.team_update(**ctx, team=team, name="Mine")
    with pytest.raises(PermissionDenied):
        services.team_member_add(**ctx, team=team, user_member=member)
    with pytest.raises(PermissionDenied):
        services.team_delete(**ctx, team=team)

    team.refresh_from_db()
    assert (team.name, team.version, team.deleted_at) == ("Ops", 1, None)
    assert list(Team.objects.filter(workspace=workspace)) == [team]
    assert TeamMember.objects.count() == 0


# --- services refuse objects of another workspace, whoever resolved them -----------------------


@pytest.fixture
def foreign() -> dict[str, Any]:
    """Another workspace with a member and a team, none of it ours."""
    other = factories.make_workspace(slug="foreign")
    owner = _me(other, other.created_by)
    stranger = factories.add_member(other, factories.make_user(), role=Role.MEMBER)
    team = services.team_create(actor=owner.user, workspace=other, membership=owner, name="Theirs")
    return {"workspace": other, "member": stranger, "team": team}


def test_no_role_change_for_a_membership_of_another_workspace(
    workspace: Any, owner_ms: Membership, foreign: dict[str, Any]
) -> None:
    with pytest.raises(NotFound):
        services.member_change_role(
            actor=owner_ms.user, workspace=workspace, membership=owner_ms, target=foreign["member"], role="admin"
        )

    assert Membership.objects.get(pk=foreign["member"].pk).role == Role.MEMBER


def test_no_removal_of_a_membership_of_another_workspace(
    workspace: Any, owner_ms: Membership, foreign: dict[str, Any]
) -> None:
    with pytest.raises(NotFound):
        services.member_remove(actor=owner_ms.user, workspace=workspace, membership=owner_ms, target=foreign["member"])

    assert Membership.objects.filter(pk=foreign["member"].pk).exists()


def test_no_team_changes_across_workspaces(workspace: Any, owner_ms: Membership, foreign: dict[str, Any]) -> None:
    ctx = {"actor": owner_ms.user, "workspace": workspace, "membership": owner_ms}
    ours = services.team_create(**ctx, name="Ours")
    events_before = DomainEvent.objects.count()

    with pytest.raises(NotFound):
        services.team_update(**ctx, team=foreign["team"], name="Mine now")
    with pytest.raises(NotFound):
        services.team_delete(**ctx, team=foreign["team"])
    with pytest.raises(NotFound):
        services.team_member_add(**ctx, team=foreign["team"], user_member=owner_ms)
    with pytest.raises(NotFound):
        services.team_member_add(**ctx, team=ours, user_member=foreign["member"])

    theirs = Team.all_objects.get(pk=foreign["team"].pk)
    assert (theirs.name, theirs.version, theirs.deleted_at) == ("Theirs", 1, None)
    assert TeamMember.objects.count() == 0
    assert DomainEvent.objects.count() == events_before
