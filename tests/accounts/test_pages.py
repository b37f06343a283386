"""The account pages: sign-up, sign-in (with two-factor), sign-out, password reset, settings."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.messages import get_messages
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from labora.accounts import services
from labora.accounts.models import ApiToken, User
from labora.accounts.views import NEW_TOKEN_KEY, PENDING_2FA_KEY
from labora.core.models import DomainEvent
from tests import factories
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "plum-orchard-violin-42"


@pytest.fixture(autouse=True)
def _clear_throttle() -> Any:
    """Sign-in failures are counted in the cache; every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def flashes(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def session_user_id(client: Client) -> str | None:
    return client.session.get(SESSION_KEY)


def events(name: str) -> list[DomainEvent]:
    return list(DomainEvent.objects.filter(name=name))


def code_for(device: TOTPDevice, offset: int = 0) -> str:
    """The code an authenticator app shows right now (offset in 30-second steps)."""
    return f"{totp(device.bin_key, drift=offset):06d}"


def signup_data(**overrides: str) -> dict[str, str]:
    return {
        "email": "ana@example.com",
        "name": "Ana Lima",
        "password": PASSWORD,
        "password_confirm": PASSWORD,
        **overrides,
    }


# --- sign-up ------------------------------------------------------------------------------


def test_signup_page_prefills_the_invited_email_and_carries_next() -> None:
    response = Client().get(reverse("signup"), {"email": "ana@example.com", "next": "/invitations/abc/"})

    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["email"] == "ana@example.com"
    assert form.fields["name"].widget.attrs.get("autofocus") is True
    assert 'name="next" value="/invitations/abc/"' in response.content.decode()


def test_signup_form_fields_have_labels_autocomplete_and_focus() -> None:
    html = Client().get(reverse("signup")).content.decode()

    assert '<label for="id_email">Work e-mail</label>' in html
    assert re.search(r'<input type="email" name="email"[^>]*autocomplete="email"[^>]*autofocus', html)
    assert html.count('autocomplete="new-password"') == 2
    assert "csrfmiddlewaretoken" in html
    assert "<script>" not in html
    assert 'style="' not in html


def test_signup_creates_the_account_signs_in_and_goes_to_workspace_creation() -> None:
    client = Client()

    response = client.post(reverse("signup"), signup_data())

    assert response.status_code == 302
    assert response.url == reverse("workspace_create")
    user = User.objects.get(email="ana@example.com")
    assert user.name == "Ana Lima"
    assert user.check_password(PASSWORD)
    assert session_user_id(client) == str(user.pk)
    assert [e.target_id for e in events("user.created")] == [user.public_id]


def test_signup_follows_a_safe_next_and_ignores_an_outside_one() -> None:
    inside = Client().post(reverse("signup") + "?next=/invitations/abc/", signup_data())
    outside = Client().post(reverse("signup"), signup_data(email="bo@example.com", next="https://evil.example/phish"))

    assert inside.url == "/invitations/abc/"
    assert outside.url == reverse("workspace_create")


def test_signup_with_a_bad_email_says_how_to_fix_it_and_creates_nothing() -> None:
    client = Client()

    response = client.post(reverse("signup"), signup_data(email="ana-at-example"))

    assert response.status_code == 200
    assert response.context["form"].errors["email"] == ["Enter a valid e-mail address, like ana@example.com."]
    assert not User.objects.exists()
    assert session_user_id(client) is None


def test_signup_with_a_weak_password_puts_the_reason_on_the_password_field() -> None:
    response = Client().post(reverse("signup"), signup_data(password="12345", password_confirm="12345"))

    errors = response.context["form"].errors
    assert list(errors) == ["password"]
    assert "at least 10 characters" in errors["password"][0]
    assert not User.objects.exists()


def test_signup_with_different_confirmation_asks_to_type_the_same_password() -> None:
    response = Client().post(reverse("signup"), signup_data(password_confirm=PASSWORD + "x"))

    assert response.context["form"].errors["password_confirm"] == [
        "The two passwords are different. Type the same password in both fields."
    ]
    assert not User.objects.exists()


def test_signup_with_a_taken_email_links_to_sign_in_and_reset_and_changes_nothing(user: User) -> None:
    client = Client()

    response = client.post(reverse("signup"), signup_data(email="OWNER@example.com"))

    assert response.status_code == 200
    (error,) = response.context["form"].errors["email"]
    assert "already exists" in error
    html = response.content.decode()
    assert f'href="{reverse("login")}?email=owner%40example.com"' in html
    assert f'href="{reverse("password_reset")}?email=owner%40example.com"' in html
    assert User.objects.count() == 1
    assert session_user_id(client) is None


def test_signed_in_user_visiting_signup_goes_on_to_next(user: User) -> None:
    response = signed_in(user).get(reverse("signup"), {"next": "/w/acme/"})

    assert response.status_code == 302
    assert response.url == "/w/acme/"


# --- sign-in ------------------------------------------------------------------------------


def test_login_page_links_to_signup_and_forgot_password() -> None:
    html = Client().get(reverse("login"), {"next": "/w/acme/"}).content.decode()

    assert f'href="{reverse("signup")}?next=/w/acme/"' in html
    assert f'href="{reverse("password_reset")}"' in html
    assert 'autocomplete="current-password"' in html


def test_login_with_the_right_password_signs_in_and_goes_home(user: User) -> None:
    client = Client()

    response = client.post(reverse("login"), {"email": "Owner@Example.com", "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert session_user_id(client) == str(user.pk)


def test_login_follows_a_safe_next_only(user: User) -> None:
    inside = Client().post(reverse("login") + "?next=/w/acme/", {"email": user.email, "password": PASSWORD})
    outside = Client().post(reverse("login"), {"email": user.email, "password": PASSWORD, "next": "//evil.example/"})

    assert inside.url == "/w/acme/"
    assert outside.url == reverse("home")


def test_login_with_a_wrong_password_is_refused_without_saying_which_part_is_wrong(user: User) -> None:
    client = Client()

    response = client.post(reverse("login"), {"email": user.email, "password": "not-my-password"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "The e-mail or the password is not right. Check both and try again, "
        "or reset your password with “Forgot password?” below."
    ]
    assert session_user_id(client) is None


def test_login_locks_out_after_max_failures_even_with_the_right_password(user: User, settings: Any) -> None:
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_LOCKOUT_SECONDS = 900
    client = Client()
    for _ in range(2):
        assert client.post(reverse("login"), {"email": user.email, "password": "wrong"}).status_code == 200

    third = client.post(reverse("login"), {"email": user.email, "password": "wrong"})
    right = client.post(reverse("login"), {"email": user.email, "password": PASSWORD})

    lock = "Too many failed sign-in attempts. Wait 15 minutes and try again"
    assert third.status_code == 429
    assert lock in third.context["form"].non_field_errors()[0]
    assert right.status_code == 429
    assert lock in right.context["form"].non_field_errors()[0]
    assert session_user_id(client) is None


def test_a_successful_login_clears_earlier_failures(user: User, settings: Any) -> None:
    settings.LOGIN_MAX_FAILURES = 3
    client = Client()
    for _ in range(2):
        client.post(reverse("login"), {"email": user.email, "password": "wrong"})
    client.post(reverse("login"), {"email": user.email, "password": PASSWORD})
    client.post(reverse("logout"))

    for _ in range(2):
        response = Client().post(reverse("login"), {"email": user.email, "password": "wrong"})

    assert response.status_code == 200  # two new failures, not four


# --- two-factor sign-in -----------------------------------------------------------------------


@pytest.fixture
def device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def start_login(client: Client, user: User, next_url: str = "") -> Any:
    data = {"email": user.email, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data)


def test_login_with_2fa_asks_for_the_code_before_signing_in(user: User, device: TOTPDevice) -> None:
    client = Client()

    response = start_login(client, user)

    assert response.status_code == 302
    assert response.url == reverse("login_2fa")
    assert session_user_id(client) is None
    page = client.get(reverse("login_2fa"))
    assert page.status_code == 200
    assert 'autocomplete="one-time-code"' in page.content.decode()


def test_login_with_2fa_signs_in_with_the_current_code_and_goes_to_next(user: User, device: TOTPDevice) -> None:
    client = Client()
    start_login(client, user, next_url="/w/acme/")

    response = client.post(reverse("login_2fa"), {"code": code_for(device)})

    assert response.status_code == 302
    assert response.url == "/w/acme/"
    assert session_user_id(client) == str(user.pk)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert PENDING_2FA_KEY not in client.session


def test_login_with_2fa_refuses_a_wrong_code_and_counts_it(user: User, device: TOTPDevice, settings: Any) -> None:
    settings.LOGIN_MAX_FAILURES = 2
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # only our sign-in throttle, not django-otp's back-off
    client = Client()
    start_login(client, user)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"

    first = client.post(reverse("login_2fa"), {"code": wrong})
    client.post(reverse("login_2fa"), {"code": wrong})
    locked = client.post(reverse("login_2fa"), {"code": code_for(device)})

    assert "That code did not match" in first.context["form"].errors["code"][0]
    assert locked.status_code == 429
    assert session_user_id(client) is None


def test_login_with_2fa_asks_to_wait_after_a_wrong_code(user: User, device: TOTPDevice) -> None:
    client = Client()
    start_login(client, user)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    client.post(reverse("login_2fa"), {"code": wrong})

    response = client.post(reverse("login_2fa"), {"code": code_for(device)})

    assert response.status_code == 429
    assert response.context["form"].errors["code"] == [
        "Too many wrong codes in a row. Wait 1 second, then enter the code again."
    ]
    assert session_user_id(client) is None


def test_login_with_2fa_rejects_a_code_that_is_not_six_digits(user: User, device: TOTPDevice) -> None:
    client = Client()
    start_login(client, user)

    response = client.post(reverse("login_2fa"), {"code": "12ab"})

    assert response.context["form"].errors["code"] == ["Enter the 6 digits your authenticator app shows, like 123456."]


def test_pending_2fa_sign_in_expires_after_five_minutes(user: User, device: TOTPDevice) -> None:
    client = Client()
    start_login(client, user)
    session = client.session
    session[PENDING_2FA_KEY]["at"] -= 301
    session.save()

    response = client.post(reverse("login_2fa"), {"code": code_for(device)})

    assert response.status_code == 302
    assert response.url == reverse("login")
    assert session_user_id(client) is None
    assert flashes(response) == ["Your sign-in expired or was not started. Sign in again."]


def test_2fa_page_without_a_pending_sign_in_sends_back_to_login() -> None:
    response = Client().get(reverse("login_2fa"))

    assert response.status_code == 302
    assert response.url == reverse("login")


# --- sign-out ----------------------------------------------------------------------------------


def test_logout_only_answers_post_and_signs_out(user: User) -> None:
    client = signed_in(user)

    refused = client.get(reverse("logout"))
    response = client.post(reverse("logout"))

    assert refused.status_code == 405
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert session_user_id(client) is None
    assert flashes(response) == ["You are signed out."]


def test_logout_follows_a_safe_next_and_ignores_an_unsafe_one(user: User) -> None:
    client = signed_in(user)
    back = client.post(reverse("logout"), {"next": "/invitations/abc/"})
    client = signed_in(user)
    away = client.post(reverse("logout"), {"next": "https://evil.example.com/"})

    assert back.url == "/invitations/abc/"
    assert away.url == reverse("login")


# --- password reset ------------------------------------------------------------------------------


def test_password_reset_end_to_end(user: User) -> None:
    client = Client()

    sent = client.post(reverse("password_reset"), {"email": "owner@example.com"})

    assert sent.status_code == 302
    assert sent.url == reverse("password_reset_done")
    (message,) = mail.outbox
    assert message.to == ["owner@example.com"]
    assert message.subject == "Reset your Labora password"
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", message.body)
    assert link is not None
    assert link.group(1) in html

    form_page = client.get(link.group(1), follow=True)
    assert form_page.context["validlink"] is True
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert done.status_code == 302
    assert done.url == reverse("password_reset_complete")
    assert [e.name for e in DomainEvent.objects.filter(target_id=user.public_id, name__startswith="user.password")] == [
        "user.password_reset"
    ]
    fresh = Client()
    signed = fresh.post(reverse("login"), {"email": user.email, "password": NEW_PASSWORD})
    assert signed.status_code == 302
    assert session_user_id(fresh) == str(user.pk)
    # The link works once.
    assert client.get(link.group(1), follow=True).context["validlink"] is False


def test_password_reset_mail_is_queued_not_sent_in_the_request(user: User, settings: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    from labora.core.worker import LaboraWorker

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "ENQUEUE_ON_COMMIT": False}}

    response = Client().post(reverse("password_reset"), {"email": user.email})

    assert response.status_code == 302
    assert mail.outbox == []  # the request did not talk to the mail server
    (queued,) = DBTaskResult.objects.all()
    assert queued.args_kwargs["kwargs"]["user_id"] == user.pk
    assert "token" not in str(queued.args_kwargs)

    assert LaboraWorker().tick()["tasks"] == 1
    (message,) = mail.outbox
    assert message.to == [user.email]
    assert "/accounts/password/reset/" in message.body


def test_password_reset_for_an_unknown_email_looks_the_same_and_sends_nothing(db: Any) -> None:
    response = Client().post(reverse("password_reset"), {"email": "nobody@example.com"})

    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []


def test_password_reset_refuses_a_weak_new_password(user: User) -> None:
    client = Client()
    client.post(reverse("password_reset"), {"email": user.email})
    path = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)  # type: ignore[union-attr]
    set_url = client.get(path, follow=True).redirect_chain[-1][0]

    response = client.post(set_url, {"new_password1": "short", "new_password2": "short"})

    assert response.status_code == 200
    assert "at least 10 characters" in " ".join(response.context["form"].errors["new_password2"])
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_reset_with_a_broken_link_offers_a_new_one(user: User) -> None:
    response = Client().get(reverse("password_reset_confirm", args=["bad", "bad-token"]))

    assert response.status_code == 200
    assert response.context["validlink"] is False
    assert "This link no longer works" in response.content.decode()


# --- settings: profile ---------------------------------------------------------------------------


def profile_data(user: User, **overrides: Any) -> dict[str, Any]:
    return {
        "name": user.name,
        "handle": user.handle,
        "timezone": user.timezone,
        "version": user.version,
        **overrides,
    }


def test_settings_pages_need_a_signed_in_user(db: Any) -> None:
    for name in ("settings_profile", "settings_security", "settings_tokens"):
        response = Client().get(reverse(name))
        assert response.status_code == 302
        assert response.url == f"{reverse('login')}?next={reverse(name)}"


def test_profile_page_shows_email_read_only_and_time_zones(user: User) -> None:
    response = signed_in(user).get(reverse("settings_profile"))

    html = response.content.decode()
    assert "owner@example.com" in html
    assert 'name="email"' not in html
    choices = [value for value, _ in response.context["form"].fields["timezone"].choices]
    assert choices == sorted(choices)
    assert "Europe/Paris" in choices


def test_profile_update_saves_and_bumps_the_version(user: User) -> None:
    client = signed_in(user)

    response = client.post(
        reverse("settings_profile"),
        profile_data(user, name="Olivia O.", handle="@olivia", timezone="Europe/Paris"),
    )

    assert response.status_code == 302
    assert flashes(response) == ["Profile saved."]
    user.refresh_from_db()
    assert (user.name, user.handle, user.timezone, user.version) == ("Olivia O.", "olivia", "Europe/Paris", 2)
    assert len(events("user.updated")) == 1


def test_profile_update_from_a_stale_form_says_changed_elsewhere_and_overwrites_nothing(user: User) -> None:
    client = signed_in(user)
    stale = profile_data(user, name="From the old tab")
    services.user_update_profile(actor=user, user=user, name="From the API", version=user.version)

    response = client.post(reverse("settings_profile"), stale)

    assert response.status_code == 200
    (error,) = response.context["form"].non_field_errors()
    assert "changed elsewhere" in error
    assert "From the API" in error
    user.refresh_from_db()
    assert (user.name, user.version) == ("From the API", 2)
    # The re-rendered form carries the new version, so saving again applies the change knowingly.
    assert response.context["form"]["version"].value() == "2"


def test_profile_update_with_a_taken_handle_names_the_field(user: User) -> None:
    other = factories.make_user()
    services.user_update_profile(actor=other, user=other, handle="bob")

    response = signed_in(user).post(reverse("settings_profile"), profile_data(user, handle="bob"))

    assert response.context["form"].errors["handle"] == ["Already taken by someone else; choose another."]
    user.refresh_from_db()
    assert user.handle != "bob"


def test_profile_update_with_an_unknown_time_zone_is_refused(user: User) -> None:
    response = signed_in(user).post(reverse("settings_profile"), profile_data(user, timezone="Mars/Olympus"))

    assert response.context["form"].errors["timezone"] == ["Pick a time zone from the list, e.g. Europe/Paris."]
    user.refresh_from_db()
    assert user.timezone == "UTC"


# --- settings: password -------------------------------------------------------------------------


def password_data(current: str = PASSWORD, new: str = NEW_PASSWORD, confirm: str | None = None) -> dict[str, str]:
    return {
        "action": "password",
        "pw-current_password": current,
        "pw-new_password": new,
        "pw-new_password_confirm": new if confirm is None else confirm,
    }


def test_password_change_keeps_this_session_signed_in(user: User) -> None:
    client = signed_in(user)

    response = client.post(reverse("settings_security"), password_data())

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.get(reverse("settings_security")).status_code == 200
    assert len(events("user.password_changed")) == 1


def test_password_change_with_a_wrong_current_password_changes_nothing(user: User) -> None:
    response = signed_in(user).post(reverse("settings_security"), password_data(current="guess-guess-guess"))

    assert response.status_code == 200
    assert response.context["password_form"].errors["current_password"] == ["Your current password is not correct."]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert events("user.password_changed") == []


def test_password_change_with_a_weak_new_password_names_the_new_password_field(user: User) -> None:
    response = signed_in(user).post(reverse("settings_security"), password_data(new="password"))

    assert "too common" in response.context["password_form"].errors["new_password"][0]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_security_page_refuses_an_unknown_action(user: User) -> None:
    assert signed_in(user).post(reverse("settings_security"), {"action": "drop"}).status_code == 400


# --- settings: two-factor -------------------------------------------------------------------------


def test_two_factor_set_up_shows_a_qr_code_and_the_secret_then_turns_on_with_a_code(user: User) -> None:
    client = signed_in(user)

    started = client.post(reverse("settings_security"), {"action": "2fa_start"})
    page = client.get(reverse("settings_security"))

    assert started.status_code == 302
    html = page.content.decode()
    assert '<svg width="' in html
    assert 'class="qr-code"' in html
    assert 'style="' not in html
    pending = TOTPDevice.objects.get(user=user, confirmed=False)
    assert page.context["secret"].replace(" ", "") in pending.config_url
    confirmed = client.post(reverse("settings_security"), {"action": "2fa_confirm", "totp-code": code_for(pending)})

    assert confirmed.status_code == 302
    assert services.user_has_2fa(user)
    assert client.session[DEVICE_ID_SESSION_KEY] == pending.persistent_id


def test_two_factor_set_up_with_a_wrong_code_stays_off(user: User) -> None:
    client = signed_in(user)
    client.post(reverse("settings_security"), {"action": "2fa_start"})
    pending = TOTPDevice.objects.get(user=user, confirmed=False)
    wrong = f"{(int(code_for(pending)) + 1) % 1_000_000:06d}"

    response = client.post(reverse("settings_security"), {"action": "2fa_confirm", "totp-code": wrong})

    assert "did not match" in response.context["confirm_form"].errors["code"][0]
    assert not services.user_has_2fa(user)


def test_two_factor_set_up_can_be_cancelled(user: User) -> None:
    client = signed_in(user)
    client.post(reverse("settings_security"), {"action": "2fa_start"})

    client.post(reverse("settings_security"), {"action": "2fa_cancel"})

    assert not TOTPDevice.objects.filter(user=user).exists()


def test_turning_two_factor_off_asks_for_the_password(user: User, device: TOTPDevice) -> None:
    client = signed_in(user)

    refused = client.post(reverse("settings_security"), {"action": "2fa_disable", "off-password": "wrong-wrong"})
    assert refused.context["disable_form"].errors["password"] == ["Your password is not correct."]
    assert services.user_has_2fa(user)

    done = client.post(reverse("settings_security"), {"action": "2fa_disable", "off-password": PASSWORD})
    assert done.status_code == 302
    assert not services.user_has_2fa(user)


# --- settings: tokens ---------------------------------------------------------------------------


def test_token_create_shows_the_secret_once_then_never_again(user: User) -> None:
    client = signed_in(user)

    created = client.post(reverse("settings_tokens"), {"name": "CI pipeline", "expires": "30"})
    first = client.get(reverse("settings_tokens"))
    second = client.get(reverse("settings_tokens"))

    assert created.status_code == 302
    token = ApiToken.objects.get(user=user, name="CI pipeline")
    raw = first.context["new_token"]["raw"]
    assert services.token_authenticate(raw) == user
    assert raw in first.content.decode()
    assert "it will not be shown again" in first.content.decode()
    assert second.context["new_token"] is None
    assert raw not in second.content.decode()
    assert NEW_TOKEN_KEY not in client.session
    assert f"lab_{token.hint}…" in second.content.decode()
    assert 29 <= (token.expires_at - token.created_at).days <= 30


def test_token_create_with_never_has_no_expiry(user: User) -> None:
    signed_in(user).post(reverse("settings_tokens"), {"name": "laptop", "expires": "never"})

    assert ApiToken.objects.get(user=user).expires_at is None


def test_token_create_without_a_name_says_what_to_do(user: User) -> None:
    response = signed_in(user).post(reverse("settings_tokens"), {"name": "  ", "expires": "30"})

    assert response.context["form"].errors["name"] == ["Give the token a name, e.g. 'CI pipeline'."]
    assert not ApiToken.objects.exists()


def test_token_list_shows_only_my_tokens_with_their_state(user: User) -> None:
    mine = services.token_create(actor=user, name="mine")[0]
    services.token_create(actor=factories.make_user(), name="someone else's")
    services.token_revoke(actor=user, token_public_id=mine.public_id)

    response = signed_in(user).get(reverse("settings_tokens"))

    assert [t.name for t in response.context["tokens"]] == ["mine"]
    assert "Revoked" in response.content.decode()


def test_token_revoke_revokes_my_token(user: User) -> None:
    token, raw = services.token_create(actor=user, name="old")

    response = signed_in(user).post(reverse("settings_token_revoke", args=[token.public_id]))

    assert response.status_code == 302
    assert response.url == reverse("settings_tokens")
    assert services.token_authenticate(raw) is None
    assert len(events("token.revoked")) == 1


def test_token_revoke_of_someone_elses_token_is_404_and_changes_nothing(user: User) -> None:
    other = factories.make_user()
    theirs, raw = services.token_create(actor=other, name="theirs")

    response = signed_in(user).post(reverse("settings_token_revoke", args=[theirs.public_id]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert services.token_authenticate(raw) == other
    assert events("token.revoked") == []


def test_token_revoke_only_answers_post(user: User) -> None:
    token, _ = services.token_create(actor=user, name="old")

    assert signed_in(user).get(reverse("settings_token_revoke", args=[token.public_id])).status_code == 405
