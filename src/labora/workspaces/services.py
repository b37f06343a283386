"""Every write to workspaces, members, invitations and teams."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from labora.accounts.models import User
from labora.accounts.services import _clean_email
from labora.core import events
from labora.core.errors import Conflict, NotFound, ValidationError
from labora.core.policy import check
from labora.core.versioning import check_version
from labora.workspaces.models import Invitation, Membership, Role, Team, TeamMember, Workspace

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$")
RESERVED_SLUGS = {"new", "api", "admin", "settings", "static", "media", "accounts", "invitations", "w"}
INVITATION_DAYS = 14
INVITATION_SALT = "labora.invitation"


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise ValidationError(
            f"Unknown role '{value}'. Use one of: {', '.join(Role.values)}.", fields={"role": "unknown role"}
        ) from None


def _clean_name(name: str, *, field: str = "name", limit: int = 100) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError(f"The {field} cannot be empty.", fields={field: "required"})
    if len(name) > limit:
        raise ValidationError(f"The {field} is at most {limit} characters.", fields={field: "too long"})
    return name


# --- workspaces ----------------------------------------------------------------------------


def workspace_create(*, actor: User, name: str, slug: str) -> Workspace:
    """Create a workspace; the actor becomes its owner. Raises ValidationError, Conflict."""
    name = _clean_name(name)
    slug = (slug or "").strip().lower()
    if not SLUG_RE.match(slug) or slug in RESERVED_SLUGS:
        raise ValidationError(
            "The slug is the workspace's address: 1-50 lower-case letters, digits and dashes, "
            "not starting or ending with a dash" + (f"; '{slug}' is reserved" if slug in RESERVED_SLUGS else "") + ".",
            fields={"slug": "invalid"},
        )
    try:
        with transaction.atomic():
            workspace = Workspace.objects.create(name=name, slug=slug, created_by=actor)
            Membership.objects.create(workspace=workspace, user=actor, role=Role.OWNER)
            events.record(
                name="workspace.created",
                actor=actor,
                workspace=workspace,
                target=workspace,
                data={"name": name, "slug": slug},
            )
    except IntegrityError:
        raise Conflict(
            f"The slug '{slug}' is taken; choose another.", code="slug_taken", fields={"slug": "taken"}
        ) from None
    return workspace


def workspace_update(
    *, actor: User, workspace: Workspace, membership: Membership, version: int | None = None, name: str | None = None
) -> Workspace:
    """Rename a workspace. Raises PermissionDenied, ValidationError, Conflict (stale version)."""
    check(actor, "workspace.update", membership)
    updates: dict[str, Any] = {}
    if name is not None:
        updates["name"] = _clean_name(name)
    with transaction.atomic():
        locked = Workspace.objects.select_for_update().get(pk=workspace.pk)
        check_version(locked, version, "workspace")
        changes = events.diff(locked, updates)
        if changes:
            for field, value in updates.items():
                setattr(locked, field, value)
            locked.version += 1
            locked.save(update_fields=[*updates, "version", "updated_at"])
            events.record(name="workspace.updated", actor=actor, workspace=locked, target=locked, changes=changes)
    return locked


# --- members and invitations ---------------------------------------------------------------


def invitation_link_token(invitation: Invitation) -> str:
    return signing.dumps(invitation.public_id, salt=INVITATION_SALT)


def member_invite(
    *, actor: User, workspace: Workspace, membership: Membership, email: str, role: str
) -> Membership | Invitation:
    """Add someone by e-mail: an existing account joins at once, anyone else is invited.

    Raises PermissionDenied, ValidationError, Conflict (already a member or invited).
    """
    email = _clean_email(email)
    role_value = _role(role)
    check(
        actor,
        "member.invite",
        (membership, role_value),
        message="Only admins can invite, and only owners can make owners.",
    )
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is not None:
            if Membership.objects.filter(workspace=workspace, user=user).exists():
                raise Conflict(
                    f"{email} is already a member of this workspace.",
                    code="already_member",
                    fields={"email": "already a member"},
                )
            try:
                with transaction.atomic():  # a concurrent add of the same person loses here
                    added = Membership.objects.create(workspace=workspace, user=user, role=role_value)
            except IntegrityError:
                raise Conflict(
                    f"{email} is already a member of this workspace.",
                    code="already_member",
                    fields={"email": "already a member"},
                ) from None
            events.record(
                name="member.added",
                actor=actor,
                workspace=workspace,
                target=added,
                target_label=user.email,
                data={"email": email, "role": role_value, "user": user.public_id},
            )
            return added
        if Invitation.objects.filter(
            workspace=workspace,
            email__iexact=email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        ).exists():
            raise Conflict(
                f"{email} is already invited. Revoke the invitation to send a new one.",
                code="already_invited",
                fields={"email": "already invited"},
            )
        # An expired invitation still holds the unique slot: retire it.
        Invitation.objects.filter(
            workspace=workspace, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        try:
            with transaction.atomic():  # a concurrent invitation of the same address loses here
                invitation = Invitation.objects.create(
                    workspace=workspace,
                    email=email,
                    role=role_value,
                    invited_by=actor,
                    expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
                )
        except IntegrityError:
            raise Conflict(
                f"{email} is already invited. Revoke the invitation to send a new one.",
                code="already_invited",
                fields={"email": "already invited"},
            ) from None
        events.record(
            name="invitation.created",
            actor=actor,
            workspace=workspace,
            target=invitation,
            target_label=email,
            data={"email": email, "role": role_value},
        )
    return invitation


def invitation_revoke(
    *, actor: User, workspace: Workspace, membership: Membership, invitation_public_id: str
) -> Invitation:
    """Raises PermissionDenied, NotFound."""
    check(actor, "invitation.manage", membership)
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .filter(
                workspace=workspace, public_id=invitation_public_id, accepted_at__isnull=True, revoked_at__isnull=True
            )
            .first()
        )
        if invitation is None:
            raise NotFound("No pending invitation with that id in this workspace.")
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        events.record(
            name="invitation.revoked",
            actor=actor,
            workspace=workspace,
            target=invitation,
            target_label=invitation.email,
        )
    return invitation


def invitation_from_token(token: str) -> Invitation:
    """The pending invitation behind a link. Raises NotFound (bad link) or ValidationError (used up)."""
    try:
        public_id = signing.loads(token, salt=INVITATION_SALT, max_age=timedelta(days=INVITATION_DAYS + 1))
    except signing.BadSignature:
        raise NotFound("This invitation link is not valid. Ask for a new invitation.") from None
    invitation = Invitation.objects.select_related("workspace", "invited_by").filter(public_id=public_id).first()
    if invitation is None or invitation.workspace.deleted_at is not None:
        raise NotFound("This invitation no longer exists. Ask for a new invitation.")
    if invitation.state != "pending":
        raise ValidationError(
            f"This invitation was {invitation.state}. Ask for a new one.", code=f"invitation_{invitation.state}"
        )
    return invitation


def invitation_accept(*, actor: User, token: str) -> Membership:
    """Join the workspace of an invitation sent to the actor's e-mail address.

    Raises NotFound, ValidationError (wrong account, expired, used).
    """
    invitation = invitation_from_token(token)
    if invitation.email.lower() != actor.email.lower():
        raise ValidationError(
            f"This invitation was sent to {invitation.email}. Sign in with that address to accept it.",
            code="invitation_other_email",
        )
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.accepted_at or locked.revoked_at:
            raise ValidationError("This invitation was already used or revoked.", code="invitation_used")
        membership, created = Membership.objects.get_or_create(
            workspace=invitation.workspace, user=actor, defaults={"role": invitation.role}
        )
        locked.accepted_at = timezone.now()
        locked.accepted_by = actor
        locked.save(update_fields=["accepted_at", "accepted_by"])
        if created:
            events.record(
                name="member.joined",
                actor=actor,
                workspace=invitation.workspace,
                target=membership,
                target_label=actor.email,
                data={"email": actor.email, "role": membership.role, "user": actor.public_id},
            )
    return membership


def _owner_count(workspace: Workspace) -> int:
    return Membership.objects.filter(workspace=workspace, role=Role.OWNER).count()


def member_change_role(
    *,
    actor: User,
    workspace: Workspace,
    membership: Membership,
    target: Membership,
    role: str,
    version: int | None = None,
) -> Membership:
    """Raises PermissionDenied, ValidationError (last owner), Conflict (stale version)."""
    new_role = _role(role)
    check(
        actor,
        "member.change_role",
        (membership, (target, new_role)),
        message="Only admins can change roles, and only owners can grant or take the owner role.",
    )
    with transaction.atomic():
        # Lock all owners so two concurrent demotions cannot both pass the last-owner check.
        list(Membership.objects.select_for_update().filter(workspace=workspace, role=Role.OWNER))
        # Scoped by workspace: a membership of another workspace is "not found" here, whatever
        # the caller resolved.
        locked = (
            Membership.objects.select_for_update()
            .select_related("user")
            .filter(pk=target.pk, workspace=workspace)
            .first()
        )
        if locked is None:
            raise NotFound("No such member in this workspace.")
        check_version(locked, version, "membership")
        if locked.role == new_role:
            return locked
        if locked.role == Role.OWNER and _owner_count(workspace) <= 1:
            raise ValidationError(
                "A workspace needs at least one owner. Make someone else owner first.",
                code="last_owner",
                fields={"role": "the last owner must stay owner"},
            )
        changes = {"role": [locked.role, new_role.value]}
        locked.role = new_role
        locked.version += 1
        locked.save(update_fields=["role", "version"])
        events.record(
            name="member.role_changed",
            actor=actor,
            workspace=workspace,
            target=locked,
            target_label=locked.user.email,
            changes=changes,
        )
    return locked


def member_remove(*, actor: User, workspace: Workspace, membership: Membership, target: Membership) -> None:
    """Remove a member (or leave). Raises PermissionDenied, ValidationError (last owner)."""
    check(actor, "member.remove", (membership, target), message="Only admins can remove members.")
    with transaction.atomic():
        list(Membership.objects.select_for_update().filter(workspace=workspace, role=Role.OWNER))
        locked = (
            Membership.objects.select_for_update()
            .select_related("user")
            .filter(pk=target.pk, workspace=workspace)
            .first()
        )
        if locked is None:
            raise NotFound("No such member in this workspace.")
        if locked.role == Role.OWNER and _owner_count(workspace) <= 1:
            raise ValidationError("The last owner cannot be removed. Make someone else owner first.", code="last_owner")
        TeamMember.objects.filter(team__workspace=workspace, user=locked.user).delete()
        email = locked.user.email
        locked.delete()
        events.record(
            name="member.removed",
            actor=actor,
            workspace=workspace,
            target=None,
            target_label=email,
            data={"email": email, "role": locked.role, "user": locked.user.public_id},
        )


# --- teams -------------------------------------------------------------------------------


def team_create(*, actor: User, workspace: Workspace, membership: Membership, name: str, description: str = "") -> Team:
    """Raises PermissionDenied, ValidationError, Conflict (name taken)."""
    check(actor, "team.manage", membership, message="Only admins can manage teams.")
    name = _clean_name(name, limit=80)
    try:
        with transaction.atomic():
            team = Team.objects.create(workspace=workspace, name=name, description=(description or "").strip())
            events.record(name="team.created", actor=actor, workspace=workspace, target=team, data={"name": name})
    except IntegrityError:
        raise Conflict(
            f"A team named '{name}' exists already.", code="team_name_taken", fields={"name": "taken"}
        ) from None
    return team


def team_update(
    *,
    actor: User,
    workspace: Workspace,
    membership: Membership,
    team: Team,
    version: int | None = None,
    name: str | None = None,
    description: str | None = None,
) -> Team:
    """Raises PermissionDenied, ValidationError, Conflict."""
    check(actor, "team.manage", membership, message="Only admins can manage teams.")
    updates: dict[str, Any] = {}
    if name is not None:
        updates["name"] = _clean_name(name, limit=80)
    if description is not None:
        updates["description"] = description.strip()
    try:
        with transaction.atomic():
            locked = Team.objects.select_for_update().filter(pk=team.pk, workspace=workspace).first()
            if locked is None:
                raise NotFound("No such team in this workspace.")
            check_version(locked, version, "team")
            changes = events.diff(locked, updates)
            if changes:
                for field, value in updates.items():
                    setattr(locked, field, value)
                locked.version += 1
                locked.save(update_fields=[*updates, "version", "updated_at"])
                events.record(name="team.updated", actor=actor, workspace=workspace, target=locked, changes=changes)
    except IntegrityError:
        raise Conflict("Another team has that name.", code="team_name_taken", fields={"name": "taken"}) from None
    return locked


def team_delete(*, actor: User, workspace: Workspace, membership: Membership, team: Team) -> None:
    """Move a team to the trash. Raises PermissionDenied."""
    check(actor, "team.manage", membership, message="Only admins can manage teams.")
    with transaction.atomic():
        trashed = Team.objects.filter(pk=team.pk, workspace=workspace).update(
            deleted_at=timezone.now(), deleted_by=actor, version=F("version") + 1
        )
        if not trashed:
            raise NotFound("No such team in this workspace.")
        events.record(name="team.deleted", actor=actor, workspace=workspace, target=team, data={"name": team.name})


def _same_workspace(workspace: Workspace, team: Team, user_member: Membership) -> None:
    if team.workspace_id != workspace.pk or team.deleted_at is not None:
        raise NotFound("No such team in this workspace.")
    if user_member.workspace_id != workspace.pk:
        raise NotFound("No such member in this workspace.")


def team_member_add(
    *, actor: User, workspace: Workspace, membership: Membership, team: Team, user_member: Membership
) -> None:
    """Raises PermissionDenied, NotFound, Conflict (already in the team)."""
    check(actor, "team.manage", membership, message="Only admins can manage teams.")
    _same_workspace(workspace, team, user_member)
    try:
        with transaction.atomic():
            TeamMember.objects.create(team=team, user=user_member.user)
            events.record(
                name="team.member_added",
                actor=actor,
                workspace=workspace,
                target=team,
                data={"user": user_member.user.public_id, "email": user_member.user.email},
            )
    except IntegrityError:
        raise Conflict(f"{user_member.user.email} is already in {team.name}.", code="already_in_team") from None


def team_member_remove(
    *, actor: User, workspace: Workspace, membership: Membership, team: Team, user_member: Membership
) -> None:
    """Raises PermissionDenied, NotFound."""
    check(actor, "team.manage", membership, message="Only admins can manage teams.")
    _same_workspace(workspace, team, user_member)
    with transaction.atomic():
        deleted, _ = TeamMember.objects.filter(team=team, user=user_member.user).delete()
        if not deleted:
            raise NotFound(f"{user_member.user.email} is not in {team.name}.")
        events.record(
            name="team.member_removed",
            actor=actor,
            workspace=workspace,
            target=team,
            data={"user": user_member.user.public_id, "email": user_member.user.email},
        )


# --- operator paths (CLI, admin) -----------------------------------------------------------


def member_add_direct(
    *, workspace: Workspace, user: User, role: str = Role.MEMBER, actor: User | None = None
) -> Membership:
    """Add an existing account to a workspace without an invitation: for operators (the
    `labora createuser` command, the admin), who are trusted, so no policy check.

    Raises ValidationError (unknown role, inactive account), Conflict (already a member).
    """
    role_value = _role(role)
    if not user.is_active:
        raise ValidationError(f"{user.email} is deactivated; reactivate the account first.", code="user_inactive")
    with transaction.atomic():
        existing = Membership.objects.filter(workspace=workspace, user=user).first()
        if existing is not None:
            raise Conflict(
                f"{user.email} is already a member of {workspace.slug} as {existing.role}.",
                code="already_member",
                fields={"email": "already a member"},
            )
        added = Membership.objects.create(workspace=workspace, user=user, role=role_value)
        events.record(
            name="member.added",
            actor=actor,
            workspace=workspace,
            target=added,
            target_label=user.email,
            data={"email": user.email, "role": role_value, "user": user.public_id, "via": "operator"},
        )
    return added
