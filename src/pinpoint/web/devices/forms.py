"""Device unit form."""

from __future__ import annotations

from typing import Any

from django import forms

from pinpoint.evidence.loader import Evidence
from pinpoint.web.base.forms import DateField, OnceForm, set_choices


class DeviceUnitForm(OnceForm):
    """A device unit or consumable lot."""

    catalog_id = forms.ChoiceField(label="Device type")
    label = forms.CharField(max_length=100, help_text="How you tell this unit apart, e.g. 'Roller A'.")
    lot_number = forms.CharField(max_length=64, required=False, label="Lot or batch number")
    expires_on = DateField(required=False, label="Expiry date")
    units_total = forms.IntegerField(
        required=False,
        min_value=1,
        label="Units in the lot",
        help_text="Single-use cartridges, rollers or probes in this box; leave empty for one roller or pen body",
    )

    def __init__(self, *args: Any, evidence: Evidence, setting: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(k, d.name) for k, d in evidence.devices.items() if setting is None or setting in d.settings]
        set_choices(self, "catalog_id", choices)


class RecallForm(forms.Form):
    """Why a lot is recalled."""

    reason = forms.CharField(max_length=500, label="Why (the maker's notice, an adverse event...)")


class CleaningForm(forms.Form):
    """One cleaning of a reusable unit."""

    agent = forms.CharField(max_length=100, label="Cleaned with", help_text="e.g. 70% isopropyl alcohol")
    cleaned_on = DateField(label="On")
