"""Page routes of the planning app: every module under labora.planning.views contributes its own list."""

from __future__ import annotations

import importlib
import pkgutil

from django.urls import URLPattern, URLResolver

import labora.planning.views as views_package

urlpatterns: list[URLPattern | URLResolver] = []
for module_info in sorted(pkgutil.iter_modules(views_package.__path__), key=lambda m: m.name):
    module = importlib.import_module(f"labora.planning.views.{module_info.name}")
    urlpatterns += getattr(module, "urlpatterns", [])
