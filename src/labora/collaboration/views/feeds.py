"""Activity feed pages: the workspace's (/w/<ws>/activity/), per project
(/w/<ws>/projects/<KEY>/activity/) and per person (/w/<ws>/people/<handle or id>/activity/).

Every feed is one selector (labora.collaboration.feeds.feed_entries) filtered by kind and person,
paged by "load more" (?before=<event id>) and live: a hidden HTMX element re-asks for the entries
after the newest one shown (?after=<id>) whenever live.js reports an event, and prepends them.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path

from labora.collaboration import feeds
from labora.core.errors import NotFound
from labora.core.policy import can, check
from labora.work.views.projects import project_for
from labora.workspaces.models import Membership, Workspace
from labora.workspaces.selectors import members_list
from labora.workspaces.views import Request, workspace_page


class FeedFilterForm(forms.Form):
    kind = forms.ChoiceField(
        required=False,
        widget=forms.Select(attrs={"class": "select select-sm", "aria-label": "Kind of change", "data-autosubmit": ""}),
    )
    person = forms.ChoiceField(
        required=False,
        widget=forms.Select(attrs={"class": "select select-sm", "aria-label": "Person", "data-autosubmit": ""}),
    )

    def __init__(self, *args: Any, people: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = [("", "All kinds"), *feeds.kinds()]
        if people is None:
            del self.fields["person"]
        else:
            cast(forms.ChoiceField, self.fields["person"]).choices = [
                ("", "Everyone"),
                *((u.public_id, u.display_name) for u in people),
            ]


def _int(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number < 2**62 else None


def render_feed(
    request: Request,
    *,
    workspace: Workspace,
    membership: Membership,
    template: str,
    context: dict[str, Any],
    project: str | None = None,
    person: Any = None,
    with_people: bool = True,
) -> HttpResponse:
    """A feed page, or (HTMX) its items only: a "load more" page or what arrived live."""
    people = None
    if with_people and person is None:
        people = [m.user for m in members_list(workspace=workspace).select_related("user")]
    form = FeedFilterForm(request.GET or None, people=people)
    kind, actor_id = "", person.pk if person is not None else None
    if form.is_bound and form.is_valid():
        kind = form.cleaned_data.get("kind") or ""
        chosen = form.cleaned_data.get("person") or ""
        if chosen and people is not None:
            actor_id = next((u.pk for u in people if u.public_id == chosen), None)
    entries = feeds.feed_entries(
        workspace=workspace, membership=membership, project=project, actor_id=actor_id, kind=kind or None
    )
    before, after = _int(request.GET.get("before")), _int(request.GET.get("after"))
    page = feeds.feed_page(entries, before=before, after=after)
    query = request.GET.copy()
    for key in ("before", "after", "page"):
        query.pop(key, None)
    newest = page.first_id if before is None else None
    if after is not None and newest is None:
        newest = after
    context = {
        **context,
        "workspace": workspace,
        "membership": membership,
        "form": form,
        "page": page,
        "kind": kind,
        "filtered": bool(kind or (actor_id and person is None)),
        "filter_query": query.urlencode(),
        "newest": newest or 0,
        "live_only": after is not None,
        "feed_path": request.path,
    }
    if getattr(request, "htmx", False) and (before is not None or after is not None):
        return render(request, "collaboration/feed_items.html", context)
    if getattr(request, "htmx", False) and request.headers.get("HX-Target") == "feed":
        return render(request, "collaboration/feed_list.html", context)
    return render(request, template, context)


@workspace_page
def workspace_activity(request: Request, workspace: Workspace, membership: Membership) -> HttpResponse:
    """Every change in the workspace the reader may see, by kind and person; "load more" pages
    by a cursor (?before=<event id>), never by page number, so entries arriving live at the top
    never shift what the next page holds. (This route comes before labora.web's in the URL conf.)"""
    check(request.user, "activity.view", membership, message="Only members can see the activity of this workspace.")
    return render_feed(
        request,
        workspace=workspace,
        membership=membership,
        template="collaboration/feed_workspace.html",
        context={},
    )


@workspace_page
def project_activity(request: Request, workspace: Workspace, membership: Membership, key: str) -> HttpResponse:
    project = project_for(workspace, key, user=request.user, membership=membership)
    return render_feed(
        request,
        workspace=workspace,
        membership=membership,
        template="collaboration/feed_project.html",
        context={"project": project},
        project=project.key,
        with_people=can(request.user, "member.list", membership),  # guests do not see the member list
    )


@workspace_page
def person_activity(request: Request, workspace: Workspace, membership: Membership, who: str) -> HttpResponse:
    check(request.user, "activity.view", membership, message="Only members can see what people did here.")
    try:
        person = feeds.person_for_feed(workspace=workspace, who=who)
    except NotFound as exc:
        raise Http404(exc.message) from None
    role = Membership.objects.filter(workspace=workspace, user=person).values_list("role", flat=True).first()
    return render_feed(
        request,
        workspace=workspace,
        membership=membership,
        template="collaboration/feed_person.html",
        context={"person": person, "person_role": role},
        person=person,
    )


urlpatterns = [
    path("w/<slug:ws>/activity/", workspace_activity, name="workspace_activity"),
    path("w/<slug:ws>/projects/<str:key>/activity/", project_activity, name="project_activity"),
    path("w/<slug:ws>/people/<str:who>/activity/", person_activity, name="person_activity"),
]
