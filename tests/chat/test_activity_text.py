"""How chat events read in the activity feeds."""

from __future__ import annotations

from types import SimpleNamespace

from labora.web.activity_text import change_lines, sentence_text


def _entry(name: str, **data: object) -> SimpleNamespace:
    return SimpleNamespace(
        name=name,
        actor=SimpleNamespace(display_name="Ann Able"),
        data=data,
        changes=data.pop("changes", {}),
        target_label="",
        project_key=data.get("project", ""),
    )


def test_chat_sentences() -> None:
    assert sentence_text(_entry("chat.message_posted", project="OPS", excerpt="Keys rotated")) == (
        "Ann Able wrote in OPS chat: “Keys rotated”"
    )
    assert sentence_text(_entry("chat.channel_created", project="OPS")) == "Ann Able opened the channel OPS chat"
    assert sentence_text(_entry("chat.message_deleted", project="OPS")) == "Ann Able deleted a message in OPS chat"
    edited = _entry("chat.message_edited", project="OPS", changes={"body": ["teh plan", "the plan"]})
    assert sentence_text(edited) == "Ann Able edited a message in OPS chat"
    assert change_lines(edited) == ["Body: teh plan → the plan"]
