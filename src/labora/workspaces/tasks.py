"""Background jobs of workspaces (run by `labora worker` or the worker inside `labora serve`)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from labora.workspaces.models import Invitation


@task()
def send_invitation_email(invitation_id: int) -> str:
    from labora.workspaces.services import invitation_link_token

    invitation = Invitation.objects.select_related("workspace", "invited_by").filter(pk=invitation_id).first()
    if invitation is None or invitation.state != "pending":
        return "skipped"
    link = settings.PUBLIC_URL + reverse("invitation_accept", args=[invitation_link_token(invitation)])
    context = {"invitation": invitation, "link": link, "inviter": invitation.invited_by}
    send_mail(
        subject=f"{invitation.invited_by or 'Someone'} invited you to {invitation.workspace.name} on Labora",
        message=render_to_string("workspaces/email/invitation.txt", context),
        html_message=render_to_string("workspaces/email/invitation.html", context),
        from_email=None,
        recipient_list=[invitation.email],
    )
    return "sent"
