"""How project-watching events read in activity feeds: "Alice started watching OPS Operations".

Registered with labora.web.activity_text's @describes when the notifications app is ready.
"""

from __future__ import annotations

from typing import Any

from labora.web.activity_text import Part, describes


@describes("project.watcher_added")
def _watching(e: Any) -> list[Part]:
    return [Part("started watching the project "), Part(str(getattr(e, "target_label", "")), strong=True)]


@describes("project.watcher_removed")
def _not_watching(e: Any) -> list[Part]:
    return [Part("stopped watching the project "), Part(str(getattr(e, "target_label", "")), strong=True)]
