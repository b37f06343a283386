"""Forms for the account pages: parse and check the shape of input; the services decide the rest."""

from __future__ import annotations

import re
import zoneinfo
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.text import capfirst

from labora.accounts import services
from labora.core.errors import LaboraError

PASSWORDS_DIFFER = "The two passwords are different. Type the same password in both fields."


def _sentence(text: str) -> str:
    text = capfirst(text.strip()) or ""
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _min_password_length() -> int:
    for validator in password_validation.get_default_password_validators():
        if isinstance(validator, password_validation.MinimumLengthValidator):
            return validator.min_length
    return 8


def password_help() -> str:
    return (
        f"At least {_min_password_length()} characters, not only digits, not a common password. "
        "A few unrelated words work well."
    )


class FormHelpers:
    """Autofocus (first field, or the first field with an error) and LaboraError → field errors.

    `field_aliases` maps the field names a service reports onto this form's field names.
    `prefer_field_texts` shows each field's own text instead of the service's summary message.
    """

    field_aliases: dict[str, str] = {}
    prefer_field_texts = False

    def __init__(self, *args: Any, autofocus: bool | str = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._autofocus = autofocus
        self._set_focus()

    # --- focus -------------------------------------------------------------------------
    def _visible(self) -> list[str]:
        return [name for name, field in self.fields.items() if not field.widget.is_hidden]  # type: ignore[attr-defined]

    def _set_focus(self) -> None:
        fields: dict[str, forms.Field] = self.fields  # type: ignore[attr-defined]
        for field in fields.values():
            field.widget.attrs.pop("autofocus", None)
        if not self._autofocus:
            return
        visible = self._visible()
        errors = getattr(self, "_errors", None) or {}
        target = next((name for name in visible if name in errors), None)
        if target is None:
            target = self._autofocus if isinstance(self._autofocus, str) else (visible[0] if visible else None)
        if target in fields:
            fields[target].widget.attrs["autofocus"] = True

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        self._set_focus()

    # --- service errors ----------------------------------------------------------------
    def add_service_error(self, exc: LaboraError) -> None:
        """Put a service's error where the user will look: on the field(s) it names, else on top."""
        fields: dict[str, forms.Field] = self.fields  # type: ignore[attr-defined]
        named = {self.field_aliases.get(k, k): v for k, v in exc.fields.items()}
        named = {k: v for k, v in named.items() if k in fields}
        if not named:
            self.add_error(None, exc.message)  # type: ignore[attr-defined]
        elif len(named) == 1 and not self.prefer_field_texts:
            self.add_error(next(iter(named)), exc.message)  # type: ignore[attr-defined]
        else:
            for name, text in named.items():
                self.add_error(name, _sentence(str(text)))  # type: ignore[attr-defined]
        self._set_focus()


class LaboraForm(FormHelpers, forms.Form):
    pass


def _email_field(label: str = "E-mail") -> forms.EmailField:
    return forms.EmailField(
        label=label,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your e-mail address.",
            "invalid": "Enter a valid e-mail address, like ana@example.com.",
        },
    )


def _password_field(label: str, autocomplete: str, help_text: str = "", required_msg: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        help_text=help_text,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
        error_messages={"required": required_msg or f"Enter your {label.lower()}."},
    )


def _check_same(form: forms.Form, first: str, second: str) -> None:
    a, b = form.cleaned_data.get(first), form.cleaned_data.get(second)
    if a and b and a != b:
        form.add_error(second, PASSWORDS_DIFFER)


def _code_field(label: str = "6-digit code") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=12,
        help_text="Open your authenticator app and type the code it shows for Labora.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": r"[0-9 ]{6,7}",
                "maxlength": "7",
                "spellcheck": "false",
                "class": "input-code",
            }
        ),
        error_messages={"required": "Enter the 6-digit code from your authenticator app."},
    )


def _clean_code(value: str) -> str:
    code = re.sub(r"\s", "", value or "")
    if not re.fullmatch(r"\d{6}", code):
        raise forms.ValidationError("Enter the 6 digits your authenticator app shows, like 123456.")
    return code


# --- sign-up, sign-in ------------------------------------------------------------------------


class SignupForm(LaboraForm):
    email = _email_field("Work e-mail")
    name = forms.CharField(
        label="Your name",
        max_length=150,
        help_text="Shown to your teammates, e.g. Ana Lima.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Enter your name so teammates know who you are."},
    )
    password = _password_field("Password", "new-password", help_text=password_help(), required_msg="Choose a password.")
    password_confirm = _password_field(
        "Confirm password", "new-password", required_msg="Type the password again to confirm it."
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _check_same(self, "password", "password_confirm")
        return cleaned

    def add_service_error(self, exc: LaboraError) -> None:
        if exc.code == "email_taken":
            email = self.cleaned_data.get("email", "").strip().lower()
            login_url = reverse("login") + "?" + urlencode({"email": email})
            self.add_error(
                "email",
                format_html(
                    'An account with this e-mail already exists. <a href="{}">Sign in</a> or '
                    '<a href="{}">reset its password</a>.',
                    login_url,
                    reverse("password_reset") + "?" + urlencode({"email": email}),
                ),
            )
            self._set_focus()
            return
        super().add_service_error(exc)


class LoginForm(LaboraForm):
    email = _email_field()
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password."},
    )


class TwoFactorForm(LaboraForm):
    code = _code_field()

    def clean_code(self) -> str:
        return _clean_code(self.cleaned_data.get("code", ""))


# --- password reset ---------------------------------------------------------------------------


class LaboraPasswordResetForm(FormHelpers, PasswordResetForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["email"]
        field.label = "E-mail"
        field.help_text = "The address you sign in with. We will send a link to choose a new password."
        field.error_messages.update(_email_field().error_messages)

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Queue the e-mail instead of sending it inside the request (SMTP can be slow or down).

        The answer is the same whether or not the address has an account.
        """
        from labora.accounts.tasks import send_password_reset_email

        request = kwargs.get("request")
        domain = kwargs.get("domain_override") or (request.get_host() if request is not None else "localhost")
        protocol = "https" if kwargs.get("use_https") else "http"
        for user in self.get_users(self.cleaned_data["email"]):
            send_password_reset_email.enqueue(user_id=user.pk, protocol=protocol, domain=domain)


class LaboraSetPasswordForm(FormHelpers, SetPasswordForm):
    """Django's reset form, but the password is set through the service (which records the event)."""

    field_aliases = {"new_password": "new_password1"}

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.fields["new_password1"].help_text = password_help()
        self.fields["new_password2"].label = "Confirm new password"
        self.fields["new_password2"].help_text = ""
        self.error_messages["password_mismatch"] = PASSWORDS_DIFFER

    def save(self, commit: bool = True) -> Any:
        services.user_set_password(user=self.user, new_password=self.cleaned_data["new_password1"])
        return self.user


# --- settings -------------------------------------------------------------------------------


@cache
def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class ProfileForm(LaboraForm):
    prefer_field_texts = True
    field_aliases = {"timezone_name": "timezone"}

    name = forms.CharField(
        label="Name",
        max_length=150,
        required=False,
        help_text="How teammates see you.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    handle = forms.CharField(
        label="Handle",
        max_length=41,
        help_text="Used for @mentions: 2-40 letters, digits, '.', '_' or '-'.",
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false", "autocapitalize": "none"}),
        error_messages={"required": "Choose a handle, e.g. ana.lima."},
    )
    timezone = forms.ChoiceField(
        label="Time zone",
        choices=timezone_choices,
        help_text="Due dates, timesheets and reminders follow this time zone.",
        error_messages={"invalid_choice": "Pick a time zone from the list, e.g. Europe/Paris."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PasswordChangeForm(LaboraForm):
    current_password = _password_field("Current password", "current-password")
    new_password = _password_field(
        "New password", "new-password", help_text=password_help(), required_msg="Choose a new password."
    )
    new_password_confirm = _password_field(
        "Confirm new password", "new-password", required_msg="Type the new password again to confirm it."
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _check_same(self, "new_password", "new_password_confirm")
        return cleaned


class TotpConfirmForm(LaboraForm):
    code = _code_field()

    def clean_code(self) -> str:
        return _clean_code(self.cleaned_data.get("code", ""))


class TotpDisableForm(LaboraForm):
    password = _password_field(
        "Password",
        "current-password",
        help_text="Confirm it is you before turning two-factor sign-in off.",
        required_msg="Enter your password to turn two-factor sign-in off.",
    )


EXPIRY_CHOICES = [("30", "In 30 days"), ("90", "In 90 days"), ("365", "In 1 year"), ("never", "Never")]


class TokenCreateForm(LaboraForm):
    field_aliases = {"expires_at": "expires"}

    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What uses it, e.g. 'CI pipeline' or 'laptop CLI'.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": "Give the token a name, e.g. 'CI pipeline'.",
            "max_length": "Token names are at most 100 characters; shorten it.",
        },
    )
    expires = forms.ChoiceField(
        label="Expires",
        choices=EXPIRY_CHOICES,
        initial="90",
        help_text="After this date the token stops working.",
        error_messages={"invalid_choice": "Pick an expiry from the list."},
    )

    def expires_at(self) -> datetime | None:
        choice = self.cleaned_data["expires"]
        return None if choice == "never" else timezone.now() + timedelta(days=int(choice))
