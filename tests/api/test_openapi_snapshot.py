"""The committed OpenAPI schema (openapi.json at the repository root) is the API's contract
under review: any change to the live schema must show up in a diff of that file.

Update it, after checking the change is intended, with:

    LABORA_UPDATE_OPENAPI=1 .venv/bin/pytest tests/api/test_openapi_snapshot.py
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path
from typing import Any

from labora.api import api

SNAPSHOT = Path(__file__).resolve().parents[2] / "openapi.json"
UPDATE_COMMAND = "LABORA_UPDATE_OPENAPI=1 .venv/bin/pytest tests/api/test_openapi_snapshot.py"


def _render(schema: Any) -> str:
    as_served = json.loads(json.dumps(schema))  # status codes become string keys, as in the served JSON
    return json.dumps(as_served, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_the_live_openapi_schema_matches_the_committed_snapshot() -> None:
    live = _render(api.get_openapi_schema())

    if os.environ.get("LABORA_UPDATE_OPENAPI") == "1":
        SNAPSHOT.write_text(live, encoding="utf-8")
        return

    committed = SNAPSHOT.read_text(encoding="utf-8") if SNAPSHOT.exists() else ""
    if committed != live:
        diff = "".join(
            difflib.unified_diff(
                committed.splitlines(keepends=True),
                live.splitlines(keepends=True),
                fromfile="openapi.json (committed)",
                tofile="openapi.json (live)",
                n=2,
            )
        )
        raise AssertionError(
            f"The API schema changed. If the change is intended, update the snapshot with:\n\n"
            f"    {UPDATE_COMMAND}\n\nand commit openapi.json with your change.\n\n{diff}"
        )


def test_the_served_schema_is_the_same_document(client: Any) -> None:
    served = client.get("/api/v1/openapi.json")

    assert served.status_code == 200
    assert served.json() == json.loads(_render(api.get_openapi_schema()))
