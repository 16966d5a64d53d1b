"""Client details and the medical-history questionnaire.

The questionnaire form only collects answers and turns them into core's answers contract;
core (``parse_answers``) validates them and the screening rules judge them. A question left
blank is *unanswered*, which screening reports, never treats as safe.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from pinpoint.core.dates import check_future_date
from pinpoint.core.errors import InputError
from pinpoint.evidence.loader import Evidence
from pinpoint.web.base.forms import OnceForm, date_input, set_choices

__all__ = ["RADIATION_ROWS", "ClientForm", "QuestionnaireForm", "ScreeningDateForm", "SearchForm"]

RADIATION_ROWS = 3
YES_NO = [("", "not answered"), ("yes", "Yes"), ("no", "No")]
FLAGS = {
    "pregnant": "Pregnant?",
    "breastfeeding": "Breastfeeding?",
    "anticoagulants": "Taking anticoagulants (blood thinners)?",
    "bleeding_disorder": "A bleeding disorder (e.g. haemophilia)?",
    "keloid_history": "Keloid or hypertrophic scars in the past?",
    "herpes_history": "Cold sores (herpes simplex) in the past?",
    "immunosuppressed": "Immunosuppressed (by illness or medicines)?",
    "metal_allergy": "Allergic to metals (nickel, stainless steel)?",
    "pacemaker_or_implant": "A pacemaker or other electronic implant?",
}
ZONE_QUESTIONS = {
    "active_infection_zones": "An active skin infection in any zone?",
    "active_acne_zones": "Active acne in any zone?",
    "eczema_psoriasis_zones": "Eczema or psoriasis in any zone?",
    "skin_cancer_zones": "Skin cancer, or a suspicious lesion, in any zone?",
}


class ClientForm(OnceForm):
    """A client's details."""

    full_name = forms.CharField(max_length=150, label="Full name")
    birth_date = forms.DateField(required=False, label="Date of birth", help_text="YYYY-MM-DD", widget=date_input())
    email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=40, required=False)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


class SearchForm(forms.Form):
    """The client search box."""

    q = forms.CharField(max_length=100, required=False, label="Search by name, email or phone")


class ScreeningDateForm(forms.Form):
    """The date a questionnaire is screened on: core says which dates are plausible, seen on ``today``."""

    on = forms.DateField(label="Screen on", help_text="YYYY-MM-DD", widget=date_input())

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_on(self) -> dt.date:
        """A date one could screen on (core's booking range), else the reason beside the field."""
        on: dt.date = self.cleaned_data["on"]
        try:
            return check_future_date("on", on, self.today, label="screening date")
        except InputError as exc:
            raise forms.ValidationError(exc.message) from None


def _zone_choices(evidence: Evidence) -> list[tuple[str, str]]:
    return [(z, f"{v.name}") for z, v in evidence.zones.items()]


class QuestionnaireForm(OnceForm):
    """The questionnaire of the screening contract (see ``pinpoint.core.answers``)."""

    taken_on = forms.DateField(label="Questionnaire date", help_text="YYYY-MM-DD", widget=date_input())
    treatment = forms.ChoiceField(choices=[("microneedling", "Microneedling"), ("electrolysis", "Needle electrolysis")])
    setting = forms.ChoiceField(choices=[("clinic", "In a clinic"), ("home", "At home")])
    zones = forms.MultipleChoiceField(label="Zones to treat", widget=forms.CheckboxSelectMultiple)
    birth_date = forms.DateField(required=False, label="Date of birth", help_text="YYYY-MM-DD", widget=date_input())
    skin_type = forms.ChoiceField(
        required=False,
        label="Fitzpatrick skin type",
        choices=[("", "not answered"), *((r, r) for r in ("I", "II", "III", "IV", "V", "VI"))],
    )
    isotretinoin = forms.ChoiceField(
        required=False,
        label="Isotretinoin (e.g. Roaccutane)?",
        choices=[("", "not answered"), ("never", "Never, or not recently"), ("taken", "Yes: last dose on")],
    )
    isotretinoin_last_dose = forms.DateField(
        required=False, label="Last isotretinoin dose", help_text="YYYY-MM-DD", widget=date_input()
    )
    diabetes = forms.ChoiceField(
        required=False,
        label="Diabetes?",
        choices=[
            ("", "not answered"),
            ("none", "No"),
            ("controlled", "Yes, controlled"),
            ("uncontrolled", "Yes, not controlled"),
        ],
    )
    radiation = forms.ChoiceField(required=False, label="Radiotherapy to any zone?", choices=YES_NO)

    def __init__(self, *args: Any, evidence: Evidence, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = _zone_choices(evidence)
        set_choices(self, "zones", choices)
        for name, label in FLAGS.items():
            self.fields[name] = forms.ChoiceField(required=False, label=label, choices=YES_NO)
        for name, label in ZONE_QUESTIONS.items():
            self.fields[f"{name}_any"] = forms.ChoiceField(required=False, label=label, choices=YES_NO)
            self.fields[name] = forms.MultipleChoiceField(
                required=False, label="Which zones", choices=choices, widget=forms.CheckboxSelectMultiple
            )
        for i in range(1, RADIATION_ROWS + 1):
            self.fields[f"radiation_zone_{i}"] = forms.ChoiceField(
                required=False, label=f"Irradiated zone {i}", choices=[("", "-"), *choices]
            )
            self.fields[f"radiation_date_{i}"] = forms.DateField(
                required=False, label=f"Last radiotherapy on zone {i}", help_text="YYYY-MM-DD", widget=date_input()
            )

    def flag_fields(self) -> list[forms.BoundField]:
        """The yes/no questions, for the template."""
        return [self[name] for name in FLAGS]

    def zone_questions(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """The zone questions: (yes/no, which zones)."""
        return [(self[f"{name}_any"], self[name]) for name in ZONE_QUESTIONS]

    def radiation_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """The radiotherapy rows: (zone, last date)."""
        return [(self[f"radiation_zone_{i}"], self[f"radiation_date_{i}"]) for i in range(1, RADIATION_ROWS + 1)]

    def clean(self) -> dict[str, Any]:
        """Completeness only (a 'yes' needs its zones or date); core judges the answers."""
        cleaned = super().clean() or {}
        if cleaned.get("isotretinoin") == "taken" and not cleaned.get("isotretinoin_last_dose"):
            self.add_error("isotretinoin_last_dose", "give the date of the last dose")
        for name in ZONE_QUESTIONS:
            if cleaned.get(f"{name}_any") == "yes" and not cleaned.get(name):
                self.add_error(name, "tick the zones concerned")
        if cleaned.get("radiation") == "yes":
            for i in range(1, RADIATION_ROWS + 1):
                zone, day = cleaned.get(f"radiation_zone_{i}"), cleaned.get(f"radiation_date_{i}")
                if bool(zone) != bool(day):
                    self.add_error(f"radiation_date_{i}" if zone else f"radiation_zone_{i}", "give both zone and date")
            if not any(cleaned.get(f"radiation_zone_{i}") for i in range(1, RADIATION_ROWS + 1)):
                self.add_error("radiation_zone_1", "give at least one irradiated zone and its date")
        return cleaned

    def answers(self) -> dict[str, Any]:
        """The answers contract as JSON values: only answered questions appear."""
        d = self.cleaned_data
        raw: dict[str, Any] = {"treatment": d["treatment"], "setting": d["setting"], "zones": list(d["zones"])}
        if d.get("birth_date"):
            raw["birth_date"] = d["birth_date"].isoformat()
        if d.get("skin_type"):
            raw["skin_type"] = d["skin_type"]
        if d.get("isotretinoin") == "never":
            raw["isotretinoin_last_dose"] = None
        elif d.get("isotretinoin") == "taken" and d.get("isotretinoin_last_dose"):
            raw["isotretinoin_last_dose"] = d["isotretinoin_last_dose"].isoformat()
        if d.get("diabetes"):
            raw["diabetes"] = d["diabetes"]
        for name in FLAGS:
            if d.get(name):
                raw[name] = d[name] == "yes"
        for name in ZONE_QUESTIONS:
            if d.get(f"{name}_any") == "no":
                raw[name] = []
            elif d.get(f"{name}_any") == "yes":
                raw[name] = list(d.get(name) or [])
        if d.get("radiation") == "no":
            raw["radiation_zones"] = []
        elif d.get("radiation") == "yes":
            raw["radiation_zones"] = [
                {"zone": d[f"radiation_zone_{i}"], "last_date": d[f"radiation_date_{i}"].isoformat()}
                for i in range(1, RADIATION_ROWS + 1)
                if d.get(f"radiation_zone_{i}") and d.get(f"radiation_date_{i}")
            ]
        return raw


def initial_from_answers(raw: dict[str, Any]) -> dict[str, Any]:
    """Form initial values from a stored answers contract (to start a new questionnaire from the last one)."""
    init: dict[str, Any] = {k: raw[k] for k in ("treatment", "setting", "zones", "birth_date", "diabetes") if k in raw}
    if raw.get("skin_type") is not None:
        init["skin_type"] = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI"}.get(
            raw["skin_type"], raw["skin_type"]
        )
    if "isotretinoin_last_dose" in raw:
        init["isotretinoin"] = "taken" if raw["isotretinoin_last_dose"] else "never"
        init["isotretinoin_last_dose"] = raw["isotretinoin_last_dose"]
    for name in FLAGS:
        if isinstance(raw.get(name), bool):
            init[name] = "yes" if raw[name] else "no"
    for name in ZONE_QUESTIONS:
        if isinstance(raw.get(name), list):
            init[f"{name}_any"] = "yes" if raw[name] else "no"
            init[name] = raw[name]
    entries = raw.get("radiation_zones")
    if isinstance(entries, list):
        init["radiation"] = "yes" if entries else "no"
        for i, entry in enumerate(entries[:RADIATION_ROWS], 1):
            init[f"radiation_zone_{i}"] = entry.get("zone")
            init[f"radiation_date_{i}"] = entry.get("last_date")
    return init
