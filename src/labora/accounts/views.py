"""Account pages: sign-up, sign-in (with two-factor), sign-out, password reset and settings.

Thin adapters: parse the form, call the service or selector, render or redirect.
"""

from __future__ import annotations

import base64
import math
import time
from typing import Any

import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, update_session_auth_hash
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from labora.accounts import selectors, services, throttle
from labora.accounts.forms import (
    LaboraPasswordResetForm,
    LaboraSetPasswordForm,
    LoginForm,
    PasswordChangeForm,
    ProfileForm,
    SignupForm,
    TokenCreateForm,
    TotpConfirmForm,
    TotpDisableForm,
    TwoFactorForm,
)
from labora.accounts.models import User
from labora.core.errors import LaboraError, NotFound

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
# Between a correct password and the code: who, where to go next, since when.
PENDING_2FA_KEY = "labora_2fa_pending"
PENDING_2FA_SECONDS = 300
# A freshly created token's secret, shown on the next render of the tokens page only.
NEW_TOKEN_KEY = "labora_new_token"  # noqa: S105  (a session key, not a secret)


# --- helpers ------------------------------------------------------------------------------


def _client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


def _next_param(request: HttpRequest) -> str:
    """The `next` the user asked for, if it is a safe local address; else ""."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _lock_message() -> str:
    minutes = max(1, math.ceil(settings.LOGIN_LOCKOUT_SECONDS / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return (
        f"Too many failed sign-in attempts. Wait {minutes} {unit} and try again, "
        "or reset your password with “Forgot password?” below."
    )


def _auth_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {"next": _next_param(request), **extra}


# --- sign-up --------------------------------------------------------------------------------


@never_cache
@sensitive_post_parameters("password", "password_confirm")
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    next_url = _next_param(request) or reverse("workspace_create")
    if request.method == "POST":
        form = SignupForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = services.user_create(email=data["email"], password=data["password"], name=data["name"])
            except LaboraError as exc:
                form.add_service_error(exc)
            else:
                auth_login(request, user, backend=MODEL_BACKEND)
                messages.success(request, f"Welcome to Labora, {user.display_name}.")
                return redirect(next_url)
    else:
        if request.user.is_authenticated:
            return redirect(next_url)
        email = request.GET.get("email", "")[:254]
        form = SignupForm(initial={"email": email}, autofocus="name" if email else True)
    return render(request, "accounts/signup.html", _auth_context(request, form=form))


# --- sign-in --------------------------------------------------------------------------------


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    next_url = _next_param(request)
    status = 200
    if request.method == "POST":
        form = LoginForm(request.POST, autofocus="password")
        if form.is_valid():
            email, ip = form.cleaned_data["email"], _client_ip(request)
            if throttle.is_locked(email, ip):
                form.add_error(None, _lock_message())
                status = 429
            else:
                user = authenticate(request, username=email, password=form.cleaned_data["password"])
                if user is None:
                    throttle.register_failure(email, ip)
                    locked = throttle.is_locked(email, ip)
                    form.add_error(
                        None,
                        _lock_message()
                        if locked
                        else "The e-mail or the password is not right. Check both and try again, "
                        "or reset your password with “Forgot password?” below.",
                    )
                    status = 429 if locked else 200
                elif services.user_has_2fa(user):
                    # The password is right; the session is not signed in until the code is.
                    request.session[PENDING_2FA_KEY] = {
                        "user": user.pk,
                        "backend": getattr(user, "backend", MODEL_BACKEND),
                        "next": next_url,
                        "at": time.time(),
                    }
                    return redirect("login_2fa")
                else:
                    throttle.reset(email, ip)
                    auth_login(request, user)
                    return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
    else:
        if request.user.is_authenticated:
            return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
        email = request.GET.get("email", "")[:254]
        form = LoginForm(initial={"email": email}, autofocus="password" if email else True)
    return render(request, "accounts/login.html", _auth_context(request, form=form), status=status)


def _pending_sign_in(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    pending = request.session.get(PENDING_2FA_KEY)
    if not isinstance(pending, dict) or time.time() - float(pending.get("at", 0)) > PENDING_2FA_SECONDS:
        request.session.pop(PENDING_2FA_KEY, None)
        return None
    user = selectors.user_active_by_pk(pk=pending.get("user"))
    if user is None:
        request.session.pop(PENDING_2FA_KEY, None)
        return None
    return user, pending


@never_cache
@require_http_methods(["GET", "POST"])
def login_2fa(request: HttpRequest) -> HttpResponse:
    found = _pending_sign_in(request)
    device = selectors.totp_device_confirmed(user=found[0]) if found else None
    if found is None or device is None:
        request.session.pop(PENDING_2FA_KEY, None)
        messages.info(request, "Your sign-in expired or was not started. Sign in again.")
        return redirect("login")
    user, pending = found
    status = 200
    if request.method == "POST":
        form = TwoFactorForm(request.POST)
        if form.is_valid():
            ip = _client_ip(request)
            allowed, info = device.verify_is_allowed()
            if throttle.is_locked(user.email, ip):
                form.add_error(None, _lock_message())
                status = 429
            elif not allowed:
                # django-otp's own back-off after a wrong code: 1, 2, 4, 8 … seconds.
                wait = max(1, math.ceil(((info or {})["locked_until"] - timezone.now()).total_seconds()))
                unit = "second" if wait == 1 else "seconds"
                form.add_error("code", f"Too many wrong codes in a row. Wait {wait} {unit}, then enter the code again.")
                status = 429
            elif device.verify_token(form.cleaned_data["code"]):
                del request.session[PENDING_2FA_KEY]
                throttle.reset(user.email, ip)
                auth_login(request, user, backend=pending.get("backend") or MODEL_BACKEND)
                django_otp.login(request, device)
                return redirect(pending.get("next") or resolve_url(settings.LOGIN_REDIRECT_URL))
            else:
                throttle.register_failure(user.email, ip)
                form.add_error(
                    "code",
                    "That code did not match. Check that your phone's clock is right and enter the code "
                    "your app shows now (a code works only once).",
                )
    else:
        form = TwoFactorForm()
    return render(request, "accounts/login_2fa.html", {"form": form, "email": user.email}, status=status)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    next_url = _next_param(request)
    auth_logout(request)
    messages.success(request, "You are signed out.")
    # e.g. the invitation page signs a wrong account out and comes back to itself
    return redirect(next_url or "login")


# --- password reset ---------------------------------------------------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    form_class = LaboraPasswordResetForm
    success_url = reverse_lazy("password_reset_done")

    def get_initial(self) -> dict[str, Any]:
        return {"email": self.request.GET.get("email", "")[:254]}


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = LaboraSetPasswordForm
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            response = super().form_valid(form)
        except LaboraError as exc:
            form.add_service_error(exc)
            return self.form_invalid(form)
        # A user who was locked out and just proved they own the e-mail may sign in again.
        throttle.reset(form.user.email, _client_ip(self.request))
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# --- settings: profile ------------------------------------------------------------------------


def _profile_initial(user: User) -> dict[str, Any]:
    return {"name": user.name, "handle": user.handle, "timezone": user.timezone, "version": user.version}


@login_required
@require_http_methods(["GET", "POST"])
def settings_profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.user_update_profile(
                    actor=user,
                    user=user,
                    version=data["version"],
                    name=data["name"],
                    handle=data["handle"],
                    timezone_name=data["timezone"],
                )
            except LaboraError as exc:
                current = getattr(exc, "current", None)
                if exc.code == "stale_version" and isinstance(current, User):
                    # Keep what the user typed, but let a second save knowingly replace the new state.
                    fresh = request.POST.copy()
                    fresh["version"] = str(current.version)
                    form = ProfileForm(fresh)
                    form.is_valid()
                    form.add_error(
                        None,
                        f"Your profile was changed elsewhere (another tab or the API) while you were editing, "
                        f"so nothing was saved. It now reads: name “{current.name}”, handle @{current.handle}, "
                        f"time zone {current.timezone}. Check your changes below and save again to apply them.",
                    )
                else:
                    form.add_service_error(exc)
            else:
                messages.success(request, "Profile saved.")
                return redirect("settings_profile")
    else:
        form = ProfileForm(initial=_profile_initial(user))
    return render(request, "accounts/settings_profile.html", {"form": form, "section": "profile"})


# --- settings: security (password and two-factor) -----------------------------------------------

TWO_FACTOR_ANCHOR = "#two-factor"


def _qr_svg(config_url: str) -> str:
    qr = segno.make(config_url, error="m")
    svg = qr.svg_inline(scale=4, border=2, light="#fff", svgclass="qr-code", title="QR code for your authenticator app")
    return mark_safe(svg)  # segno's own markup, built from our own device URL


def _back_to_two_factor() -> HttpResponse:
    return redirect(reverse("settings_security") + TWO_FACTOR_ANCHOR)


def _security_password(request: HttpRequest, user: User, forms: dict[str, Any]) -> HttpResponse | None:
    form = forms["password_form"] = PasswordChangeForm(request.POST, prefix="pw")
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        services.user_change_password(
            actor=user, current_password=data["current_password"], new_password=data["new_password"]
        )
    except LaboraError as exc:
        form.add_service_error(exc)
        return None
    update_session_auth_hash(request, user)  # this session stays signed in; the others end
    messages.success(request, "Password changed. Other devices signed in with the old one are signed out.")
    return redirect("settings_security")


def _security_2fa_confirm(request: HttpRequest, user: User, forms: dict[str, Any]) -> HttpResponse | None:
    form = forms["confirm_form"] = TotpConfirmForm(request.POST, prefix="totp")
    if not form.is_valid():
        return None
    try:
        device = services.totp_confirm(actor=user, code=form.cleaned_data["code"])
    except LaboraError as exc:
        if not exc.fields:  # nothing pending any more (e.g. cancelled in another tab)
            messages.error(request, exc.message)
            return _back_to_two_factor()
        form.add_service_error(exc)
        return None
    django_otp.login(request, device)  # this session has just proven the code
    messages.success(request, "Two-factor sign-in is on. From now on, signing in asks for a code from your app.")
    return _back_to_two_factor()


def _security_2fa_disable(request: HttpRequest, user: User, forms: dict[str, Any]) -> HttpResponse | None:
    form = forms["disable_form"] = TotpDisableForm(request.POST, prefix="off")
    if not form.is_valid():
        return None
    try:
        services.totp_disable(actor=user, password=form.cleaned_data["password"])
    except LaboraError as exc:
        form.add_service_error(exc)
        return None
    messages.success(request, "Two-factor sign-in is off. Only your password protects your account now.")
    return _back_to_two_factor()


def _security_2fa_start(request: HttpRequest, user: User, forms: dict[str, Any]) -> HttpResponse:
    services.totp_start(actor=user)
    return _back_to_two_factor()


def _security_2fa_cancel(request: HttpRequest, user: User, forms: dict[str, Any]) -> HttpResponse:
    services.totp_cancel(actor=user)
    messages.info(request, "Two-factor set-up cancelled.")
    return _back_to_two_factor()


SECURITY_ACTIONS = {
    "password": _security_password,
    "2fa_start": _security_2fa_start,
    "2fa_cancel": _security_2fa_cancel,
    "2fa_confirm": _security_2fa_confirm,
    "2fa_disable": _security_2fa_disable,
}


@login_required
@never_cache
@sensitive_post_parameters("pw-current_password", "pw-new_password", "pw-new_password_confirm", "off-password")
@require_http_methods(["GET", "POST"])
def settings_security(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    pending = selectors.totp_device_pending(user=user)
    # Unbound forms; the one that was posted replaces its entry and takes the focus.
    forms: dict[str, Any] = {
        "password_form": PasswordChangeForm(autofocus=request.method == "GET" and pending is None, prefix="pw"),
        "confirm_form": TotpConfirmForm(autofocus=request.method == "GET" and pending is not None, prefix="totp"),
        "disable_form": TotpDisableForm(autofocus=False, prefix="off"),
    }
    if request.method == "POST":
        handler = SECURITY_ACTIONS.get(request.POST.get("action", ""))
        if handler is None:
            return HttpResponseBadRequest("Unknown action: use one of the buttons on the security page.")
        response = handler(request, user, forms)
        if response is not None:
            return response

    context: dict[str, Any] = {
        "section": "security",
        **forms,
        "has_2fa": services.user_has_2fa(user),
        "pending": pending,
    }
    if pending is not None:
        secret = base64.b32encode(pending.bin_key).decode().rstrip("=")
        context["qr_svg"] = _qr_svg(pending.config_url)
        context["secret"] = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render(request, "accounts/settings_security.html", context)


# --- settings: personal access tokens -------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def settings_tokens(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    new_token = None
    if request.method == "POST":
        form = TokenCreateForm(request.POST)
        if form.is_valid():
            try:
                token, raw = services.token_create(
                    actor=user, name=form.cleaned_data["name"], expires_at=form.expires_at()
                )
            except LaboraError as exc:
                form.add_service_error(exc)
            else:
                request.session[NEW_TOKEN_KEY] = {"id": token.public_id, "name": token.name, "raw": raw}
                return redirect("settings_tokens")
    else:
        # Shown once: taken out of the session on the first render after creation.
        new_token = request.session.pop(NEW_TOKEN_KEY, None)
        form = TokenCreateForm(autofocus=new_token is None)
    tokens = selectors.token_list_for_user(user=user)
    return render(
        request,
        "accounts/settings_tokens.html",
        {"section": "tokens", "form": form, "tokens": tokens, "new_token": new_token},
    )


@login_required
@require_POST
def settings_token_revoke(request: HttpRequest, token_id: str) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    try:
        token = services.token_revoke(actor=user, token_public_id=token_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    messages.success(request, f"Token “{token.name}” revoked. Anything that used it can no longer sign in with it.")
    return redirect("settings_tokens")
