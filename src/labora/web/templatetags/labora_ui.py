"""Template helpers of the shell: icons, avatar tones, activity sentences.

{% load labora_ui %}
{% icon "home" %}  {% icon "plus" class="icon-lg" label="Add" %}
<span class="avatar {{ user|tone }}">{{ user.initials }}</span>
{{ entry|activity_sentence }}
"""

from __future__ import annotations

import zlib
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from labora.web import activity_text
from labora.web.icons import ICONS

register = template.Library()

TONES = 8


@register.simple_tag
def icon(name: str, *, label: str = "", **attrs: str) -> SafeString:
    """An inline SVG icon; decorative (aria-hidden) unless a `label` is given."""
    try:
        body = ICONS[name]
    except KeyError:
        raise template.TemplateSyntaxError(f"Unknown icon {name!r}; see labora/web/icons.py") from None
    css = "icon" + (f" {attrs['class']}" if attrs.get("class") else "")
    a11y = format_html('role="img" aria-label="{}"', label) if label else mark_safe('aria-hidden="true"')
    # `body` is a constant from icons.py, never user input.
    return format_html('<svg class="{}" viewBox="0 0 24 24" {} focusable="false">{}</svg>', css, a11y, mark_safe(body))


@register.filter
def tone(obj: Any) -> str:
    """A stable colour class (tone-0 … tone-7) for an avatar or a workspace mark."""
    key = str(getattr(obj, "public_id", None) or getattr(obj, "pk", None) or obj or "")
    return f"tone-{zlib.crc32(key.encode()) % TONES}"


@register.filter
def activity_sentence(entry: Any) -> SafeString:
    """The activity entry as a sentence, names in <strong>: "Olivia invited bob@… as member"."""
    return activity_text.sentence_html(entry)


@register.filter
def activity_changes(entry: Any) -> list[str]:
    """Field-by-field lines for changes the sentence does not already tell."""
    return activity_text.change_lines(entry)
