"""Lots and units: whether a device unit or consumable lot may be chosen for a session on a given day.

A *lot* is what a clinic records: a reusable roller or pen body (one unit, counted in uses and
days, replaced by the policy's limits through :func:`pinpoint.core.records.roller_status`), or a
box of single-use units (cartridges, rollers, probes) with a lot number, an expiry date and a
count of units, each used once and consumed by the signed session that used it. A lot that is
recalled, expired, taken out of service or used up cannot be chosen; an adverse event recorded
against it flags it (chosen still, with the flag said). Dates are parameters (no clock).
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from pinpoint.core.errors import InputError, RefusedError
from pinpoint.core.planning import get_device
from pinpoint.core.records import RollerStatus, roller_status
from pinpoint.core.whole_plan import unit_refusal
from pinpoint.evidence.loader import Evidence
from pinpoint.evidence.schema import Setting

__all__ = ["Lot", "LotVerdict", "check_lot", "check_units_total", "lot_verdict"]

MAX_UNITS = 100_000
"""Most units one lot record may count (a typing guard, not a clinical limit)."""


class Lot(BaseModel):
    """What a lot's record says, as plain values.

    ``device`` is the catalog id; ``units_total`` the single-use units the lot held (``None``: one);
    ``uses`` the signed sessions that used it; dates as recorded (``None``: not set).
    """

    model_config = ConfigDict(frozen=True)

    label: str
    device: str
    lot_number: str = ""
    expires_on: dt.date | None = None
    units_total: int | None = None
    uses: int = 0
    first_used_on: dt.date | None = None
    retired_on: dt.date | None = None
    recalled_on: dt.date | None = None
    recall_reason: str = ""
    adverse_events: int = 0


class LotVerdict(BaseModel):
    """May the lot be chosen on ``on``? ``reasons`` say why not; ``flags`` what to know if it may."""

    model_config = ConfigDict(frozen=True)

    usable: bool
    reasons: tuple[str, ...]
    flags: tuple[str, ...]
    single_use: bool
    units_left: int | None
    wear: RollerStatus | None

    @property
    def summary(self) -> str:
        """One line in people's words: the first reason it cannot be used, else how much is left."""
        if self.reasons:
            return self.reasons[0]
        if self.single_use and self.units_left is not None:
            return f"{self.units_left} unit{'s' if self.units_left != 1 else ''} left"
        return "in use" if self.wear is not None and self.wear.uses else "ready"


def _day(d: dt.date) -> str:
    return f"{d.day} {d:%B %Y}"


def check_units_total(units_total: int | None) -> int | None:
    """A lot's count of units: a whole number from 1 to :data:`MAX_UNITS`, or none given (one unit)."""
    if units_total is not None and not 1 <= units_total <= MAX_UNITS:
        raise InputError("units_total", f"the number of units is a whole number from 1 to {MAX_UNITS:,}")
    return units_total


def _single_use(lot: Lot) -> tuple[tuple[str, ...], int]:
    total = lot.units_total or 1
    left = max(total - lot.uses, 0)
    if left:
        return (), left
    if total == 1:
        when = f" on {_day(lot.first_used_on)}" if lot.first_used_on else ""
        return (f"{lot.label} is single-use and was used{when}: take a new sterile unit",), 0
    return (f"all {total} units of {lot.label} are used: open a new lot",), 0


def lot_verdict(evidence: Evidence, lot: Lot, on: dt.date, setting: Setting | None = None) -> LotVerdict:
    """Whether ``lot`` may be chosen for a session on ``on`` in ``setting``, and why not.

    Refusals, in this order: a unit the setting does not take (in a clinic, anything but a
    sterile single-use unit: the whole-plan rule ``clinic_sterile_single_use``, in words),
    recalled (on or before ``on``), taken out of service, expired (the expiry date is the last
    day of use), then a single-use lot with no unit left (each signed session consumes
    one) or a reusable device due for replacement by the policy's limits
    (:func:`~pinpoint.core.records.roller_status`: uses and days since first use).
    ``setting`` ``None``: the setting is not checked.
    """
    dev = get_device(evidence, lot.device)
    reasons: list[str] = []
    refused = unit_refusal(evidence, setting, dev) if setting is not None else None
    if refused is not None:
        reasons.append(f"{lot.label}: {refused[0]}")
    if lot.recalled_on is not None and lot.recalled_on <= on:
        why = f": {lot.recall_reason}" if lot.recall_reason else ""
        reasons.append(f"{lot.label} was recalled on {_day(lot.recalled_on)}{why}")
    if lot.retired_on is not None and lot.retired_on <= on:
        reasons.append(f"{lot.label} was taken out of service on {_day(lot.retired_on)}")
    if lot.expires_on is not None and lot.expires_on < on:
        reasons.append(f"{lot.label} expired on {_day(lot.expires_on)}")
    single = dev.reuse != "reusable"
    wear: RollerStatus | None = None
    units_left: int | None = None
    if single:
        used_up, units_left = _single_use(lot)
        reasons.extend(used_up)
    else:
        wear = roller_status(evidence, lot.device, lot.uses, lot.first_used_on, on)
        reasons.extend(f"{lot.label}: {r}" for r in wear.reasons)
    flags: tuple[str, ...] = ()
    if lot.adverse_events:
        n = lot.adverse_events
        flags = (f"{n} adverse event{'s' if n != 1 else ''} recorded with this lot",)
    return LotVerdict(
        usable=not reasons, reasons=tuple(reasons), flags=flags, single_use=single, units_left=units_left, wear=wear
    )


def check_lot(
    evidence: Evidence, lot: Lot, on: dt.date, *, field: str = "device_unit", setting: Setting | None = None
) -> LotVerdict:
    """:func:`lot_verdict`; :class:`RefusedError` on ``field`` with the first reason when it may not be chosen."""
    verdict = lot_verdict(evidence, lot, on, setting)
    if not verdict.usable:
        raise RefusedError(field, verdict.reasons[0])
    return verdict
