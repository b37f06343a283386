"""Every write to accounts: sign-up, profile, password, tokens, two-factor devices."""

from __future__ import annotations

import functools
import re
import secrets
from datetime import UTC, datetime
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from labora.accounts.models import TOKEN_PREFIX, ApiToken, User, hash_token
from labora.core import events, rawrows
from labora.core.errors import Conflict, NotFound, ValidationError
from labora.core.policy import check

HANDLE_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,39}$")


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except DjangoValidationError:
        raise ValidationError(
            "Enter a valid e-mail address, like ana@example.com.", fields={"email": "not a valid e-mail address"}
        ) from None
    return email


def _check_password(password: str, user: User | None = None, field: str = "password") -> None:
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as exc:
        message = " ".join(exc.messages)
        raise ValidationError(message, fields={field: message}) from None


def _unique_handle(base: str) -> str:
    stem = re.sub(r"[^a-z0-9_.-]", "", base.lower())[:30] or "user"
    if len(stem) < 2:
        stem = f"{stem}user"
    candidate = stem
    n = 1
    while User.objects.filter(handle__iexact=candidate).exists():
        n += 1
        candidate = f"{stem}{n}"
    return candidate


def user_create(*, email: str, password: str, name: str = "", is_staff: bool = False) -> User:
    """Create an account (sign-up, invitations, CLI).

    Raises ValidationError (bad e-mail or weak password) and Conflict (e-mail taken).
    """
    email = _clean_email(email)
    name = (name or "").strip()[:150]
    probe = User(email=email, name=name)
    _check_password(password, probe)
    with transaction.atomic():
        if User.objects.filter(email__iexact=email).exists():
            raise Conflict(
                "An account with this e-mail already exists. Sign in, or reset its password.",
                code="email_taken",
                fields={"email": "already registered"},
            )
        user = User.objects.create_user(
            email=email, password=password, name=name, handle=_unique_handle(email.split("@")[0]), is_staff=is_staff
        )
        events.record(name="user.created", actor=user, target=user, data={"email": email})
    return user


def user_update_profile(
    *,
    actor: User,
    user: User,
    version: int | None = None,
    name: str | None = None,
    handle: str | None = None,
    timezone_name: str | None = None,
) -> User:
    """Change name, @handle or time zone. Raises PermissionDenied, ValidationError, Conflict."""
    import zoneinfo

    check(actor, "account.update", user)
    updates: dict[str, Any] = {}
    fields: dict[str, str] = {}
    if name is not None:
        updates["name"] = name.strip()[:150]
    if handle is not None:
        handle = handle.strip().lstrip("@").lower()
        if not HANDLE_RE.match(handle):
            fields["handle"] = "2-40 characters: letters, digits, '.', '_' or '-', starting with a letter or digit"
        elif User.objects.filter(handle__iexact=handle).exclude(pk=user.pk).exists():
            fields["handle"] = "already taken by someone else; choose another"
        updates["handle"] = handle
    if timezone_name is not None:
        if timezone_name not in zoneinfo.available_timezones():
            fields["timezone"] = "unknown time zone; use an IANA name like Europe/Paris"
        updates["timezone"] = timezone_name
    if fields:
        raise ValidationError(
            "Some profile fields are not valid: " + "; ".join(f"{k}: {v}" for k, v in fields.items()), fields=fields
        )
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if version is not None and locked.version != version:
            raise Conflict(
                "Your profile was changed elsewhere; reload and try again.", code="stale_version", current=locked
            )
        changes = events.diff(locked, updates)
        if changes:
            for field, value in updates.items():
                setattr(locked, field, value)
            locked.version += 1
            try:
                with transaction.atomic():  # someone claimed the same @handle a moment ago
                    locked.save(update_fields=[*updates, "version"])
            except IntegrityError:
                raise ValidationError(
                    "Some profile fields are not valid: handle: already taken by someone else; choose another",
                    fields={"handle": "already taken by someone else; choose another"},
                ) from None
            events.record(name="user.updated", actor=actor, target=locked, changes=changes)
    return locked


def user_change_password(*, actor: User, current_password: str, new_password: str) -> None:
    """Raises ValidationError when the current password is wrong or the new one is weak."""
    if not actor.check_password(current_password):
        raise ValidationError("Your current password is not correct.", fields={"current_password": "incorrect"})
    _check_password(new_password, actor, field="new_password")
    with transaction.atomic():
        actor.set_password(new_password)
        actor.save(update_fields=["password"])
        events.record(name="user.password_changed", actor=actor, target=actor)


def user_set_password(*, user: User, new_password: str) -> None:
    """Set a password after a verified reset link. Raises ValidationError for a weak one."""
    _check_password(new_password, user, field="new_password")
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        events.record(name="user.password_reset", actor=user, target=user)


# --- personal access tokens ----------------------------------------------------------------


def token_create(*, actor: User, name: str, expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """Create a token; returns it and the raw secret, which is never shown again.

    Raises ValidationError for an empty name or an expiry in the past.
    """
    name = (name or "").strip()
    if not name:
        raise ValidationError("Give the token a name, e.g. 'CI pipeline'.", fields={"name": "required"})
    if len(name) > 100:
        raise ValidationError("Token names are at most 100 characters.", fields={"name": "too long"})
    if expires_at is not None:
        # A time without an offset (`2030-01-01T00:00`) is read as UTC rather than crashing
        # the comparison below; any other offset is stored as UTC (PostgreSQL refuses offsets
        # beyond ±15:59, which ISO 8601 allows).
        try:
            expires_at = (
                timezone.make_aware(expires_at, UTC) if timezone.is_naive(expires_at) else expires_at.astimezone(UTC)
            )
        except OverflowError:
            raise ValidationError("The expiry is out of range.", fields={"expires_at": "out of range"}) from None
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError("The expiry must be in the future.", fields={"expires_at": "in the past"})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=actor,
            name=name,
            hint=raw[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + 6],
            token_hash=hash_token(raw),
            expires_at=expires_at,
        )
        events.record(name="token.created", actor=actor, target=token, data={"name": name})
    return token, raw


def token_revoke(*, actor: User, token_public_id: str) -> ApiToken:
    """Revoke one of the actor's tokens. Raises NotFound for anyone else's."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(user=actor, public_id=token_public_id).first()
        if token is None:
            raise NotFound("No such token among yours.")
        check(actor, "token.manage", token)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            events.record(name="token.revoked", actor=actor, target=token, data={"name": token.name})
    return token


@functools.cache
def _token_sql() -> str:
    t, u = ApiToken._meta, User._meta
    return (
        f"SELECT {rawrows.columns(ApiToken, 't')}, {rawrows.columns(User, 'u')} "  # noqa: S608  (model names only; input bound)
        f'FROM "{t.db_table}" t JOIN "{u.db_table}" u ON u."id" = t."user_id" WHERE t."token_hash" = %s'
    )


def token_authenticate(raw: str) -> User | None:
    """The active user behind a raw token, or None. Records last use at most once a minute.

    Runs on every API request: one hand-written query (core.rawrows), a millisecond less than
    the ORM's select_related for the same row."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    with connection.cursor() as cursor:
        cursor.execute(_token_sql(), [hash_token(raw)])
        row = cursor.fetchone()
    if row is None:
        return None
    token = rawrows.instance(ApiToken, row[: rawrows.width(ApiToken)])
    token.user = user = rawrows.instance(User, row[rawrows.width(ApiToken) :])
    if not token.is_active or not user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return user


# --- two-factor (TOTP) -------------------------------------------------------------------


def totp_start(*, actor: User) -> TOTPDevice:
    """An unconfirmed TOTP device to scan; replaces any earlier unconfirmed one."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
        return TOTPDevice.objects.create(user=actor, name="Authenticator app", confirmed=False)


def totp_confirm(*, actor: User, code: str) -> TOTPDevice:
    """Turn on two-factor sign-in once the user proves the app works. Raises ValidationError."""
    device = TOTPDevice.objects.filter(user=actor, confirmed=False).order_by("-id").first()
    if device is None:
        raise ValidationError("Start the set-up again: no pending authenticator was found.")
    code = re.sub(r"\s", "", code or "")
    if not code.isdigit() or not device.verify_token(code):
        raise ValidationError(
            "That code did not match. Check the time on your phone and enter the current 6-digit code.",
            fields={"code": "incorrect"},
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        events.record(name="user.2fa_enabled", actor=actor, target=actor)
    return device


def totp_disable(*, actor: User, password: str) -> None:
    """Turn two-factor sign-in off; asks for the password again. Raises ValidationError."""
    if not actor.check_password(password):
        raise ValidationError("Your password is not correct.", fields={"password": "incorrect"})
    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor).delete()
        events.record(name="user.2fa_disabled", actor=actor, target=actor)


def totp_cancel(*, actor: User) -> None:
    """Abandon a set-up that was started but never confirmed; a confirmed device stays."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor, confirmed=False).delete()


def user_has_2fa(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def user_set_password_unchecked(*, user: User, new_password: str, reason: str) -> None:
    """Set a password WITHOUT the strength rules: operator tools only, never user input
    (the demo account's well-known password, which is too close to its e-mail on purpose).

    Raises ValidationError for an empty password.
    """
    if not new_password:
        raise ValidationError("The password cannot be empty.", fields={"password": "required"})
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        events.record(name="user.password_set", actor=None, target=user, data={"reason": reason})
