"""The session runner's forms: the checklist of guide steps and one form per planned zone, read into a record."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.http import QueryDict

from pinpoint.core.planning import ZonePlan
from pinpoint.web.treatments.actions import RecordInput, RecordInvalidError, ZoneInput
from pinpoint.web.treatments.forms import RunnerForm, ZoneForm
from pinpoint.web.treatments.models import ZoneRecord
from pinpoint.web.treatments.selectors import SessionContext

__all__ = ["ErrorLink", "RunnerForms"]

RUNNER_FIELD_TARGETS = {"checklist": "checklist"}
"""Where an error of a runner field links to when that field has no element of its own id."""


@dataclass(frozen=True)
class ErrorLink:
    """One line of the error summary: what is wrong and the id of the element to go to."""

    target: str
    text: str


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
            needled_before_ready=bool(self.runner.cleaned_data["needled_before_ready"]),
        )

    def checklist(self) -> tuple[int, ...] | None:
        """The steps ticked in a posted runner form (``None`` when the post carries no valid runner form)."""
        if self.runner.data.get("runner") != "1" or not self.runner.is_valid():
            return None
        return tuple(int(i) for i in self.runner.cleaned_data["checklist"])

    def zones_changed(self) -> bool:
        """Whether any zone form was posted with something other than what the page offered."""
        return any(f.has_changed() for _, f in self.zones)

    def errors(self, zone_names: dict[str, str]) -> list[ErrorLink]:
        """Every error of the runner, each with the id of its field (the zone's card for a zone-wide one)."""
        out: list[ErrorLink] = []
        for zp, f in self.zones:
            name = zone_names.get(zp.zone, zp.zone)
            out += _links(f, name, f"zone-{zp.zone}")
        out += _links(self.runner, "", "runner-form")
        return out

    def add_refusal(self, exc: RecordInvalidError) -> None:
        """Show each refused field beside that field (a zone not in the plan above the form)."""
        by_zone = {zp.zone: f for zp, f in self.zones}
        for (zone, field), message in exc.errors.items():
            target = by_zone.get(zone)
            if target is not None:
                target.add_error(field if field in target.fields else None, message)
            else:  # the runner's own field (the acknowledgement), else above the form
                self.runner.add_error(field if field in self.runner.fields else None, message)


def _links(form: forms.Form, prefix: str, whole: str) -> list[ErrorLink]:
    """The errors of ``form``: a field's link to its input's id, a form-wide one to ``whole``."""
    out = []
    for field, messages in form.errors.items():
        if field == "__all__" or field not in form.fields:
            target, label = whole, prefix
        else:
            bound = form[field]
            target = RUNNER_FIELD_TARGETS.get(field, bound.id_for_label or bound.auto_id)
            label = f"{prefix}, {bound.label}" if prefix else str(bound.label)
        out += [ErrorLink(target, f"{label}: {m}" if label else str(m)) for m in messages]
    return out
