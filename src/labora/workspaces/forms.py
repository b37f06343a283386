"""Forms of the workspace pages: they parse input only; the services validate and write."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.text import slugify

from labora.core.errors import LaboraError
from labora.workspaces.models import Membership, Role


def apply_error(form: forms.Form, error: LaboraError) -> None:
    """Show a service's error on the fields it names, or on top of the form."""
    placed = False
    for field in error.fields:
        if field in form.fields:
            form.add_error(field, error.message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


def role_choices(roles: Iterable[str]) -> list[tuple[str, str]]:
    wanted = set(roles)
    return [(value, label) for value, label in Role.choices if value in wanted]


class WorkspaceCreateForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        widget=forms.TextInput(attrs={"autofocus": True, "placeholder": "Acme Inc.", "autocomplete": "organization"}),
    )
    slug = forms.CharField(
        label="Slug",
        max_length=50,
        required=False,
        help_text="The workspace's address in links. Lower-case letters, digits and dashes; "
        "leave it empty to derive it from the name.",
        widget=forms.TextInput(
            attrs={"class": "input", "placeholder": "acme", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("slug") and data.get("name"):
            # A suggestion only: the service still decides whether it is valid and free.
            data["slug"] = slugify(data["name"])[:50].strip("-")
        return data


class WorkspaceRenameForm(forms.Form):
    name = forms.CharField(max_length=100)
    version = forms.IntegerField(widget=forms.HiddenInput)


class InviteForm(forms.Form):
    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"placeholder": "ana@example.com", "autocomplete": "off"}),
    )
    role = forms.ChoiceField(initial=Role.MEMBER)

    def __init__(self, *args: Any, roles: Iterable[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["role"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = role_choices(roles)


class RoleForm(forms.Form):
    member = forms.CharField(max_length=20, widget=forms.HiddenInput)
    role = forms.ChoiceField(choices=Role.choices)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class TeamForm(forms.Form):
    name = forms.CharField(max_length=80, widget=forms.TextInput(attrs={"placeholder": "Design"}))
    description = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3, "placeholder": "What this team does"})
    )


class TeamEditForm(TeamForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class TeamMemberAddForm(forms.Form):
    member = forms.ChoiceField(label="Add a member", widget=forms.Select(attrs={"class": "select"}))

    def __init__(self, *args: Any, candidates: Iterable[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["member"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose a member…")] + [
            (m.user.public_id, f"{m.user.display_name} ({m.user.email})") for m in candidates
        ]
