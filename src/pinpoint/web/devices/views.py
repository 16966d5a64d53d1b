"""Device pages: units with use counts and replacement status.

A unit's own page lists the sessions that used it, so it is in ``records.views``.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pinpoint.core.errors import PinpointError
from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.base.forms import add_error
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.views import actor_of, page
from pinpoint.web.devices import actions, selectors
from pinpoint.web.devices.forms import CleaningForm, DeviceUnitForm, RecallForm


@page(Perm.DEVICE_MANAGE)
def device_list(request: HttpRequest) -> HttpResponse:
    """Units in the organization; add one."""
    actor = actor_of(request)
    form = DeviceUnitForm(request.POST or None, evidence=evidence_for(actor.organization), setting=actor.setting)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            actions.add_unit(
                actor,
                d["catalog_id"],
                d["label"],
                lot_number=d["lot_number"],
                expires_on=d["expires_on"],
                units_total=d["units_total"],
                key=d["submission_id"],
            )
        except PinpointError as exc:
            add_error(form, exc)
        else:
            return redirect("devices:list")
    rows = selectors.with_status(actor, selectors.units(actor), actor.today())
    return render(request, "devices/list.html", {"form": form, "rows": rows})


@require_POST
@page(Perm.DEVICE_MANAGE)
def device_retire(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a unit out of service."""
    actor = actor_of(request)
    actions.retire_unit(actor, selectors.get_unit(actor, pk), actor.today())
    return redirect("devices:detail", pk=pk)


@page(Perm.DEVICE_MANAGE)
def device_recall(request: HttpRequest, pk: int) -> HttpResponse:
    """Recall a lot (from today): it can no longer be chosen for a session."""
    actor = actor_of(request)
    unit = selectors.get_unit(actor, pk)
    form = RecallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.recall_lot(actor, unit, form.cleaned_data["reason"], actor.today())
        except PinpointError as exc:
            add_error(form, exc)
        else:
            return redirect("devices:detail", pk=pk)
    return render(request, "devices/form.html", {"unit": unit, "form": form, "title": f"Recall {unit.label}"})


@page(Perm.DEVICE_MANAGE)
def device_clean(request: HttpRequest, pk: int) -> HttpResponse:
    """Log a cleaning of a reusable unit."""
    actor = actor_of(request)
    unit = selectors.get_unit(actor, pk)
    form = CleaningForm(request.POST or None, initial={"cleaned_on": actor.today()})
    if request.method == "POST" and form.is_valid():
        try:
            actions.log_cleaning(actor, unit, form.cleaned_data["agent"], form.cleaned_data["cleaned_on"])
        except PinpointError as exc:
            add_error(form, exc)
        else:
            return redirect("devices:detail", pk=pk)
    return render(request, "devices/form.html", {"unit": unit, "form": form, "title": f"Clean {unit.label}"})
