"""Domain errors raised in a page view become the shell's error pages.

Services and selectors raise labora.core.errors (NotFound, PermissionDenied, …); the API
turns them into JSON bodies, and this middleware turns them into 404/403/4xx pages for
pages. For an HTMX request the page is not swapped in: the message is shown as a toast.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from labora.core.errors import LaboraError, Unauthenticated

TEMPLATES = {404: "404.html", 403: "403.html"}


class ErrorPagesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, LaboraError) or request.path.startswith("/api/"):
            return None
        if isinstance(exception, Unauthenticated):
            return redirect_to_login(request.get_full_path())
        status = exception.status
        if getattr(request, "htmx", False):
            response = HttpResponse(status=status)
            response["HX-Reswap"] = "none"
            response["HX-Trigger"] = json.dumps({"labora:toast": {"message": exception.message, "level": "error"}})
            return response
        context = {"exception": exception, "message": exception.message, "status": status}
        return render(request, TEMPLATES.get(status, "400.html"), context, status=status)
