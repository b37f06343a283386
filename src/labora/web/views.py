"""The shell's own pages: the start redirect, the workspace overview, the activity log,
and the style guide (DEBUG only)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from labora.collaboration.feeds import feed_entries, feed_page
from labora.core.policy import can, check
from labora.web import activity_text
from labora.web.context_processors import LAST_WORKSPACE
from labora.workspaces.selectors import members_list, memberships_for_user, teams_list, workspace_for_user

HOME_ACTIVITY = 15
HOME_MEMBERS = 8
ACTIVITY_PAGE_SIZE = 50


def home(request: HttpRequest) -> HttpResponse:
    """ "/": sign in first; then the workspace visited last, else the first one, else create one."""
    if not request.user.is_authenticated:
        return redirect("login")
    slugs = [m.workspace.slug for m in memberships_for_user(user=request.user)]
    if not slugs:
        return redirect("workspace_create")
    last = request.session.get(LAST_WORKSPACE)
    return redirect("workspace_home", ws=last if last in slugs else slugs[0])


@login_required
def workspace_home(request: HttpRequest, ws: str) -> HttpResponse:
    workspace, membership = workspace_for_user(user=request.user, slug=ws)
    user = request.user
    # None = not shown to this role (guests and clients do not see the member list or history).
    context: dict = {
        "workspace": workspace,
        "membership": membership,
        "member_count": None,
        "member_preview": [],
        "member_more": 0,
        "team_count": None,
        "activity": None,
        "is_admin": can(user, "workspace.update", membership),
    }
    if can(user, "member.list", membership):
        members = members_list(workspace=workspace)
        context["member_preview"] = list(members[:HOME_MEMBERS])
        context["member_count"] = members.count()
        context["member_more"] = context["member_count"] - len(context["member_preview"])
    if can(user, "team.view", membership):
        context["team_count"] = teams_list(workspace=workspace).count()
    if can(user, "activity.view", membership):
        context["activity"] = list(feed_entries(workspace=workspace, membership=membership)[:HOME_ACTIVITY])
    return render(request, "web/workspace_home.html", context)


class ActivityFilterForm(forms.Form):
    kind = forms.ChoiceField(
        required=False,
        choices=[("", "All events"), *activity_text.KINDS],
        widget=forms.Select(attrs={"class": "select select-sm", "aria-label": "Event kind"}),
    )
    person = forms.ChoiceField(
        required=False,
        widget=forms.Select(attrs={"class": "select select-sm", "aria-label": "Person"}),
    )

    def __init__(self, *args: Any, people: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = [("", "All events"), *activity_text.KINDS]
        cast(forms.ChoiceField, self.fields["person"]).choices = [
            ("", "Everyone"),
            *((u.public_id, u.display_name) for u in people),
        ]


@login_required
def workspace_activity(request: HttpRequest, ws: str) -> HttpResponse:
    """The workspace's feed (labora.collaboration.feeds): every change the reader may see, by
    kind and person, 50 a page; new entries are prepended live (?after=<event id>, HTMX)."""
    workspace, membership = workspace_for_user(user=request.user, slug=ws)
    check(request.user, "activity.view", membership, message="Only members can see the activity of this workspace.")
    people = [m.user for m in members_list(workspace=workspace).select_related("user")]
    form = ActivityFilterForm(request.GET, people=people)
    kind = form.cleaned_data["kind"] if form.is_valid() else ""
    chosen = form.cleaned_data.get("person") if form.is_valid() else ""
    actor_id = next((u.pk for u in people if u.public_id == chosen), None) if chosen else None
    entries = feed_entries(
        workspace=workspace,
        membership=membership,
        actor_id=actor_id,
        name_prefix=activity_text.kind_prefix(kind) if kind else None,
    )
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("after", None)
    context: dict[str, Any] = {
        "workspace": workspace,
        "membership": membership,
        "form": form,
        "kind": kind,
        "filtered": bool(kind or actor_id),
        "filter_query": query.urlencode(),
        "feed_path": request.path,
    }
    after = request.GET.get("after", "")
    if getattr(request, "htmx", False) and after.isdigit():
        fresh = feed_page(entries, after=int(after))
        context.update({"page": fresh, "live_only": True, "newest": fresh.first_id or int(after)})
        return render(request, "collaboration/feed_items.html", context)
    page = Paginator(entries, ACTIVITY_PAGE_SIZE).get_page(request.GET.get("page"))
    context.update({"page": page, "newest": entries.values_list("event_id", flat=True).first() or 0})
    template = "web/activity.html#activity-list" if getattr(request, "htmx", False) else "web/activity.html"
    return render(request, template, context)


def styleguide(request: HttpRequest) -> HttpResponse:
    """Every component of the design system on one page, for developers (DEBUG only)."""
    if not settings.DEBUG:
        raise Http404("The style guide is only served when LABORA_DEBUG is on.")
    return render(request, "web/styleguide.html", {"kinds": activity_text.KINDS})
