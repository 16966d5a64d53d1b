"""Reminders and recalls, computed from a course and its appointments; no clock, no I/O.

Each :class:`Reminder` has a stable ``key`` and a fixed ``due_on`` date, so the pair names one
sending: whoever sends records that pair once and never sends it again. A reminder is sent from
``due_on`` to ``last_on`` (inclusive); after that it is stale (an appointment that has passed).

- An appointment reminder is due ``lead_days`` days before the appointment (a clinic setting).
- A recall is due after the last session of a finished course, at the top-up interval the
  evidence gives (policy ``recall_after_course_days``, sourced), and stays on the worklist for
  :data:`RECALL_WINDOW_DAYS`.
- A home user's next home session is reminded on its day.
- A reusable home roller is due for replacement on the first day it reaches its limits
  (:func:`~pinpoint.core.records.roller_status`: uses, or days since first use).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from pinpoint.core.errors import InputError
from pinpoint.core.records import roller_status
from pinpoint.evidence.loader import Evidence

__all__ = [
    "RECALL_WINDOW_DAYS",
    "Reminder",
    "ReminderKind",
    "appointment_reminder",
    "due",
    "home_session_reminder",
    "recall",
    "roller_reminder",
]

RECALL_WINDOW_DAYS = 30
"""Days a recall stays sendable after it falls due (a worklist window, not a clinical figure)."""


class ReminderKind(StrEnum):
    """What a reminder is about; the value is stored with each sending."""

    APPOINTMENT = "appointment"
    RECALL = "recall"
    HOME_SESSION = "home_session"
    ROLLER = "roller"


class Reminder(BaseModel):
    """One reminder: who it is about is the caller's; what, when and the words are here.

    ``starts_at``/``minutes`` make it a timed calendar event; otherwise it is an all-day event
    on ``event_on``.
    """

    model_config = ConfigDict(frozen=True)

    key: str
    kind: ReminderKind
    due_on: dt.date
    last_on: dt.date
    subject: str
    body: str
    event_on: dt.date
    starts_at: dt.datetime | None = None
    minutes: int | None = None
    sources: tuple[str, ...] = ()


def _day(d: dt.date) -> str:
    return f"{d:%A} {d.day} {d:%B %Y}"


def appointment_reminder(
    appointment_id: int, starts_at: dt.datetime, minutes: int, what: str, where: str, lead_days: int
) -> Reminder:
    """A reminder ``lead_days`` days before an appointment starting at ``starts_at`` (aware, local).

    ``minutes`` is its duration; ``what`` names the treatment, ``where`` the clinic (and room).
    """
    if starts_at.tzinfo is None:
        raise InputError("start", "the appointment's start needs a time zone")
    if not 0 <= lead_days <= 30:
        raise InputError("lead_days", f"a reminder goes 0 to 30 days ahead, got {lead_days}")
    day = starts_at.date()
    when = f"{_day(day)} at {starts_at:%H:%M}"
    return Reminder(
        key=f"appointment:{appointment_id}",
        kind=ReminderKind.APPOINTMENT,
        due_on=day - dt.timedelta(days=lead_days),
        last_on=day,
        subject=f"Your appointment on {when}",
        body=f"This is a reminder of your appointment for {what} at {where} on {when} ({minutes} minutes).",
        event_on=day,
        starts_at=starts_at,
        minutes=minutes,
    )


def recall(evidence: Evidence, course_id: int, what: str, last_session_on: dt.date) -> Reminder:
    """The recall after a finished course whose last session was on ``last_session_on``.

    Due ``recall_after_course_days`` days later (policy default from the top-up interval
    published for microneedling), sendable for :data:`RECALL_WINDOW_DAYS` days.
    """
    item = evidence.policy["recall_after_course_days"]
    due_on = last_session_on + dt.timedelta(days=int(item.value))
    return Reminder(
        key=f"recall:course:{course_id}",
        kind=ReminderKind.RECALL,
        due_on=due_on,
        last_on=due_on + dt.timedelta(days=RECALL_WINDOW_DAYS),
        subject=f"Time for a review after your treatment for {what}",
        body=(
            f"Your course of treatment for {what} ended on {_day(last_session_on)}. Many clinics offer a review and a "
            "top-up session around this time: contact us to book one if you would like it."
        ),
        event_on=due_on,
        sources=item.sources,
    )


def home_session_reminder(session_id: int, on: dt.date, what: str) -> Reminder:
    """A home user's reminder of their home session planned for ``on``."""
    return Reminder(
        key=f"home_session:{session_id}",
        kind=ReminderKind.HOME_SESSION,
        due_on=on,
        last_on=on,
        subject=f"Home session today: {what}",
        body=f"Your plan has a home session of {what} today, {_day(on)}. Open Pinpoint to follow the steps.",
        event_on=on,
    )


def roller_reminder(
    evidence: Evidence, unit_id: int, label: str, device: str, use_dates: Sequence[dt.date]
) -> Reminder | None:
    """When the home roller ``label`` (catalog id ``device``) used on ``use_dates`` is to be replaced.

    Due on the date of the use that reached the uses limit or on the day the days limit is
    reached (first use + ``roller_replacement_days``), whichever comes first; ``None`` when it
    is not reusable or has never been used.
    """
    if not use_dates:
        return None
    dates = sorted(use_dates)
    status = roller_status(evidence, device, len(dates), dates[0], dates[0])
    if not status.reusable or status.days_limit is None or status.uses_limit is None:
        return None
    candidates = [dates[0] + dt.timedelta(days=status.days_limit)]
    if len(dates) >= status.uses_limit:
        candidates.append(dates[status.uses_limit - 1])
    due_on = min(candidates)
    return Reminder(
        key=f"roller:{unit_id}",
        kind=ReminderKind.ROLLER,
        due_on=due_on,
        last_on=due_on + dt.timedelta(days=RECALL_WINDOW_DAYS),
        subject=f"Time to replace your roller {label}",
        body=(
            f"Your roller {label} is due for replacement: replace it after {status.uses_limit} uses or "
            f"{status.days_limit // 7} weeks from its first use, whichever comes first. Add the new one in "
            "Pinpoint's devices page."
        ),
        event_on=due_on,
        sources=status.sources,
    )


def due(reminders: Iterable[Reminder], on: dt.date) -> tuple[Reminder, ...]:
    """The reminders to send on ``on``: due on or before it and not yet stale, by due date then key."""
    return tuple(sorted((r for r in reminders if r.due_on <= on <= r.last_on), key=lambda r: (r.due_on, r.key)))
