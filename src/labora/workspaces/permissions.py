"""Who may do what in a workspace. `obj` is the acting user's Membership in it (or a
(membership, target) pair where the rule depends on the target)."""

from __future__ import annotations

from typing import Any

from labora.core.policy import rule
from labora.workspaces.models import ROLE_RANK, Role

ADMIN = ROLE_RANK[Role.ADMIN]
MEMBER = ROLE_RANK[Role.MEMBER]
OWNER = ROLE_RANK[Role.OWNER]


def _rank(membership: Any) -> int:
    return membership.rank if membership is not None else 0


@rule("workspace.view")
def _view(user: Any, membership: Any) -> bool:
    return membership is not None and membership.user_id == user.pk


@rule("workspace.update")
def _update(user: Any, membership: Any) -> bool:
    return _rank(membership) >= ADMIN


@rule("workspace.delete")
def _delete(user: Any, membership: Any) -> bool:
    return _rank(membership) >= OWNER


@rule("member.list")
def _member_list(user: Any, membership: Any) -> bool:
    # Guests and clients see only who they work with, through the work they share.
    return _rank(membership) >= MEMBER


@rule("member.invite")
def _invite(user: Any, pair: Any) -> bool:
    membership, role = pair
    if _rank(membership) < ADMIN:
        return False
    return role != Role.OWNER or _rank(membership) >= OWNER


@rule("member.change_role")
def _change_role(user: Any, pair: Any) -> bool:
    membership, (target, new_role) = pair
    if _rank(membership) < ADMIN:
        return False
    touches_owner = target.role == Role.OWNER or new_role == Role.OWNER
    return not touches_owner or _rank(membership) >= OWNER


@rule("member.remove")
def _remove(user: Any, pair: Any) -> bool:
    membership, target = pair
    if target.user_id == user.pk:
        return True  # anyone may leave
    if _rank(membership) < ADMIN:
        return False
    return target.role != Role.OWNER or _rank(membership) >= OWNER


@rule("invitation.manage")
def _invitation_manage(user: Any, membership: Any) -> bool:
    return _rank(membership) >= ADMIN


@rule("team.view")
def _team_view(user: Any, membership: Any) -> bool:
    return _rank(membership) >= MEMBER


@rule("team.manage")
def _team_manage(user: Any, membership: Any) -> bool:
    return _rank(membership) >= ADMIN


@rule("activity.view")
def _activity_view(user: Any, membership: Any) -> bool:
    return _rank(membership) >= MEMBER
