"""Account services: sign-up, profile, personal access tokens."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from labora.accounts import services
from labora.accounts.models import ApiToken, User
from labora.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from labora.core.models import DomainEvent
from tests import factories


def _events(name: str) -> list[DomainEvent]:
    return list(DomainEvent.objects.filter(name=name).order_by("id"))


# --- sign-up -----------------------------------------------------------------------------


def test_user_create_normalises_the_email_and_derives_a_handle(db: Any) -> None:
    user = services.user_create(email="  Ana.Lopez@Example.COM ", password=factories.PASSWORD, name=" Ana ")

    assert user.email == "ana.lopez@example.com"
    assert user.name == "Ana"
    assert user.handle == "ana.lopez"
    assert user.check_password(factories.PASSWORD)
    [event] = _events("user.created")
    assert event.target_id == user.public_id


def test_handles_stay_unique(db: Any) -> None:
    first = services.user_create(email="ana@example.com", password=factories.PASSWORD)
    second = services.user_create(email="ana@example.org", password=factories.PASSWORD)

    assert (first.handle, second.handle) == ("ana", "ana2")


def test_an_email_is_registered_once_whatever_its_case(db: Any) -> None:
    services.user_create(email="ana@example.com", password=factories.PASSWORD)

    with pytest.raises(Conflict) as caught:
        services.user_create(email="ANA@example.com", password=factories.PASSWORD)

    assert caught.value.code == "email_taken"
    assert caught.value.fields == {"email": "already registered"}
    assert User.objects.count() == 1
    assert len(_events("user.created")) == 1


@pytest.mark.parametrize(
    ("email", "password", "field"),
    [("not-an-email", factories.PASSWORD, "email"), ("ana@example.com", "123", "password")],
)
def test_bad_sign_up_input_names_the_field_and_creates_nothing(db: Any, email: str, password: str, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        services.user_create(email=email, password=password)

    assert set(caught.value.fields) == {field}
    assert User.objects.count() == 0
    assert DomainEvent.objects.count() == 0


# --- profile -----------------------------------------------------------------------------


def test_a_profile_update_bumps_the_version_and_records_the_changes(user: Any) -> None:
    updated = services.user_update_profile(
        actor=user, user=user, version=1, name="Olivia O.", handle="@Olivia", timezone_name="Europe/Paris"
    )

    assert (updated.name, updated.handle, updated.timezone, updated.version) == (
        "Olivia O.",
        "olivia",
        "Europe/Paris",
        2,
    )
    [event] = _events("user.updated")
    assert event.actor_id == user.pk
    assert event.changes == {
        "name": ["Olivia Owner", "Olivia O."],
        "handle": ["owner", "olivia"],
        "timezone": ["UTC", "Europe/Paris"],
    }


def test_an_update_that_changes_nothing_keeps_the_version_and_records_nothing(user: Any) -> None:
    services.user_update_profile(actor=user, user=user, name="Olivia Owner")

    user.refresh_from_db()
    assert user.version == 1
    assert _events("user.updated") == []


def test_a_stale_profile_update_is_a_conflict_and_changes_nothing(user: Any) -> None:
    services.user_update_profile(actor=user, user=user, name="First")

    with pytest.raises(Conflict) as caught:
        services.user_update_profile(actor=user, user=user, version=1, name="Second")

    assert caught.value.code == "stale_version"
    assert caught.value.current.version == 2
    user.refresh_from_db()
    assert (user.name, user.version) == ("First", 2)
    assert len(_events("user.updated")) == 1


def test_nobody_updates_someone_elses_profile(user: Any) -> None:
    other = factories.make_user(name="Bob")

    with pytest.raises(PermissionDenied):
        services.user_update_profile(actor=other, user=user, name="Hacked")

    user.refresh_from_db()
    assert (user.name, user.version) == ("Olivia Owner", 1)
    assert _events("user.updated") == []


def test_invalid_profile_fields_are_all_named_and_nothing_changes(user: Any) -> None:
    factories.make_user(email="taken@example.com")  # handle "taken"

    with pytest.raises(ValidationError) as caught:
        services.user_update_profile(actor=user, user=user, name="New", handle="TAKEN", timezone_name="Mars/Olympus")

    assert set(caught.value.fields) == {"handle", "timezone"}
    user.refresh_from_db()
    assert (user.name, user.handle, user.timezone) == ("Olivia Owner", "owner", "UTC")


@pytest.mark.parametrize("handle", ["a", "-dash", "spa ce", "x" * 41, "émile"])
def test_a_malformed_handle_is_refused(user: Any, handle: str) -> None:
    with pytest.raises(ValidationError) as caught:
        services.user_update_profile(actor=user, user=user, handle=handle)

    assert set(caught.value.fields) == {"handle"}


# --- personal access tokens ----------------------------------------------------------------


def test_a_token_is_stored_only_as_a_hash(user: Any) -> None:
    token, raw = services.token_create(actor=user, name="CI")

    assert raw.startswith("lab_")
    assert len(raw) > 40
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert row["token_hash"] == hashlib.sha256(raw.encode()).hexdigest()
    assert row["hint"] == raw[4:10]
    stored = " ".join(str(v) for v in row.values())
    assert raw not in stored
    assert raw[4:] not in stored
    [event] = _events("token.created")
    assert raw not in str(event.data)
    assert event.data == {"name": "CI"}


def test_a_token_authenticates_its_user_and_notes_its_use(user: Any) -> None:
    token, raw = services.token_create(actor=user, name="CI")

    assert services.token_authenticate(raw) == user
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize("raw", ["", "lab_", "lab_unknown", "Bearer lab_x", "not-a-token"])
def test_unknown_tokens_authenticate_nobody(db: Any, raw: str) -> None:
    assert services.token_authenticate(raw) is None


def test_revoked_expired_or_deactivated_tokens_authenticate_nobody(user: Any) -> None:
    revoked, revoked_raw = services.token_create(actor=user, name="revoked")
    services.token_revoke(actor=user, token_public_id=revoked.public_id)
    expiring, expired_raw = services.token_create(
        actor=user, name="expired", expires_at=timezone.now() + timedelta(minutes=1)
    )
    ApiToken.objects.filter(pk=expiring.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    _, raw = services.token_create(actor=user, name="fine")
    User.objects.filter(pk=user.pk).update(is_active=False)

    assert services.token_authenticate(revoked_raw) is None
    assert services.token_authenticate(expired_raw) is None
    assert services.token_authenticate(raw) is None


@pytest.mark.parametrize(
    ("name", "expires_at", "field"),
    [
        ("  ", None, "name"),
        ("x" * 101, None, "name"),
        ("CI", timezone.now() - timedelta(days=1), "expires_at"),
    ],
)
def test_bad_token_input_names_the_field_and_creates_nothing(
    user: Any, name: str, expires_at: datetime | None, field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.token_create(actor=user, name=name, expires_at=expires_at)

    assert set(caught.value.fields) == {field}
    assert ApiToken.objects.count() == 0


def test_an_expiry_without_an_offset_is_read_as_utc(user: Any) -> None:
    naive = datetime(2099, 1, 1, 12, 0)

    token, _ = services.token_create(actor=user, name="CI", expires_at=naive)

    assert token.expires_at == datetime(2099, 1, 1, 12, 0, tzinfo=UTC)


def test_revoking_twice_records_one_event(user: Any) -> None:
    token, _ = services.token_create(actor=user, name="CI")

    services.token_revoke(actor=user, token_public_id=token.public_id)
    first_revoked_at = ApiToken.objects.get(pk=token.pk).revoked_at
    services.token_revoke(actor=user, token_public_id=token.public_id)

    assert ApiToken.objects.get(pk=token.pk).revoked_at == first_revoked_at
    assert len(_events("token.revoked")) == 1


def test_nobody_revokes_someone_elses_token(user: Any) -> None:
    token, raw = services.token_create(actor=user, name="CI")
    other = factories.make_user()

    with pytest.raises(NotFound):
        services.token_revoke(actor=other, token_public_id=token.public_id)

    token.refresh_from_db()
    assert token.revoked_at is None
    assert services.token_authenticate(raw) == user
    assert _events("token.revoked") == []
