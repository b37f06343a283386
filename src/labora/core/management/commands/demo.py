"""`labora demo`: a small, realistic workspace to try Labora with, built through the services."""

from __future__ import annotations

import secrets
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from labora.accounts.models import User
from labora.accounts.services import user_create, user_set_password_unchecked
from labora.core.errors import LaboraError
from labora.workspaces.models import Role, Team
from labora.workspaces.selectors import members_list, workspace_for_user
from labora.workspaces.services import member_invite, team_create, team_member_add, workspace_create

DEMO_EMAIL = "demo@labora.local"
DEMO_PASSWORD = "labora-demo"  # noqa: S105  (public on purpose: printed for anyone trying the demo)
DEMO_SLUG = "acme"
DEMO_NAME = "Acme Studio"

# (e-mail, name, role)
PEOPLE = [
    ("maya.chen@labora.local", "Maya Chen", Role.ADMIN),
    ("jonas.weber@labora.local", "Jonas Weber", Role.MEMBER),
    ("priya.raman@labora.local", "Priya Raman", Role.MEMBER),
    ("tomas.ortega@labora.local", "Tomás Ortega", Role.MEMBER),
    ("grace.okafor@labora.local", "Grace Okafor", Role.GUEST),
    ("liam.oconnor@labora.local", "Liam O'Connor", Role.CLIENT),
]
TEAMS = [
    ("Design", "Brand, product and web design.", ["maya.chen", "priya.raman", "tomas.ortega"]),
    ("Engineering", "Builds and runs the client platforms.", ["demo", "jonas.weber", "tomas.ortega"]),
]
INVITED = ("noah.kim@labora.local", Role.MEMBER)


class Command(BaseCommand):
    help = f'Load the demo workspace "{DEMO_NAME}" (sign in as {DEMO_EMAIL} / {DEMO_PASSWORD}).'

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="Only load it into an instance without any user (for `make run`)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        present = f"Demo data already present; sign in as {DEMO_EMAIL} / {DEMO_PASSWORD}"
        if User.objects.filter(email__iexact=DEMO_EMAIL).exists():
            self.stdout.write(present)
            return
        if options["if_empty"] and User.objects.exists():
            self.stdout.write("Existing data found; no demo loaded")
            return
        self.stdout.write(
            f'Loading the demo workspace "{DEMO_NAME}" (a few seconds: passwords are hashed with Argon2)...'
        )
        try:
            # One transaction: all or nothing. The events it records are dispatched when it
            # commits (activity log, the invitation e-mail task).
            with transaction.atomic():
                people = self._load()
        except LaboraError as exc:
            raise CommandError(f"Could not load the demo: {exc.message}") from exc
        self.stdout.write(f'Loaded the demo workspace "{DEMO_NAME}" at /w/{DEMO_SLUG}/.')
        self.stdout.write(f"Sign in as {DEMO_EMAIL} with the password {DEMO_PASSWORD}")
        self.stdout.write(f"(the other demo people, e.g. {people[0]}, use the same password)")

    def _person(self, email: str, name: str, **extra: Any) -> User:
        # Services validate password strength; the demo's shared password is deliberately
        # simple, so it is set afterwards through the operator-only service.
        user = user_create(email=email, password=secrets.token_urlsafe(24), name=name, **extra)
        user_set_password_unchecked(user=user, new_password=DEMO_PASSWORD, reason="demo data")
        return user

    def _load(self) -> list[str]:
        owner = self._person(DEMO_EMAIL, "Sam Rivera")
        workspace = workspace_create(actor=owner, name=DEMO_NAME, slug=DEMO_SLUG)
        _ws, membership = workspace_for_user(user=owner, slug=workspace.slug)
        users = {"demo": owner}
        for email, name, role in PEOPLE:
            users[email.split("@")[0]] = self._person(email, name)
            member_invite(actor=owner, workspace=workspace, membership=membership, email=email, role=role)
        members = {m.user_id: m for m in members_list(workspace=workspace)}
        for team_name, description, handles in TEAMS:
            team: Team = team_create(
                actor=owner, workspace=workspace, membership=membership, name=team_name, description=description
            )
            for handle in handles:
                team_member_add(
                    actor=owner,
                    workspace=workspace,
                    membership=membership,
                    team=team,
                    user_member=members[users[handle].pk],
                )
        member_invite(actor=owner, workspace=workspace, membership=membership, email=INVITED[0], role=INVITED[1])
        return [email for email, _name, _role in PEOPLE]
