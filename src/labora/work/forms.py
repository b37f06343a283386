"""Forms of the work pages: they parse input only; the services validate and write."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms

from labora.work.models import Priority, ProjectKind, TaskType
from labora.workspaces.forms import apply_error  # noqa: F401  (re-exported for the work views)
from labora.workspaces.models import Membership

PRIORITY_CHOICES = [(label, label.capitalize()) for _, label in reversed(Priority.choices)]
UNASSIGNED = "__none__"


def member_choices(members: Iterable[Membership], *, empty: str = "Nobody") -> list[tuple[str, str]]:
    return [("", empty)] + [(m.user.email, m.user.display_name) for m in members]


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


def _date() -> forms.DateField:
    return forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date", "class": "input"}))


class ProjectForm(forms.Form):
    key = forms.CharField(
        max_length=10,
        help_text="2-10 upper-case letters and digits, e.g. OPS. Task keys start with it (OPS-12); it cannot change.",
        widget=forms.TextInput(attrs={"class": "input", "placeholder": "OPS", "autocapitalize": "characters"}),
    )
    name = forms.CharField(max_length=200, widget=forms.TextInput(attrs={"class": "input"}))
    kind = forms.ChoiceField(
        choices=ProjectKind.choices,
        help_text="A project ends on a target date; an ongoing stream (support, operations) does not.",
        widget=forms.Select(attrs={"class": "select"}),
    )
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"class": "textarea", "rows": 3}), help_text="Markdown."
    )
    start_date = _date()
    target_date = _date()
    lead = forms.ChoiceField(required=False, choices=[], widget=forms.Select(attrs={"class": "select"}))

    def __init__(self, *args: Any, members: Iterable[Membership] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "lead").choices = member_choices(members)


class ProjectSettingsForm(ProjectForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["key"]  # a key is for ever: old task keys must keep pointing here


class QuickAddForm(forms.Form):
    title = forms.CharField(max_length=500)


class BulkForm(forms.Form):
    """The bulk bar: which tasks, and what to change (empty = keep)."""

    tasks = forms.MultipleChoiceField(choices=[])  # keys; the service checks they exist
    status = forms.CharField(required=False)
    assignee = forms.CharField(required=False)  # "" keep, UNASSIGNED clear, else an e-mail
    priority = forms.CharField(required=False)
    op = forms.ChoiceField(choices=[("apply", "apply"), ("delete", "delete")], required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keys = self.data.getlist("tasks") if hasattr(self.data, "getlist") else []
        _choice_field(self, "tasks").choices = [(k, k) for k in keys]


class _Versioned(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class TaskTextForm(_Versioned):
    title = forms.CharField(max_length=500, widget=forms.TextInput(attrs={"class": "input"}))
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"class": "textarea", "rows": 8}), help_text="Markdown."
    )


class TaskStatusForm(_Versioned):
    status = forms.CharField(max_length=60)


class TaskDetailsForm(_Versioned):
    type = forms.ChoiceField(choices=TaskType.choices, widget=forms.Select(attrs={"class": "select select-sm"}))
    priority = forms.ChoiceField(choices=PRIORITY_CHOICES, widget=forms.Select(attrs={"class": "select select-sm"}))
    assignee = forms.ChoiceField(required=False, choices=[], widget=forms.Select(attrs={"class": "select select-sm"}))

    def __init__(self, *args: Any, members: Iterable[Membership] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "assignee").choices = member_choices(members, empty="Unassigned")


class TaskPlanForm(_Versioned):
    start_date = _date()
    due_date = _date()
    estimate_hours = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=9,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"class": "input", "step": "0.25", "min": "0"}),
    )


class TaskLinksForm(_Versioned):
    labels = forms.CharField(
        required=False,
        help_text="Comma-separated; new labels are created.",
        widget=forms.TextInput(attrs={"class": "input", "placeholder": "bug, frontend"}),
    )
    parent = forms.CharField(
        required=False,
        max_length=30,
        help_text="A task key of this project, e.g. OPS-4; empty for none.",
        widget=forms.TextInput(attrs={"class": "input", "placeholder": "OPS-4"}),
    )

    def label_names(self) -> list[str]:
        return [n.strip() for n in self.cleaned_data.get("labels", "").split(",") if n.strip()]


class SubtaskForm(forms.Form):
    title = forms.CharField(max_length=500)
