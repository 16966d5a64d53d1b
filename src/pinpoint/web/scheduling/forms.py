"""Forms of the schedule pages (choices filled from the organization's practitioners and rooms)."""

from __future__ import annotations

import calendar
import datetime as dt
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


def time_input() -> forms.TimeInput:
    """A time picker on the booking grid; the value travels as HH:MM."""
    return forms.TimeInput(attrs={"type": "time", "step": GRID_MINUTES * 60}, format="%H:%M")


class OpeningHoursForm(forms.Form):
    """The clinic's hours, Monday to Sunday: opens, closes, or closed (the rules are the action's)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in (n.lower() for n in calendar.day_name):
            day = name.capitalize()
            self.fields[f"{name}_closed"] = forms.BooleanField(label=f"{day}: closed", required=False)
            self.fields[f"{name}_opens"] = forms.TimeField(label=f"{day} opens", required=False, widget=time_input())
            self.fields[f"{name}_closes"] = forms.TimeField(label=f"{day} closes", required=False, widget=time_input())

    def days(self) -> list[dict[str, Any]]:
        """The bound fields of each day, for the template: name, closed, opens, closes."""
        return [
            {
                "name": n,
                "closed": self[f"{n.lower()}_closed"],
                "opens": self[f"{n.lower()}_opens"],
                "closes": self[f"{n.lower()}_closes"],
            }
            for n in calendar.day_name
        ]

    def week(self) -> list[tuple[dt.time | None, dt.time | None] | None]:
        """``(opens, closes)`` per day from Monday; ``None`` for a day marked closed."""
        d = self.cleaned_data
        names = [n.lower() for n in calendar.day_name]
        return [None if d[f"{n}_closed"] else (d[f"{n}_opens"], d[f"{n}_closes"]) for n in names]
