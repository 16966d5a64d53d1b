"""The session runner's forms: the checklist of guide steps and one form per planned zone, read into a record."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django.http import QueryDict

from pinpoint.core.planning import ZonePlan
from pinpoint.web.treatments.actions import RecordInput, RecordInvalidError, ZoneInput
from pinpoint.web.treatments.forms import RunnerForm, ZoneForm
from pinpoint.web.treatments.models import ZoneRecord
from pinpoint.web.treatments.selectors import SessionContext

__all__ = ["RunnerForms"]


def _initial(ctx: SessionContext, zp: ZonePlan) -> dict[str, Any]:
    """The zone's recorded values, else the plan's device, its depth when the plan fixes one, the only usable unit."""
    zr: ZoneRecord | None = ctx.records.get(zp.zone)
    if zr is not None:
        return {
            "treated": zr.treated,
            "device": zr.device,
            "device_unit": str(zr.device_unit_id or ""),
            "depth_mm": zr.depth_mm,
            "passes": zr.passes,
            "endpoint_reached": zr.endpoint_reached,
            "notes": zr.notes,
        }
    initial: dict[str, Any] = {"treated": True, "device": ctx.plan.device or ""}
    if zp.depth_mm.min == zp.depth_mm.max:
        initial["depth_mm"] = Decimal(str(zp.depth_mm.min))
    usable = [u for u in ctx.usable_units if not ctx.plan.device or u.catalog_id == ctx.plan.device]
    if len(usable) == 1:
        initial["device_unit"] = str(usable[0].pk)
    return initial


class RunnerForms:
    """The runner's checklist form and its zone forms (bound to ``data`` on a POST)."""

    def __init__(self, data: QueryDict | None, ctx: SessionContext) -> None:
        s = ctx.session
        self.steps = ctx.guide.steps if ctx.guide is not None else ()
        self.runner = RunnerForm(
            data, initial={"checklist": [str(i) for i in s.checklist], "notes": s.notes}, steps=self.steps
        )
        self.zones = [
            (
                zp,
                ZoneForm(
                    data,
                    prefix=zp.zone,
                    initial=_initial(ctx, zp),
                    evidence=ctx.evidence,
                    setting=ctx.plan.setting,
                    units=ctx.units,
                    offered=ctx.usable_units,
                    not_offered=[f"{r.unit.label} ({r.summary})" for r in ctx.unit_rows if not r.usable],
                ),
            )
            for zp in ctx.plan.zones
        ]

    def is_valid(self, signing: bool) -> bool:
        """Every form valid and, to sign, the confirmation ticked."""
        if not (self.runner.is_valid() and all(f.is_valid() for _, f in self.zones)):
            return False
        if signing and not self.runner.cleaned_data["confirm"]:
            self.runner.add_error("confirm", "tick to confirm the record before signing")
            return False
        return True

    def record_input(self) -> RecordInput:
        """What the valid forms say was done."""
        zones = []
        for zp, f in self.zones:
            d = f.cleaned_data
            zones.append(
                ZoneInput(
                    zone=zp.zone,
                    treated=bool(d["treated"]),
                    device=d["device"] or "",
                    device_unit_id=int(d["device_unit"]) if d["device_unit"] else None,
                    depth_mm=d["depth_mm"],
                    passes=d["passes"],
                    endpoint_reached=bool(d["endpoint_reached"]),
                    notes=d["notes"],
                )
            )
        return RecordInput(
            checklist=tuple(int(i) for i in self.runner.cleaned_data["checklist"]),
            notes=self.runner.cleaned_data["notes"],
            zones=tuple(zones),
        )

    def add_refusal(self, exc: RecordInvalidError) -> None:
        """Show each refused zone field beside that field (a zone not in the plan above the form)."""
        by_zone = {zp.zone: f for zp, f in self.zones}
        for (zone, field), message in exc.errors.items():
            target = by_zone.get(zone)
            if target is not None:
                target.add_error(field if field in target.fields else None, message)
            else:
                self.runner.add_error(None, message)

    def unconfirm(self) -> None:
        """A refused submission shows the confirmation unticked, so the next click cannot sign by accident."""
        self.runner.errors  # noqa: B018  # validated (and refusals added) before its data changes
        data = cast(QueryDict, self.runner.data).copy()
        data.pop("confirm", None)
        self.runner.data = data
