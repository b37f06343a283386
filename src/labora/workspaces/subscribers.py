"""Workspace side effects, driven by domain events after commit."""

from __future__ import annotations

from django.db import transaction

from labora.core.events import subscriber
from labora.core.models import DomainEvent
from labora.workspaces.models import Invitation


@subscriber("workspaces.invitation_email", events=["invitation.created"])
def invitation_email(event: DomainEvent) -> None:
    from labora.workspaces.tasks import send_invitation_email

    invitation = Invitation.objects.filter(public_id=event.target_id).first()
    if invitation is not None:
        # Enqueued when the acknowledgement commits, so a rolled-back delivery sends nothing.
        transaction.on_commit(lambda: send_invitation_email.enqueue(invitation.pk))
