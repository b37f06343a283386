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
    collaborators = forms.MultipleChoiceField(
        required=False,
        choices=[],
        help_text="Everyone working on it besides the assignee.",
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checkbox"}),
    )

    def __init__(
        self,
        *args: Any,
        members: Iterable[Membership] = (),
        types: Iterable[str] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        members = list(members)
        _choice_field(self, "assignee").choices = member_choices(members, empty="Unassigned")
        _choice_field(self, "collaborators").choices = [(m.user.email, m.user.display_name) for m in members]
        type_names = list(types)
        if type_names:  # the project's custom types after the built-in ones
            labels = dict(TaskType.choices)
            _choice_field(self, "type").choices = [(t, labels.get(t, t)) for t in type_names]


def _hours(label: str = "") -> forms.DecimalField:
    field = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=9,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"class": "input", "step": "0.25", "min": "0"}),
    )
    if label:
        field.label = label
    return field


class TaskPlanForm(_Versioned):
    start_date = _date()
    due_date = _date()
    estimate_hours = _hours()
    estimate_optimistic_hours = _hours("Optimistic")
    estimate_likely_hours = _hours("Likely")
    estimate_pessimistic_hours = _hours("Pessimistic")


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


class ChecklistAddForm(forms.Form):
    text = forms.CharField(max_length=500)


class ChecklistItemForm(_Versioned):
    """One item's action: tick/untick, rename, move (before/after another item), delete."""

    item = forms.CharField(max_length=20)
    text = forms.CharField(max_length=500, required=False)
    before = forms.CharField(max_length=20, required=False)
    after = forms.CharField(max_length=20, required=False)


def _custom_form_field(definition: Any, members: list[Membership]) -> forms.Field:
    kind, name = definition.type, definition.name
    if kind == "number":
        return forms.FloatField(
            required=False, label=name, widget=forms.NumberInput(attrs={"class": "input", "step": "any"})
        )
    if kind == "date":
        field = _date()
        field.label = name
        return field
    if kind == "select":
        options = [("", "—")] + [(o, o) for o in definition.options]
        return forms.ChoiceField(
            required=False, label=name, choices=options, widget=forms.Select(attrs={"class": "select"})
        )
    if kind == "multiselect":
        return forms.MultipleChoiceField(
            required=False,
            label=name,
            choices=[(o, o) for o in definition.options],
            widget=forms.CheckboxSelectMultiple(attrs={"class": "checkbox"}),
        )
    if kind == "user":
        return forms.ChoiceField(
            required=False,
            label=name,
            choices=member_choices(members),
            widget=forms.Select(attrs={"class": "select"}),
        )
    if kind == "checkbox":
        return forms.BooleanField(required=False, label=name, widget=forms.CheckboxInput(attrs={"class": "checkbox"}))
    if kind == "url":
        return forms.CharField(
            required=False,
            label=name,
            max_length=2000,
            widget=forms.URLInput(attrs={"class": "input", "placeholder": "https://"}),
        )
    return forms.CharField(
        required=False, label=name, max_length=5000, widget=forms.TextInput(attrs={"class": "input"})
    )


class CustomFieldsForm(_Versioned):
    """The project's custom fields, one form field each (`cf_<public id>`); the service validates."""

    def __init__(
        self, *args: Any, definitions: Iterable[Any] = (), members: Iterable[Membership] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.definitions = list(definitions)
        people = list(members)
        for definition in self.definitions:
            self.fields[f"cf_{definition.public_id}"] = _custom_form_field(definition, people)

    def values(self) -> dict[str, Any]:
        """{field name: value} for the service; empty inputs clear their value."""
        out: dict[str, Any] = {}
        for definition in self.definitions:
            value = self.cleaned_data.get(f"cf_{definition.public_id}")
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            if definition.type == "checkbox":
                value = bool(value)
            out[definition.name] = value if value not in ("", []) else None
        return out
