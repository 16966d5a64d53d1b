"""Form helpers: the once-only submission key, and core errors shown beside their field."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from django import forms

__all__ = ["OnceForm", "add_error", "date_input", "set_choices"]


def date_input() -> forms.DateInput:
    """A date picker on phones and desks; the value travels as YYYY-MM-DD."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OnceForm(forms.Form):
    """A form that creates something: it carries a key so a repeated submission creates nothing twice."""

    submission_id = forms.UUIDField(widget=forms.HiddenInput, required=False, initial=uuid.uuid4)


def set_choices(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    """Set the choices of the choice field ``name`` (choices that come from the evidence base)."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        msg = f"{name} is not a choice field"
        raise TypeError(msg)
    field.choices = choices


def add_error(form: forms.Form, exc: Exception, fields: Mapping[str, str] | None = None) -> None:
    """Show ``exc`` (a core or policy error naming its field) beside that field, else above the form."""
    field = getattr(exc, "field", None)
    if field is not None and fields:
        field = fields.get(field, field)
    message = getattr(exc, "message", None) or str(exc)
    visible = field in form.fields and not form.fields[field].widget.is_hidden
    form.add_error(field if visible else None, message)
