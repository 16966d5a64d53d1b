"""Adverse events: the vocabulary and severity grades of ``outcomes.toml``, and the checks on a report.

A report names what happened (an adverse-event id), when it began, how severe it is (CTCAE 1-4
in words), what was done, and later how it ended. An event is *open* until a follow-up gives
an outcome that ends it. Dates are parameters (no clock).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from pinpoint.core.dates import check_past_date
from pinpoint.core.errors import InputError, UnknownIdError
from pinpoint.evidence.loader import Evidence

if TYPE_CHECKING:
    from pinpoint.evidence.schema_outcomes import Data

__all__ = [
    "CLOSING",
    "OUTCOMES",
    "Report",
    "Update",
    "check_report",
    "check_update",
    "kinds",
    "severities",
]

OUTCOMES: dict[str, str] = {
    "ongoing": "Not yet better",
    "improving": "Getting better",
    "resolved": "Resolved",
    "resolved_with_sequelae": "Resolved, with lasting effects",
}
"""How an adverse event stands (record-keeping words, after the FHIR AdverseEvent outcome codes)."""

CLOSING = frozenset({"resolved", "resolved_with_sequelae"})
"""The outcomes that close an event (they need a resolution date)."""


class Report(BaseModel):
    """A checked first report."""

    model_config = ConfigDict(frozen=True)

    kind: str
    severity: str
    onset_on: dt.date
    action_taken: str


class Update(BaseModel):
    """A checked follow-up: the outcome and, when it ends the event, the resolution date."""

    model_config = ConfigDict(frozen=True)

    outcome: str
    resolved_on: dt.date | None
    closes: bool


def _data(ev: Evidence) -> Data:
    return ev.extra["outcomes"]  # type: ignore[no-any-return]


def kinds(ev: Evidence) -> tuple[tuple[str, str], ...]:
    """The adverse events (id, name), in file order ("other" last as the file has it)."""
    return tuple((k, a.name) for k, a in _data(ev).adverse_events.items())


def severities(ev: Evidence) -> tuple[tuple[str, str], ...]:
    """The severity grades (id, 'Mild: no or mild symptoms; observation only'), mildest first."""
    return tuple((k, f"{s.name}: {s.means}") for k, s in _data(ev).severities.items())


def check_report(
    ev: Evidence, kind: str, severity: str, onset_on: dt.date, action_taken: str, *, session_on: dt.date, today: dt.date
) -> Report:
    """Check a first report of an adverse event after a session on ``session_on``.

    The kind and severity must be in the vocabulary; the onset lies between the session day and
    ``today``; "other" needs the action taken to say what happened. Raises :class:`InputError` or
    :class:`UnknownIdError` naming the field.
    """
    data = _data(ev)
    if kind not in data.adverse_events:
        raise UnknownIdError("kind", "adverse event", kind, data.adverse_events)
    if severity not in data.severities:
        raise UnknownIdError("severity", "severity", severity, data.severities)
    check_past_date("onset_on", onset_on, today, not_before=session_on, label="onset date")
    text = action_taken.strip()
    if kind == "other" and not text:
        raise InputError("action_taken", "for 'Other', say what happened and what was done")
    return Report(kind=kind, severity=severity, onset_on=onset_on, action_taken=text)


def check_update(outcome: str, resolved_on: dt.date | None, *, onset_on: dt.date, today: dt.date) -> Update:
    """Check a follow-up of an event that began on ``onset_on``.

    A resolved outcome needs a resolution date between the onset and ``today``; an open one has
    none. Raises :class:`InputError` on ``outcome`` or ``resolved_on``.
    """
    if outcome not in OUTCOMES:
        raise InputError("outcome", f"outcome is one of: {', '.join(OUTCOMES.values())}")
    closes = outcome in CLOSING
    if closes and resolved_on is None:
        raise InputError("resolved_on", "give the date it resolved")
    if not closes and resolved_on is not None:
        raise InputError("resolved_on", f"'{OUTCOMES[outcome]}' has no resolution date; leave it empty")
    if resolved_on is not None:
        check_past_date("resolved_on", resolved_on, today, not_before=onset_on, label="resolution date")
    return Update(outcome=outcome, resolved_on=resolved_on, closes=closes)
