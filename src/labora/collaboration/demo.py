"""Comment threads for the demo workspace (labora demo): mentions, references, replies,
reactions and one edited comment, written through the services like any user's."""

from __future__ import annotations

from typing import Any

from labora.collaboration import services
from labora.work import selectors

# (task key, [(author handle, body, reply?, [(reactor handle, emoji)])]); a reply answers the
# thread's first comment.
THREADS: list[tuple[str, list[tuple[str, str, bool, list[tuple[str, str]]]]]] = [
    (
        "WEB-1",
        [
            (
                "maya.chen",
                "First pass of the hero is in Figma. @priya.raman can you check the copy fits in two lines "
                "on mobile? The pricing page (WEB-2) reuses the same block.",
                False,
                [("priya.raman", "👀"), ("demo", "👍")],
            ),
            ("priya.raman", "Fits at 375 px with the shorter headline — I left a note in the file.", True, []),
            (
                "demo",
                "Great. Let's ship the shorter one; @design please sign off by Thursday.",
                True,
                [("maya.chen", "🎉")],
            ),
        ],
    ),
    (
        "WEB-3",
        [
            (
                "jonas.weber",
                "The blog templates break when a post has no cover image:\n\n```\nTypeError: image is None\n```\n"
                "Fix is small, I'll pair with @tomas.ortega after stand-up.",
                False,
                [("tomas.ortega", "👍")],
            ),
            (
                "tomas.ortega",
                "Done — fallback image added, see the preview link in the PR.",
                True,
                [("jonas.weber", "🚀")],
            ),
        ],
    ),
    (
        "APP-1",
        [
            (
                "demo",
                "Sign-in must support passkeys at launch. @jonas.weber does that change the estimate? "
                "It also touches APP-5.",
                False,
                [("jonas.weber", "😕")],
            ),
            (
                "jonas.weber",
                "About two more days. I'll split it into its own task so the board stays honest.",
                True,
                [],
            ),
        ],
    ),
    (
        "ITS-2",
        [
            (
                "tomas.ortega",
                "VPN certificates for the new hires are issued. @maya.chen yours expires next month, "
                "remind me to renew it.",
                False,
                [("maya.chen", "❤️")],
            ),
        ],
    ),
]

PROJECT_POSTS: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "OPS",
        "Monthly report is due on the 5th. Numbers from @priya.raman, layout from @design, "
        "and the CRM clean-up (OPS-2) should land first.",
        [("priya.raman", "👍"), ("maya.chen", "👍")],
    ),
]


def add_comments(*, owner: Any, workspace: Any, users: dict[str, Any]) -> int:
    """Write the demo threads; returns how many comments were written. Tasks missing from the
    demo (a smaller data set) are skipped."""
    from labora.core.errors import NotFound

    written = 0
    for task_key, entries in THREADS:
        try:
            task = selectors.task_get(user=owner, workspace=workspace, key=task_key)
        except NotFound:
            continue
        root = None
        for handle, body, reply, reactions in entries:
            comment = services.comment_create(actor=users[handle], task=task, body=body, parent=root if reply else None)
            written += 1
            root = root or comment
            for reactor, emoji in reactions:
                services.reaction_add(actor=users[reactor], comment=comment, emoji=emoji)
    for key, body, reactions in PROJECT_POSTS:
        try:
            project = selectors.project_get(user=owner, workspace=workspace, key=key)
        except NotFound:
            continue
        post = services.comment_create(actor=owner, project=project, body=body)
        written += 1
        for reactor, emoji in reactions:
            services.reaction_add(actor=users[reactor], comment=post, emoji=emoji)
        services.comment_update(actor=owner, comment=post, body=body + " Template is in the shared drive.")
    return written
