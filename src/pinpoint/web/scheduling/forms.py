"""Forms of the schedule pages (choices filled from the organization's practitioners and rooms)."""

from __future__ import annotations

from typing import Any

from django import forms

from pinpoint.core.scheduling import GRID_MINUTES, MAX_APPOINTMENT_MINUTES
from pinpoint.web.base.forms import DateField


class BookForm(forms.Form):
    """A session's day, practitioner, room, length and start time."""

    day = DateField(label="Day")
    practitioner = forms.TypedChoiceField(label="Practitioner", coerce=int)
    room = forms.TypedChoiceField(label="Room", coerce=int, required=False, empty_value=None)
    minutes = forms.IntegerField(
        label="Length (minutes)",
        min_value=GRID_MINUTES,
        max_value=MAX_APPOINTMENT_MINUTES,
        step_size=GRID_MINUTES,
        help_text="From the session guide's steps; change it if this client needs more or less time.",
    )
    start = forms.ChoiceField(label="Start time", required=False)

    def __init__(self, *args: Any, people: list[Any], rooms: list[Any], slots: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["practitioner"].choices = [(u.pk, u.display_name) for u in people]  # type: ignore[attr-defined]
        self.fields["room"].choices = [("", "No room")] + [(r.pk, r.name) for r in rooms]  # type: ignore[attr-defined]
        self.fields["start"].choices = [(s, s) for s in slots]  # type: ignore[attr-defined]


class RoomForm(forms.Form):
    """A new room."""

    name = forms.CharField(label="Room name", max_length=80)


class AddSessionForm(forms.Form):
    """The day of an added session."""

    date = DateField(label="Day of the new session")
