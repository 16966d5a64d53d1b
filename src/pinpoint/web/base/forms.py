"""Form helpers: the once-only submission key, and core errors shown beside their field."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django import forms

__all__ = ["BAD_DATE", "DateField", "OnceForm", "add_error", "date_input", "set_choices"]

BAD_DATE = "Enter a date, like 3 March 2026."
"""What a person reads when the date they typed is not one (the picker shows their own locale's format)."""


def date_input() -> forms.DateInput:
    """The browser's date picker (``type=date``): it shows the reader's own date format; the value travels as ISO."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DateField(forms.DateField):
    """A date field on the browser's date picker, with no format written above it and a sentence for a bad date.

    Every form of the web app uses this one, so a date looks and fails the same on every page.
    """

    widget = forms.DateInput
    default_error_messages = {"invalid": BAD_DATE}  # noqa: RUF012 - Django's own class attribute, merged per class

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", date_input())
        super().__init__(**kwargs)


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
