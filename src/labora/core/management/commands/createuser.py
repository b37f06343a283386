"""`labora createuser`: an account, optionally placed in a workspace (created if missing)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from labora.accounts.models import User
from labora.accounts.services import user_create
from labora.core.errors import LaboraError
from labora.workspaces.models import Role, Workspace
from labora.workspaces.services import member_add_direct, workspace_create


class Command(BaseCommand):
    help = (
        "Create a user (or reuse the one with that e-mail). With --workspace, create that workspace with "
        "the user as owner, or add the user to the existing one with --role."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--email", required=True, help="Sign-in e-mail address.")
        parser.add_argument(
            "--password", required=True, help="At least 10 characters, not too common, not like the e-mail."
        )
        parser.add_argument("--name", default="", help="Full name shown to others.")
        parser.add_argument("--workspace", metavar="SLUG", help="Workspace slug to create or join.")
        parser.add_argument(
            "--role",
            choices=Role.values,
            default=None,
            help="Role in an existing workspace (default: member). A new workspace makes the user its owner.",
        )
        parser.add_argument("--staff", action="store_true", help="May use the Django admin.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self._handle(**options)
        except LaboraError as exc:
            raise CommandError(exc.message) from exc

    def _handle(self, **options: Any) -> None:
        email: str = options["email"].strip()
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = user_create(
                email=email, password=options["password"], name=options["name"], is_staff=options["staff"]
            )
            self.stdout.write(f"Created user {user.email}.")
        else:
            self.stdout.write(f"User {user.email} exists already; its password and details are unchanged.")

        slug: str | None = options["workspace"]
        if not slug:
            return
        workspace = Workspace.objects.filter(slug=slug.strip().lower()).first()
        if workspace is None:
            name = slug.replace("-", " ").replace("_", " ").strip().title() or slug
            workspace = workspace_create(actor=user, name=name, slug=slug)
            self.stdout.write(f"Created workspace {workspace.slug} ({workspace.name}) with {user.email} as owner.")
            if options["role"] not in (None, Role.OWNER):
                self.stderr.write(f"Note: --role {options['role']} ignored; the creator of a workspace is its owner.")
            return
        role = options["role"] or Role.MEMBER
        try:
            member_add_direct(workspace=workspace, user=user, role=role)
        except LaboraError as exc:
            if exc.code != "already_member":
                raise
            # Re-running the same command is fine; say what is there instead of failing.
            self.stdout.write(exc.message)
            return
        self.stdout.write(f"Added {user.email} to {workspace.slug} as {role}.")
