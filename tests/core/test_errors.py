"""Errors: services raise domain errors; every API failure answers API.md's body
{"error": {"code", "message", "fields"}} with the right status — never HTML, never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from labora.core.errors import (
    Conflict,
    LaboraError,
    NotFound,
    PermissionDenied,
    RateLimited,
    Unauthenticated,
    ValidationError,
)
from labora.workspaces.models import Role
from tests import factories
from tests.conftest import ApiClient


def assert_error_body(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is API.md's error body with `status` (and `code`); returns the error."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    error = body["error"]
    assert isinstance(error["code"], str)
    assert error["code"]
    assert isinstance(error["message"], str)
    assert error["message"]
    assert isinstance(error["fields"], dict)
    if code is not None:
        assert error["code"] == code
    return error


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (LaboraError, 400, "bad_request"),
        (Unauthenticated, 401, "unauthenticated"),
        (PermissionDenied, 403, "forbidden"),
        (NotFound, 404, "not_found"),
        (Conflict, 409, "conflict"),
        (ValidationError, 422, "invalid"),
        (RateLimited, 429, "rate_limited"),
    ],
)
def test_each_error_type_has_its_status_and_default_code(error: type[LaboraError], status: int, code: str) -> None:
    exc = error("Something is wrong; do this instead.")

    assert exc.status == status
    assert exc.body() == {"error": {"code": code, "message": "Something is wrong; do this instead.", "fields": {}}}


def test_an_error_carries_its_own_code_fields_and_extra_keys() -> None:
    exc = ValidationError(
        "The move is not allowed.",
        code="transition_not_allowed",
        fields={"status": "not allowed from Done"},
        extra={"allowed": ["Doing"]},
    )

    assert exc.body() == {
        "error": {
            "code": "transition_not_allowed",
            "message": "The move is not allowed.",
            "fields": {"status": "not allowed from Done"},
            "allowed": ["Doing"],
        }
    }


def test_a_conflict_keeps_the_current_resource() -> None:
    assert Conflict("stale", current={"version": 3}).current == {"version": 3}


# --- over HTTP ---------------------------------------------------------------------------


def test_401_without_credentials(db: Any) -> None:
    assert_error_body(ApiClient().get("/api/v1/me"), 401, "unauthenticated")


def test_401_with_a_token_that_does_not_exist(db: Any) -> None:
    assert_error_body(ApiClient("lab_not-a-real-token").get("/api/v1/me"), 401, "unauthenticated")


def test_403_names_the_denied_action(workspace: Any, api_for: Any) -> None:
    member = factories.add_member(workspace, role=Role.MEMBER).user

    error = assert_error_body(api_for(member).patch_json("/api/v1/workspaces/acme", {"name": "Mine"}), 403, "forbidden")

    assert error["action"] == "workspace.update"


def test_404_for_a_workspace_you_cannot_see(api: Any, workspace: Any) -> None:
    factories.make_workspace(slug="other")

    assert_error_body(api.get("/api/v1/workspaces/other"), 404, "not_found")


def test_404_for_an_unknown_api_address_is_json_too(api: Any) -> None:
    error = assert_error_body(api.get("/api/v1/no/such/route"), 404, "not_found")

    assert "/api/v1/docs" in error["message"]


def test_409_on_a_stale_version_carries_the_current_resource(api: Any, workspace: Any) -> None:
    api.patch_json("/api/v1/workspaces/acme", {"name": "Acme 2"}, HTTP_IF_MATCH="1")

    response = api.patch_json("/api/v1/workspaces/acme", {"name": "Acme 3"}, HTTP_IF_MATCH="1")

    assert_error_body(response, 409, "stale_version")
    assert response.json()["current"] == {"slug": "acme", "name": "Acme 2", "version": 2}


def test_422_from_the_schema_names_each_field(api: Any) -> None:
    error = assert_error_body(api.post_json("/api/v1/workspaces", {"name": ""}), 422, "invalid")

    assert set(error["fields"]) == {"name", "slug"}
    assert "name" in error["message"]
    assert "slug" in error["message"]


def test_422_from_a_service_names_the_field(api: Any) -> None:
    error = assert_error_body(api.post_json("/api/v1/workspaces", {"name": "X", "slug": "-bad-"}), 422, "invalid")

    assert error["fields"] == {"slug": "invalid"}


def test_422_for_a_bad_if_match_header(api: Any, workspace: Any) -> None:
    error = assert_error_body(
        api.patch_json("/api/v1/workspaces/acme", {"name": "X"}, HTTP_IF_MATCH="yesterday"), 422, "invalid"
    )

    assert set(error["fields"]) == {"If-Match"}


@pytest.mark.parametrize("body", ["{not json", "name=x&slug=y", "[]", '"text"', "null", "42", "[null, null]"])
def test_400_for_a_body_that_is_not_a_json_object(api: Any, workspace: Any, body: str) -> None:
    for url in ("/api/v1/workspaces", "/api/v1/workspaces/acme"):  # a create and an all-optional PATCH
        method = "POST" if url.endswith("workspaces") else "PATCH"
        response = api.generic(method, url, body, content_type="application/json")

        error = assert_error_body(response, 400, "bad_request")
        assert error["fields"] == {"body": "not a JSON object"}
    workspace.refresh_from_db()
    assert workspace.version == 1


def test_an_empty_body_is_422_naming_it(api: Any) -> None:
    error = assert_error_body(api.generic("POST", "/api/v1/workspaces", "", content_type="application/json"), 422)

    assert set(error["fields"]) == {"body"}


def test_a_query_parameter_of_the_wrong_type_is_422_naming_it(api: Any) -> None:
    error = assert_error_body(api.get("/api/v1/workspaces?page=first"), 422, "invalid")

    assert set(error["fields"]) == {"page"}


def test_a_nul_character_in_the_body_is_422_naming_the_field(api: Any) -> None:
    # PostgreSQL cannot store NUL in text: refused up front, on every database alike.
    error = assert_error_body(api.post_json("/api/v1/workspaces", {"name": "Ac\x00me", "slug": "acme"}), 422)

    assert error["fields"] == {"name": "contains a NUL character"}


def test_a_nul_character_deep_in_the_body_is_named_by_its_path(api: Any) -> None:
    response = api.post_json("/api/v1/workspaces", {"name": "Acme", "slug": "acme", "extra": [{"x": "\x00"}]})

    assert assert_error_body(response, 422)["fields"] == {"extra.0.x": "contains a NUL character"}


def test_a_nul_character_in_the_query_or_the_path_is_422_naming_it(api: Any, workspace: Any) -> None:
    in_query = assert_error_body(api.get("/api/v1/workspaces/acme/activity?actor=a%00b"), 422)
    in_path = assert_error_body(api.get("/api/v1/workspaces/ac%00me/members"), 422)

    assert in_query["fields"] == {"actor": "contains a NUL character"}
    assert in_path["fields"] == {"ws": "contains a NUL character"}
