"""Page routes of the chat app: every module under labora.chat.views contributes its own list."""

from __future__ import annotations

import importlib
import pkgutil

from django.urls import URLPattern, URLResolver

import labora.chat.views as views_package

urlpatterns: list[URLPattern | URLResolver] = []
for module_info in sorted(pkgutil.iter_modules(views_package.__path__), key=lambda m: m.name):
    module = importlib.import_module(f"labora.chat.views.{module_info.name}")
    urlpatterns += getattr(module, "urlpatterns", [])
