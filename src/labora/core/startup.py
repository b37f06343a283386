"""What a long-running Labora process does once it has loaded everything it will keep.

`freeze_startup()` imports every URL's views and API modules, collects once, then moves every
object made so far into the collector's permanent generation (`gc.freeze()`). Those objects —
Django, the apps, their modules, classes and schemas, several hundred thousand of them — live as
long as the process, yet each full collection walked them all: about 100 ms of CPU that landed
on whichever request happened to trigger it (the slowest of 50 fan-outs of a comment with 20
mentions took 110 to 140 ms, the rest about 25; with the freeze the slowest took 60). Called by
labora.asgi (the server) and `labora worker`. Objects frozen here are never freed, which is
right for what exists at startup and wrong for anything made per request, hence only here.
"""

from __future__ import annotations

import gc


def freeze_startup() -> None:
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  # imports every app's views and API routers now
    gc.collect()
    gc.freeze()
