"""Request ids: every answer says which request it was, and so does every log line."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest

from labora.core.logging import RequestIdFilter, request_id_var


@pytest.fixture
def request_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """caplog with the same filter the console handler has (settings.LOGGING)."""
    caplog.handler.addFilter(RequestIdFilter())
    caplog.set_level(logging.INFO)
    return caplog


def test_a_valid_incoming_request_id_is_echoed(api: Any) -> None:
    response = api.get("/api/v1/me", HTTP_X_REQUEST_ID="client-abc.123_XYZ")

    assert response["X-Request-ID"] == "client-abc.123_XYZ"


@pytest.mark.parametrize(
    "incoming",
    ["", "short", "x" * 65, "has spaces in it", "evil\\r\\nSet-Cookie:x", "<script>alert(1)</script>"],
)
def test_an_invalid_request_id_is_replaced_by_a_fresh_one(api: Any, incoming: str) -> None:
    response = api.get("/api/v1/me", HTTP_X_REQUEST_ID=incoming)

    assert response["X-Request-ID"] != incoming
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_each_request_gets_its_own_id(api: Any) -> None:
    assert api.get("/api/v1/me")["X-Request-ID"] != api.get("/api/v1/me")["X-Request-ID"]


def test_errors_and_pages_carry_it_too(client: Any, db: Any) -> None:
    assert re.fullmatch(r"[0-9a-f]{32}", client.get("/api/v1/me")["X-Request-ID"])  # a 401
    assert re.fullmatch(r"[0-9a-f]{32}", client.get("/api/v1/health")["X-Request-ID"])


def test_the_request_log_line_carries_the_id(api: Any, request_logs: pytest.LogCaptureFixture) -> None:
    api.get("/api/v1/me", HTTP_X_REQUEST_ID="trace-0001-abcd")

    [line] = [r for r in request_logs.records if r.name == "labora.request"]
    assert line.request_id == "trace-0001-abcd"  # type: ignore[attr-defined]
    assert line.status == 200  # type: ignore[attr-defined]
    assert line.path == "/api/v1/me"  # type: ignore[attr-defined]


def test_logs_written_while_handling_the_request_carry_its_id(
    api: Any, request_logs: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from labora.accounts import api as accounts_api

    real = accounts_api._me

    def logging_me(user: Any) -> Any:
        logging.getLogger("labora.tests").info("building /me")
        return real(user)

    monkeypatch.setattr(accounts_api, "_me", logging_me)

    api.get("/api/v1/me", HTTP_X_REQUEST_ID="trace-0002-abcd")

    [line] = [r for r in request_logs.records if r.name == "labora.tests"]
    assert line.request_id == "trace-0002-abcd"  # type: ignore[attr-defined]


def test_outside_a_request_the_id_is_a_dash(request_logs: pytest.LogCaptureFixture) -> None:
    logging.getLogger("labora.tests").info("from a worker")

    assert request_id_var.get() == "-"
    assert request_logs.records[-1].request_id == "-"  # type: ignore[attr-defined]


def test_a_wrong_method_on_the_api_answers_the_json_error_body(client):
    response = client.put("/api/v1/health")

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]
    assert response["X-Request-ID"]


def test_django_not_found_lines_carry_the_request_id(client, caplog, db):
    caplog.set_level("INFO")
    client.get("/no-such-page/", HTTP_X_REQUEST_ID="abcdef123456")

    records = [r for r in caplog.records if getattr(r, "status", None) == 404]
    assert records
    assert {r.request_id for r in caplog.records if r.name.startswith("django")} <= {"abcdef123456"}
    assert all(r.request_id == "abcdef123456" for r in records)
