"""/api/v1/me and /api/v1/me/tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone

from labora.accounts.models import ApiToken, User
from labora.core.models import DomainEvent
from labora.workspaces.models import Role
from tests import factories
from tests.conftest import ApiClient
from tests.core.test_errors import assert_error_body


def test_me_answers_who_i_am_and_my_workspaces(user: Any, workspace: Any, api: Any) -> None:
    other = factories.make_workspace(slug="beta", name="Beta")
    factories.add_member(other, user, role=Role.GUEST)
    factories.make_workspace(slug="not-mine")

    response = api.get("/api/v1/me")

    assert response.status_code == 200
    assert response.json() == {
        "id": user.public_id,
        "email": "owner@example.com",
        "name": "Olivia Owner",
        "handle": "owner",
        "timezone": "UTC",
        "version": 1,
        "workspaces": [
            {"slug": "acme", "name": "Acme", "role": "owner"},
            {"slug": "beta", "name": "Beta", "role": "guest"},
        ],
    }


def test_me_works_with_the_browser_session(user: Any, client: Any) -> None:
    client.force_login(user)

    assert client.get("/api/v1/me").json()["email"] == "owner@example.com"


def test_patch_me_updates_the_profile(user: Any, api: Any) -> None:
    response = api.patch_json("/api/v1/me", {"name": "Liv", "timezone": "Europe/Paris"}, HTTP_IF_MATCH="1")

    assert response.status_code == 200
    assert response.json()["name"] == "Liv"
    assert response.json()["timezone"] == "Europe/Paris"
    assert response.json()["version"] == 2


def test_patch_me_with_a_stale_if_match_is_409_with_the_current_profile(user: Any, api: Any) -> None:
    api.patch_json("/api/v1/me", {"name": "Liv"}, HTTP_IF_MATCH="1")

    response = api.patch_json("/api/v1/me", {"name": "Olive"}, HTTP_IF_MATCH="1")

    assert_error_body(response, 409, "stale_version")
    current = response.json()["current"]
    assert (current["name"], current["version"], current["email"]) == ("Liv", 2, "owner@example.com")
    user.refresh_from_db()
    assert (user.name, user.version) == ("Liv", 2)


def test_patch_me_takes_the_version_from_the_body_too(user: Any, api: Any) -> None:
    api.patch_json("/api/v1/me", {"name": "Liv"})

    response = api.patch_json("/api/v1/me", {"name": "Olive", "version": 1})

    assert response.status_code == 409
    user.refresh_from_db()
    assert user.name == "Liv"


def test_patch_me_with_bad_fields_is_422_naming_them(user: Any, api: Any) -> None:
    response = api.patch_json("/api/v1/me", {"handle": "no spaces allowed", "timezone": "Nowhere/Land"})

    error = assert_error_body(response, 422)
    assert set(error["fields"]) == {"handle", "timezone"}
    user.refresh_from_db()
    assert (user.handle, user.timezone, user.version) == ("owner", "UTC", 1)


def test_patch_me_rejects_a_name_over_150_characters(user: Any, api: Any) -> None:
    error = assert_error_body(api.patch_json("/api/v1/me", {"name": "x" * 151}), 422)

    assert set(error["fields"]) == {"name"}


# --- tokens ------------------------------------------------------------------------------


def test_create_a_token_shows_the_secret_once(user: Any, api: Any) -> None:
    response = api.post_json("/api/v1/me/tokens", {"name": "CI pipeline"})

    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "CI pipeline"
    assert body["state"] == "active"
    assert body["token"].startswith("lab_")
    assert body["hint"] == f"lab_{body['token'][4:10]}…"
    # usable at once
    assert ApiClient(body["token"]).get("/api/v1/me").status_code == 200
    # never shown again
    listed = api.get("/api/v1/me/tokens").json()
    assert all("token" not in item for item in listed["items"])
    assert body["token"] not in str(listed)


def test_the_token_list_is_mine_only(user: Any, api: Any) -> None:
    factories.make_token(factories.make_user(), name="someone else's")
    api.post_json("/api/v1/me/tokens", {"name": "second"})

    body = api.get("/api/v1/me/tokens").json()

    assert body["count"] == 2  # the fixture's token and "second"
    assert [item["name"] for item in body["items"]] == ["second", "test"]


def test_create_a_token_with_an_expiry(user: Any, api: Any) -> None:
    response = api.post_json("/api/v1/me/tokens", {"name": "Temp", "expires_at": "2099-01-01T00:00:00+02:00"})

    assert response.status_code == 201
    assert datetime.fromisoformat(response.json()["expires_at"]) == datetime(2098, 12, 31, 22, tzinfo=UTC)


def test_an_expiry_without_an_offset_is_accepted_as_utc(user: Any, api: Any) -> None:
    response = api.post_json("/api/v1/me/tokens", {"name": "Temp", "expires_at": "2099-01-01T00:00:00"})

    assert response.status_code == 201
    assert datetime.fromisoformat(response.json()["expires_at"]) == datetime(2099, 1, 1, tzinfo=UTC)


def test_an_expiry_in_the_past_is_422_naming_it(user: Any, api: Any) -> None:
    response = api.post_json("/api/v1/me/tokens", {"name": "Old", "expires_at": "2001-01-01T00:00:00Z"})

    assert set(assert_error_body(response, 422)["fields"]) == {"expires_at"}
    assert ApiToken.objects.filter(name="Old").count() == 0


def test_an_empty_token_name_is_422(user: Any, api: Any) -> None:
    assert set(assert_error_body(api.post_json("/api/v1/me/tokens", {"name": ""}), 422)["fields"]) == {"name"}


def test_a_revoked_token_gets_401(user: Any, api: Any) -> None:
    created = api.post_json("/api/v1/me/tokens", {"name": "short-lived"}).json()

    assert api.delete(f"/api/v1/me/tokens/{created['id']}").status_code == 204

    assert_error_body(ApiClient(created["token"]).get("/api/v1/me"), 401, "unauthenticated")
    listed = {item["id"]: item["state"] for item in api.get("/api/v1/me/tokens").json()["items"]}
    assert listed[created["id"]] == "revoked"


def test_an_expired_token_gets_401(user: Any) -> None:
    raw = factories.make_token(user, name="expiring")
    ApiToken.objects.filter(name="expiring").update(expires_at=timezone.now() - timedelta(seconds=1))

    assert_error_body(ApiClient(raw).get("/api/v1/me"), 401, "unauthenticated")


def test_a_deactivated_users_token_gets_401(user: Any, token: str) -> None:
    User.objects.filter(pk=user.pk).update(is_active=False)

    assert_error_body(ApiClient(token).get("/api/v1/me"), 401)


def test_revoking_someone_elses_token_is_404_and_changes_nothing(user: Any, api: Any) -> None:
    other = factories.make_user()
    raw = factories.make_token(other, name="theirs")
    theirs = ApiToken.objects.get(user=other)
    events_before = DomainEvent.objects.count()

    assert_error_body(api.delete(f"/api/v1/me/tokens/{theirs.public_id}"), 404, "not_found")

    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert ApiClient(raw).get("/api/v1/me").status_code == 200
    assert DomainEvent.objects.count() == events_before


def test_a_malformed_authorization_header_gets_401(db: Any) -> None:
    for header in ["Bearer", "Basic dXNlcjpwYXNz", "Token lab_x", "Bearer  "]:
        assert_error_body(ApiClient(HTTP_AUTHORIZATION=header).get("/api/v1/me"), 401)


def test_an_expiry_with_any_iso_offset_is_stored_in_utc(user: Any, api: Any) -> None:
    # ISO 8601 allows offsets PostgreSQL does not store (beyond ±15:59).
    response = api.post_json("/api/v1/me/tokens", {"name": "Far", "expires_at": "2099-09-20T07:51:07-19:36"})

    assert response.status_code == 201
    assert ApiToken.objects.get(name="Far").expires_at == datetime(2099, 9, 21, 3, 27, 7, tzinfo=UTC)


def test_an_expiry_beyond_the_calendar_is_422_naming_it(user: Any, api: Any) -> None:
    response = api.post_json("/api/v1/me/tokens", {"name": "Never", "expires_at": "9999-12-31T23:00:00-05:00"})

    assert set(assert_error_body(response, 422)["fields"]) == {"expires_at"}
