"""Reads for one's own account: tokens and two-factor devices, always scoped to the user."""

from __future__ import annotations

from django.db.models import QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from labora.accounts.models import ApiToken, User


def token_list_for_user(*, user: User) -> QuerySet[ApiToken]:
    """The user's own personal access tokens, newest first (revoked and expired included)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def totp_device_confirmed(*, user: User) -> TOTPDevice | None:
    """The authenticator that guards the user's sign-in, if two-factor is on."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def totp_device_pending(*, user: User) -> TOTPDevice | None:
    """An authenticator being set up (scanned but not yet confirmed with a code)."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()


def user_active_by_pk(*, pk: object) -> User | None:
    """An active user by primary key (from server-side session state, never from request input)."""
    if not isinstance(pk, int):
        return None
    return User.objects.filter(pk=pk, is_active=True).first()
