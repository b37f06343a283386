"""The account pages in a real browser: sign up, sign out, sign in, an API token shown once."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from labora.accounts.models import ApiToken, User
from labora.accounts.services import token_authenticate
from tests import factories
from tests.e2e.conftest import PHONE, login, shot

NEW_PASSWORD = "plum-orchard-violin-42"


def test_sign_up_sign_out_and_sign_in_again(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}{reverse('signup')}")
    shot(page, "accounts-signup")
    assert page.evaluate("document.activeElement.name") == "email"

    # A weak password is refused with a reason next to the field.
    page.fill("input[name=email]", "ana@example.com")
    page.fill("input[name=name]", "Ana Lima")
    page.fill("input[name=password]", "12345")
    page.fill("input[name=password_confirm]", "12345")
    page.click("#signup-form button[type=submit]")
    error = page.locator(".field-error .error").first
    assert "at least 10 characters" in error.inner_text()
    assert page.evaluate("document.activeElement.name") == "password"
    shot(page, "accounts-signup-error")

    page.fill("input[name=password]", NEW_PASSWORD)
    page.fill("input[name=password_confirm]", NEW_PASSWORD)
    with page.expect_navigation():
        page.click("#signup-form button[type=submit]")

    assert page.url == f"{live_server.url}{reverse('workspace_create')}"
    assert page.get_by_text("Welcome to Labora, Ana Lima.").count() == 1
    assert User.objects.filter(email="ana@example.com").exists()

    # Sign out from the user menu (a POST form).
    page.click(".user-button")
    with page.expect_navigation():
        page.get_by_role("menuitem", name="Sign out").click()
    assert page.url == f"{live_server.url}{reverse('login')}"
    assert page.get_by_text("You are signed out.").count() == 1
    shot(page, "accounts-signed-out")

    # A wrong password first, then the right one.
    page.fill("input[name=email]", "ana@example.com")
    page.fill("input[name=password]", "not-my-password")
    page.click("#login-form button[type=submit]")
    assert "not right" in page.locator(".form-errors").inner_text()
    shot(page, "accounts-login-error")

    login(page, live_server, "ana@example.com", NEW_PASSWORD)
    assert not page.js_errors


def test_a_new_token_is_shown_once(page: Any, live_server: Any) -> None:
    user = factories.make_user(email="olivia@example.com", name="Olivia Owner")
    factories.make_workspace(owner=user, slug="acme", name="Acme")
    login(page, live_server, "olivia@example.com", factories.PASSWORD)

    page.goto(f"{live_server.url}{reverse('settings_tokens')}")
    assert page.get_by_text("No tokens yet").count() == 1
    page.fill("#token-create-form input[name=name]", "CI pipeline")
    page.select_option("#token-create-form select[name=expires]", "30")
    with page.expect_navigation():
        page.click("#token-create-form button[type=submit]")

    raw = page.locator("#new-token-value").input_value()
    assert token_authenticate(raw) == user
    assert page.get_by_text("it will not be shown again").count() == 1
    row = page.locator("#tokens tbody tr")
    assert row.count() == 1
    assert "CI pipeline" in row.inner_text()
    assert "Active" in row.inner_text()
    # The Copy button puts the secret on the clipboard.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy").click()
    page.get_by_text("Copied to the clipboard.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == raw
    shot(page, "accounts-token-created")

    page.reload()
    assert page.locator("#new-token-value").count() == 0
    assert raw not in page.content()
    shot(page, "accounts-token-after-reload")

    # Revoke asks first (data-confirm), then the token stops working.
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.locator("#tokens").get_by_role("button", name="Revoke").click()
    assert "Revoked" in page.locator("#tokens tbody tr").inner_text()
    assert token_authenticate(raw) is None
    assert ApiToken.objects.get(user=user).revoked_at is not None
    assert not page.js_errors


def test_account_pages_fit_a_phone(browser: Any, live_server: Any) -> None:
    factories.make_user(email="olivia@example.com", name="Olivia Owner")
    context = browser.new_context(viewport=PHONE, base_url=live_server.url)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}{reverse('login')}")
        shot(page, "accounts-login-phone")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.fill("input[name=email]", "olivia@example.com")
        page.fill("input[name=password]", factories.PASSWORD)
        with page.expect_navigation():
            page.click("#login-form button[type=submit]")
        page.goto(f"{live_server.url}{reverse('settings_security')}")
        page.click("#totp-start-form button[type=submit]")
        page.locator("svg.qr-code").wait_for()
        shot(page, "accounts-security-2fa-setup-phone")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        context.close()


def test_sign_in_with_two_factor_asks_for_the_code(page: Any, live_server: Any) -> None:
    user = factories.make_user(email="olivia@example.com", name="Olivia Owner")
    factories.make_workspace(owner=user, slug="acme", name="Acme")
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)

    page.goto(f"{live_server.url}{reverse('login')}?next=/w/acme/")
    page.fill("input[name=email]", "olivia@example.com")
    page.fill("input[name=password]", factories.PASSWORD)
    with page.expect_navigation():
        page.click("#login-form button[type=submit]")
    assert page.url == f"{live_server.url}{reverse('login_2fa')}"
    assert page.evaluate("document.activeElement.autocomplete") == "one-time-code"
    shot(page, "accounts-login-2fa")

    page.fill("input[name=code]", f"{totp(device.bin_key):06d}")
    with page.expect_navigation():
        page.click("#login-2fa-form button[type=submit]")

    assert page.url == f"{live_server.url}/w/acme/"
    assert not page.js_errors
