"""Activity entries read as sentences (labora.web.activity_text): plain data in, words out."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from labora.web import activity_text

OLIVIA = SimpleNamespace(display_name="Olivia", email="olivia@example.com")


def entry(name: str, **kw: Any) -> SimpleNamespace:
    return SimpleNamespace(
        name=name,
        actor=kw.pop("actor", OLIVIA),
        target_label=kw.pop("target_label", ""),
        data=kw.pop("data", {}),
        changes=kw.pop("changes", {}),
        task_key="",
        project_key="",
    )


@pytest.mark.parametrize(
    ("event", "sentence"),
    [
        (entry("workspace.created", data={"name": "Acme"}), "Olivia created the workspace Acme"),
        (entry("workspace.updated", changes={"name": ["A", "B"]}), "Olivia renamed the workspace from A to B"),
        (
            entry("invitation.created", data={"email": "bob@example.com", "role": "member"}),
            "Olivia invited bob@example.com as member",
        ),
        (
            entry("member.added", data={"email": "bob@example.com", "role": "admin"}),
            "Olivia added bob@example.com as admin",
        ),
        (
            entry("invitation.revoked", target_label="bob@example.com"),
            "Olivia revoked the invitation of bob@example.com",
        ),
        (entry("member.joined", data={"role": "guest"}), "Olivia joined the workspace as guest"),
        (
            entry("member.role_changed", target_label="bob@example.com", changes={"role": ["member", "admin"]}),
            "Olivia changed the role of bob@example.com from member to admin",
        ),
        (
            entry("member.removed", data={"email": "bob@example.com"}),
            "Olivia removed bob@example.com from the workspace",
        ),
        (entry("member.removed", data={"email": "OLIVIA@example.com"}), "Olivia left the workspace"),
        (entry("team.created", data={"name": "Platform"}), "Olivia created the team Platform"),
        (entry("team.updated", changes={"name": ["Ops", "Platform"]}), "Olivia renamed the team Ops to Platform"),
        (entry("team.deleted", data={"name": "Platform"}), "Olivia deleted the team Platform"),
        (
            entry("team.member_added", target_label="Platform", data={"email": "bob@example.com"}),
            "Olivia added bob@example.com to the team Platform",
        ),
        (
            entry("team.member_removed", target_label="Platform", data={"email": "bob@example.com"}),
            "Olivia removed bob@example.com from the team Platform",
        ),
        (entry("widget.updated", target_label="W-12"), "Olivia updated the widget W-12"),
        (entry("workspace.created", actor=None, data={"name": "Acme"}), "Someone created the workspace Acme"),
    ],
)
def test_each_event_reads_as_a_sentence(event: Any, sentence: str) -> None:
    assert activity_text.sentence_text(event) == sentence


def test_html_escapes_every_part_and_emphasises_names() -> None:
    event = entry("team.created", actor=SimpleNamespace(display_name="<b>Eve</b>", email="e@x"), data={"name": "<i>"})

    assert activity_text.sentence_html(event) == (
        "<strong>&lt;b&gt;Eve&lt;/b&gt;</strong> created the team <strong>&lt;i&gt;</strong>"
    )


def test_changes_the_sentence_does_not_tell_are_listed() -> None:
    renamed = entry("workspace.updated", changes={"name": ["A", "B"]})
    task = entry("widget.updated", changes={"due_date": [None, "2026-12-01"], "title": ["Old", "x" * 200]})

    assert activity_text.change_lines(renamed) == []
    assert activity_text.change_lines(task) == [
        "Due date: nothing → 2026-12-01",
        f"Title: Old → {'x' * 79}…",
    ]


def test_apps_can_add_their_own_wording(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(activity_text, "_wordings", dict(activity_text._wordings))

    @activity_text.describes("comment.added")
    def _comment(e: Any) -> list[activity_text.Part]:
        return [activity_text.Part("commented on "), activity_text.Part(e.target_label, strong=True)]

    assert activity_text.sentence_text(entry("comment.added", target_label="OPS-1")) == "Olivia commented on OPS-1"


def test_kind_prefix_accepts_only_known_kinds() -> None:
    assert activity_text.kind_prefix("team") == "team."
    assert activity_text.kind_prefix("nope") is None
