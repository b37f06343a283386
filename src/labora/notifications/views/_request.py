"""The request type the notification pages see (behind login_required: a signed-in user)."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from labora.accounts.models import User


class Request(HttpRequest):
    user: User
    htmx: HtmxDetails
