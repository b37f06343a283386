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


# --- relative times ("5 minutes ago") that frontend/js/relative_time.js keeps ticking --------------
# The wording is the one the browser's Intl.RelativeTimeFormat (numeric: "always") gives in
# English, with the same thresholds and rounding as relative_time.js: the first tick does not
# change the text, it only moves it on as time passes.
_MINUTE, _HOUR, _DAY = 60, 3600, 86400
_MONTH_DAYS, _YEAR_DAYS = 30.44, 365.25


def _half_up(x: float) -> int:
    """Math.round of JavaScript for x >= 0 (Python's round() rounds halves to even)."""
    return int(x + 0.5)


def relative_phrase(value: Any, now: Any = None) -> str:
    """ "just now", "5 minutes ago", "in 2 hours", "3 days ago", "4 months ago", "2 years ago"."""
    from django.utils import timezone

    now = now or timezone.now()
    seconds = (now - value).total_seconds()
    past = seconds >= 0
    s = abs(seconds)
    if s < 45:
        return "just now"
    if s < 45 * _MINUTE:
        n, unit = max(1, _half_up(s / _MINUTE)), "minute"
    elif s < 22 * _HOUR:
        n, unit = max(1, _half_up(s / _HOUR)), "hour"
    elif s < 26 * _DAY:
        n, unit = max(1, _half_up(s / _DAY)), "day"
    elif s < 320 * _DAY:
        n, unit = max(1, _half_up(s / _DAY / _MONTH_DAYS)), "month"
    else:
        n, unit = max(1, _half_up(s / _DAY / _YEAR_DAYS)), "year"
    words = f"{n} {unit}{'' if n == 1 else 's'}"
    return f"{words} ago" if past else f"in {words}"


@register.simple_tag
def reltime(value: Any, *, css: str = "", text: str = "") -> SafeString:
    """A relative time that stays true on a page left open:
    <time datetime="2026-11-24T09:15:00+00:00" title="Nov. 24, 2026, 9:15 a.m. UTC" data-relative>
    5 minutes ago</time>. frontend/js/relative_time.js updates every [data-relative] every 30 s
    and puts the reader's own local date and time in the title. `css`: the element's classes.

    `text`: a date format (e.g. "j M Y, H:i") to show the absolute date and time instead, with the
    relative phrase in the title (data-relative="title": the script keeps that one current).

    {% reltime comment.created_at css="comment-time" %}  {% reltime revision.at text="j M Y, H:i" %}"""
    from datetime import datetime

    from django.utils import formats, timezone
    from django.utils.dateformat import format as date_format

    if not isinstance(value, datetime):
        return mark_safe("")
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_current_timezone())
    local = timezone.localtime(value)
    phrase = relative_phrase(value)
    if text:
        shown, title, mode = date_format(local, text), phrase, "title"
    else:
        absolute = f"{formats.date_format(local, 'DATETIME_FORMAT')} {local.tzname() or ''}".strip()
        shown, title, mode = phrase, absolute, ""
    return format_html(
        '<time{} datetime="{}" title="{}" data-relative{}>{}</time>',
        format_html(' class="{}"', css) if css else "",
        value.isoformat(),
        title,
        format_html('="{}"', mode) if mode else "",
        shown,
    )
