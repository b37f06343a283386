"""Background jobs of accounts (run by `labora worker` or the worker inside `labora serve`)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from labora.accounts.models import User


def reset_link_valid_for() -> str:
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    return f"{hours // 24} days" if hours >= 48 else f"{hours} hours"


@task()
def send_password_reset_email(user_id: int, protocol: str, domain: str) -> str:
    """Mail a reset link. Only the user id is queued: the token is made here, from the user's
    current state, so no working link sits in the task table."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password():
        return "skipped"
    context = {
        "email": user.email,
        "domain": domain,
        "site_name": "Labora",
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": protocol,
        "valid_for": reset_link_valid_for(),
    }
    subject = "".join(render_to_string("accounts/email/password_reset_subject.txt", context).splitlines())
    message = EmailMultiAlternatives(
        subject, render_to_string("accounts/email/password_reset.txt", context), None, [user.email]
    )
    message.attach_alternative(render_to_string("accounts/email/password_reset.html", context), "text/html")
    message.send()
    return "sent"
