"""Secure defaults: headers on every response, CSRF on cookie sessions, a kept secret key,
HTTPS hardening driven by LABORA_PUBLIC_URL."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.test import Client

from tests import factories


def test_every_page_carries_the_security_headers(client: Client, db: Any) -> None:
    response = client.get("/accounts/login/")

    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response  # browsers ignore it over plain HTTP


def test_https_requests_get_hsts_when_not_in_debug(client: Client, db: Any) -> None:
    response = client.get("/accounts/login/", secure=True)

    assert response["Strict-Transport-Security"] == "max-age=31536000"


def test_a_signed_in_browser_cannot_write_through_the_api_without_the_csrf_token(db: Any) -> None:
    user = factories.make_user()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)

    response = browser.post(
        "/api/v1/workspaces", json.dumps({"name": "X", "slug": "x-ws"}), content_type="application/json"
    )

    assert response.status_code in (401, 403)
    assert not user.memberships.exists()


def _settings_in_subprocess(data_dir: Path, **env: str) -> dict[str, Any]:
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'key': s.SECRET_KEY, 'secure': s.SESSION_COOKIE_SECURE, "
        "'csrf_secure': s.CSRF_COOKIE_SECURE, 'redirect': s.SECURE_SSL_REDIRECT, 'hosts': s.ALLOWED_HOSTS}))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "LABORA_PUBLIC_URL", "DATABASE_URL"}}
    clean.update({"LABORA_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "labora.settings", **env})
    out = subprocess.run(
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, check=True, timeout=60
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_secret_key_is_generated_once_into_the_data_dir_and_kept(tmp_path: Path) -> None:
    first = _settings_in_subprocess(tmp_path)
    second = _settings_in_subprocess(tmp_path)

    key_file = tmp_path / "secret_key"
    assert first["key"] == second["key"] == key_file.read_text().strip()
    assert len(first["key"]) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_an_https_public_url_turns_on_secure_cookies_and_the_redirect(tmp_path: Path) -> None:
    plain = _settings_in_subprocess(tmp_path)
    https = _settings_in_subprocess(tmp_path, LABORA_PUBLIC_URL="https://work.example.com")

    assert (plain["secure"], plain["csrf_secure"], plain["redirect"]) == (False, False, False)
    assert (https["secure"], https["csrf_secure"], https["redirect"]) == (True, True, True)
    assert "work.example.com" in https["hosts"]
