"""Helpers to walk the live OpenAPI schema: list operations, fill their path parameters
with real ids, and build plausible request bodies from their JSON schemas."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.test import Client

PARAM = re.compile(r"{(\w+)}")
METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    spec: dict[str, Any]

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def params(self) -> list[str]:
        return PARAM.findall(self.path)

    @property
    def is_public(self) -> bool:
        return not self.spec.get("security")

    def url(self, values: dict[str, str]) -> str:
        return PARAM.sub(lambda m: values[m.group(1)], self.path)


def live_schema() -> dict[str, Any]:
    from labora.api import api

    return json.loads(json.dumps(api.get_openapi_schema()))


def operations(schema: dict[str, Any]) -> Iterator[Operation]:
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method in item:
                yield Operation(method, path, item[method])


# --- plausible values from JSON schemas --------------------------------------------------------


class Sampler:
    """Deterministic, valid-looking values for a JSON schema (the subset pydantic emits)."""

    def __init__(self, schema: dict[str, Any], seed: str = "b") -> None:
        self.components = schema.get("components", {}).get("schemas", {})
        self.seed = seed

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            node = self.components[node["$ref"].rsplit("/", 1)[-1]]
        return node

    def body(self, operation: Operation, *, required_only: bool = False) -> Any:
        content = operation.spec.get("requestBody", {}).get("content", {})
        if "application/json" not in content:
            return None
        return self.value(content["application/json"]["schema"], "body", required_only=required_only)

    def query(self, operation: Operation) -> dict[str, Any]:
        return {
            p["name"]: self.value(p.get("schema", {}), p["name"])
            for p in operation.spec.get("parameters", [])
            if p["in"] == "query" and p.get("required")
        }

    def value(self, node: dict[str, Any], name: str, *, required_only: bool = False) -> Any:
        node = self.resolve(node)
        for key in ("anyOf", "oneOf"):
            if key in node:
                options = [self.resolve(o) for o in node[key]]
                usable = [o for o in options if o.get("type") != "null"] or options
                return self.value(usable[0], name, required_only=required_only)
        if "allOf" in node:
            merged: dict[str, Any] = {}
            for part in node["allOf"]:
                merged.update(self.resolve(part))
            return self.value(merged, name, required_only=required_only)
        if "const" in node:
            return node["const"]
        if "enum" in node:
            return node["enum"][0]
        if "example" in node:
            return node["example"]
        if "default" in node and node["default"] is not None:
            return node["default"]
        kind = node.get("type", "object" if "properties" in node else "string")
        if kind == "object":
            props = node.get("properties", {})
            wanted = node.get("required", []) if required_only else list(props)
            return {k: self.value(props[k], k, required_only=required_only) for k in wanted if k in props}
        if kind == "array":
            if node.get("minItems"):
                return [self.value(node.get("items", {}), name)] * node["minItems"]
            return []
        if kind == "boolean":
            return True
        if kind in ("integer", "number"):
            low = node.get("minimum", node.get("exclusiveMinimum", 0) + 1 if "exclusiveMinimum" in node else 1)
            high = node.get("maximum", low)
            return min(max(low, 1), high) if kind == "integer" else float(min(max(low, 1), high))
        return self.string(node, name)

    def string(self, node: dict[str, Any], name: str) -> str:
        fmt = node.get("format", "")
        if fmt == "email" or "email" in name:
            return f"{self.seed}-{name}@example.com"
        if fmt == "date" or name.endswith("_date"):
            return "2030-01-15"
        if fmt == "date-time" or name.endswith("_at"):
            return "2030-01-15T09:00:00+00:00"
        low, high = node.get("minLength", 1), node.get("maxLength", 40)
        pattern = node.get("pattern")
        stem = self.seed.upper() if name in ("key", "task_key", "project") else f"{self.seed} {name}"
        candidates = [stem, stem.upper(), stem.lower(), f"{self.seed.upper()}X", f"{self.seed}-1", f"{self.seed}1"]
        for candidate in candidates:
            candidate = (candidate * 50)[: max(low, min(len(candidate), high))]
            if pattern is None or re.search(pattern, candidate):
                return candidate
        return stem


# --- the whole database, to prove a request changed nothing ------------------------------------

VOLATILE = {("accounts.ApiToken", "last_used_at")}


def database_state() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table of every installed app, in primary-key order."""
    state = {}
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        label = model._meta.label
        rows = list(model._base_manager.order_by("pk").values())
        for row in rows:
            for model_label, field in VOLATILE:
                if model_label == label:
                    row.pop(field, None)
        state[label] = rows
    return state


def state_diff(before: dict[str, list[dict[str, Any]]], after: dict[str, list[dict[str, Any]]]) -> list[str]:
    return [label for label in sorted(set(before) | set(after)) if before.get(label) != after.get(label)]


def send(client: Client, method: str, url: str, body: Any = None, query: dict[str, Any] | None = None) -> Any:
    if query:
        from urllib.parse import urlencode

        url = f"{url}?{urlencode(query)}"
    data = json.dumps(body) if body is not None else ""
    return client.generic(method.upper(), url, data, content_type="application/json")


Builder = Callable[[], str]
