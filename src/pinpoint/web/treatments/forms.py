"""Course planning, booking changes, session start and the session runner."""

from __future__ import annotations

from typing import Any

from django import forms

from pinpoint.core.guide import Step
from pinpoint.core.vocab import ROMAN, setting_choices
from pinpoint.evidence.loader import Evidence
from pinpoint.web.base.forms import DateField, OnceForm, set_choices
from pinpoint.web.devices.models import DeviceUnit

SKIN_TYPES = [("", "from the questionnaire"), *((str(n), r) for r, n in ROMAN.items())]
MAX_PASSES = 999  # storage bound of the field, not a clinical limit: core judges the number


class ApprovalFields(forms.Form):
    """A physician's approval of a referral override: who approved, when, and what (core checks all three)."""

    override_physician = forms.CharField(
        required=False,
        max_length=150,
        label="Approving physician",
        help_text="the name on the physician's written approval",
    )
    override_approved_on = DateField(required=False, label="Date of the approval")
    override_reason = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What the physician approved",
    )


class CourseForm(OnceForm, ApprovalFields):
    """What core's planner needs."""

    indication = forms.ChoiceField()
    zones = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple)
    setting = forms.ChoiceField(choices=setting_choices())
    device = forms.ChoiceField(required=False)
    start_on = DateField(label="First session")
    skin_type = forms.ChoiceField(required=False, choices=SKIN_TYPES, label="Fitzpatrick skin type")
    field_order = ("submission_id", "indication", "zones", "setting", "device", "start_on", "skin_type")
    """The approval last, after what the planner needs."""

    def __init__(self, *args: Any, evidence: Evidence, personal: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if personal:  # nobody overrides a referral for themselves: the page says to see a doctor
            for name in ApprovalFields.base_fields:
                del self.fields[name]
        else:
            self.fields["override_reason"].help_text = "kept with the course and in the audit trail"
            self.fields["override_reason"].widget.attrs["rows"] = 2
        set_choices(self, "indication", [(k, i.name) for k, i in evidence.indications.items()])
        set_choices(self, "zones", [(k, z.name) for k, z in evidence.zones.items() if "microneedling" in z.treatments])
        if personal:
            set_choices(self, "setting", [c for c in setting_choices() if c[0] == "home"])
        set_choices(self, "device", [("", "no particular device"), *((k, d.name) for k, d in evidence.devices.items())])
        if personal:
            # only the devices the evidence base allows at home are offered; another one, posted anyway,
            # still reaches core, which refuses it with its reason beside the field
            home = [(k, d.name) for k, d in evidence.devices.items() if "home" in d.settings]
            self.fields["device"].widget.choices = [("", "no particular device"), *home]


class RescheduleForm(forms.Form):
    """A new date for a booked session."""

    date = DateField(label="New date")


class CancelForm(forms.Form):
    """Why a booked session is cancelled."""

    reason = forms.CharField(max_length=500)


class StartForm(ApprovalFields):
    """Start the session; an owner or practitioner may override a referral with a physician's approval."""


class AddendumForm(OnceForm):
    """A correction or note on a signed session."""

    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Addendum")


class ZoneForm(forms.Form):
    """What was done on one zone (prefix: the zone id)."""

    treated = forms.BooleanField(required=False, initial=True, label="Treated")
    device = forms.ChoiceField(required=False, label="Device")
    device_unit = forms.ChoiceField(
        required=False,
        label="Unit or lot",
        error_messages={"invalid_choice": "choose a device in service in this organization"},
    )
    depth_mm = forms.DecimalField(required=False, max_digits=4, decimal_places=2, label="Needle depth (mm)")
    passes = forms.IntegerField(required=False, min_value=0, max_value=MAX_PASSES, label="Passes")
    endpoint_reached = forms.BooleanField(required=False, label="Endpoint reached")
    notes = forms.CharField(required=False, max_length=2000, label="Notes")

    def __init__(
        self,
        *args: Any,
        evidence: Evidence,
        setting: str,
        units: list[DeviceUnit],
        offered: list[DeviceUnit] | None = None,
        not_offered: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        devices = [(k, d.name) for k, d in evidence.devices.items() if setting in d.settings]
        set_choices(self, "device", [("", "-"), *devices])
        set_choices(self, "device_unit", [("", "-"), *((str(u.pk), str(u)) for u in units)])
        if offered is not None:
            # only the units core allows today are offered; another one, posted anyway, reaches
            # core, which refuses it beside the field with its reason
            self.fields["device_unit"].widget.choices = [("", "-"), *((str(u.pk), str(u)) for u in offered)]
        if not_offered:
            self.fields["device_unit"].help_text = "Not offered: " + "; ".join(not_offered)


class RunnerForm(forms.Form):
    """The checklist of guide steps done, and session notes."""

    checklist = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=10000)
    confirm = forms.BooleanField(required=False, label="I confirm this record is complete and accurate")
    needled_before_ready = forms.BooleanField(required=False, label="Needled before the anaesthetic was ready")

    def __init__(self, *args: Any, steps: tuple[Step, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "checklist", [(str(i), s.title) for i, s in enumerate(steps)])
