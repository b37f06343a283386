"""`labora token create|list|revoke`: personal access tokens for the REST API.

`token create` prints only the token, so `T=$(labora token create --email ana@example.com)` works.
"""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from labora.accounts.models import User
from labora.accounts.selectors import token_list_for_user
from labora.accounts.services import token_create, token_revoke
from labora.core.errors import LaboraError


def _user(email: str) -> User:
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise CommandError(f"No account with the e-mail {email}. Create one with `labora createuser`.")
    return user


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "-"


class Command(BaseCommand):
    help = "Create, list and revoke personal access tokens (Authorization: Bearer <token>)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{create,list,revoke}")
        create = actions.add_parser("create", help="Create a token and print it (shown only once).")
        create.add_argument("--email", required=True, help="The account the token acts as.")
        create.add_argument("--name", default="Command line", help="What the token is for (default: %(default)s).")
        create.add_argument("--expires-days", type=int, default=None, help="Expire after this many days.")
        listing = actions.add_parser("list", help="List an account's tokens.")
        listing.add_argument("--email", required=True)
        revoke = actions.add_parser("revoke", help="Revoke a token by its id (see `token list`).")
        revoke.add_argument("--email", required=True)
        revoke.add_argument("--id", required=True, dest="token_id", help="The token's id from `token list`.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(**options)
        except LaboraError as exc:
            raise CommandError(exc.message) from exc

    def _create(self, **options: Any) -> None:
        user = _user(options["email"])
        days = options["expires_days"]
        if days is not None and days < 1:
            raise CommandError(f"--expires-days must be 1 or more, not {days}.")
        expires_at = timezone.now() + timedelta(days=days) if days else None
        _token, raw = token_create(actor=user, name=options["name"], expires_at=expires_at)
        self.stdout.write(raw)

    def _list(self, **options: Any) -> None:
        user = _user(options["email"])
        tokens = list(token_list_for_user(user=user))
        if not tokens:
            self.stdout.write(f"{user.email} has no tokens.")
            return
        header = ("ID", "NAME", "STARTS WITH", "STATE", "CREATED", "LAST USED", "EXPIRES")
        rows = [
            (
                t.public_id,
                t.name,
                f"lab_{t.hint}",
                t.state,
                _when(t.created_at),
                _when(t.last_used_at),
                _when(t.expires_at),
            )
            for t in tokens
        ]
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            self.stdout.write("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())

    def _revoke(self, **options: Any) -> None:
        user = _user(options["email"])
        token = token_revoke(actor=user, token_public_id=options["token_id"].strip())
        self.stdout.write(f"Revoked token {token.public_id} ({token.name}).")
