"""Client details and the medical-history questionnaire.

The questionnaire form only collects answers and turns them into core's answers contract;
core (``parse_answers``) validates them and the screening rules judge them. A question left
blank is *unanswered*, which screening reports, never treats as safe.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms

from pinpoint.core.answers import answer_choices, parse_skin_type
from pinpoint.core.dates import check_future_date
from pinpoint.core.errors import InputError
from pinpoint.core.vocab import ROMAN, setting_choices, skin_type_choices, treatment_choices
from pinpoint.evidence.loader import Evidence
from pinpoint.web.base.forms import DateField, OnceForm, set_choices

__all__ = [
    "RADIATION_ROWS",
    "ClientForm",
    "NewClientForm",
    "Question",
    "QuestionnaireForm",
    "ScreeningDateForm",
    "SearchForm",
    "Section",
]

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
    "autoimmune_disease": "An autoimmune or collagen-vascular disease (e.g. lupus, scleroderma)?",
    "epilepsy": "Epilepsy?",
}
ZONE_QUESTIONS = {
    "active_infection_zones": "An active skin infection or cold sore in any zone?",
    "active_acne_zones": "Active acne in any zone?",
    "eczema_psoriasis_zones": "Eczema or psoriasis in any zone?",
    "skin_cancer_zones": "Skin cancer, or a suspicious lesion, in any zone?",
    "tattoo_zones": "A tattoo or permanent make-up in any zone?",
}
CHOICE_QUESTIONS = {
    "koebner_condition": "Vitiligo, psoriasis, lichen planus or another skin disease that appears where skin is hurt?",
    "hirsutism_onset": "Unwanted hair: has it come on gradually, or fast or with a deeper voice, balding or other "
    "signs of virilisation?",
}
"""Choice questions whose answers are core's vocabulary (``answer_choices``)."""
LIST_QUESTIONS = {
    "anaesthetic_risks": (
        "A reason not to use numbing cream (allergy to local anaesthetics, liver disease, heart-rhythm medicines...)?",
        "Which",
    ),
}
LAST_USE_QUESTIONS = {
    "isotretinoin_last_dose": ("isotretinoin", "Isotretinoin (e.g. Roaccutane)?", "Last isotretinoin dose"),
    "retinoid_last_use": (
        "retinoid",
        "A retinoid cream (tretinoin, retinol, adapalene)?",
        "Last used on",
    ),
}
"""Date-or-never questions: (choice field, question, date label)."""
DATED_ZONE_QUESTIONS = {
    "radiation_zones": ("radiation", "Radiotherapy to any zone?", "Irradiated zone", "Last radiotherapy", "last_date"),
    "neuromodulator_zones": (
        "neuromodulator",
        "Botulinum toxin (e.g. Botox) in any zone?",
        "Toxin in zone",
        "Last toxin injection",
        "last_date",
    ),
    "filler_zones": ("filler", "A dermal filler in any zone?", "Filler in zone", "Last filler injection", "last_date"),
    "sunburn_zones": ("sunburn", "Sunburn or a fresh tan on any zone?", "Sunburnt zone", "Date of sunburn", "date"),
}
"""Lists of ``{zone, date}``: (field prefix, question, zone label, date label, date key)."""


def _words(value: str) -> str:
    """A vocabulary value as a person reads it (``lichen_planus`` -> ``Lichen planus``; ``none`` -> ``No``)."""
    return "No" if value == "none" else value.replace("_", " ").capitalize()


def _choices(field: str) -> list[tuple[str, str]]:
    return [(v, _words(v)) for v in answer_choices(field)]


class ClientForm(OnceForm):
    """A client's details."""

    full_name = forms.CharField(max_length=150, label="Full name")
    birth_date = DateField(required=False, label="Date of birth")
    email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=40, required=False)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


class NewClientForm(ClientForm):
    """A new client's details; ``confirm_new`` saves a client whose name and birth date another one has."""

    confirm_new = forms.BooleanField(required=False, label="This is a different person")


class SearchForm(forms.Form):
    """The client search box."""

    q = forms.CharField(max_length=100, required=False, label="Search by name, email or phone")


class ScreeningDateForm(forms.Form):
    """The date a questionnaire is screened on: core says which dates are plausible, seen on ``today``."""

    on = DateField(label="Screen on")

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


@dataclass(frozen=True)
class Question:
    """One question of the questionnaire, with the rows of fields it opens when answered ``when``."""

    field: forms.BoundField
    follow: tuple[tuple[forms.BoundField, ...], ...] = ()
    when: str = ""

    @property
    def follow_errors(self) -> bool:
        """True when a field this question opens has an error (then it shows whatever the answer)."""
        return any(f.errors for row in self.follow for f in row)


@dataclass(frozen=True)
class Section:
    """A titled group of questions: the page shows one group open at a time."""

    key: str
    title: str
    questions: list[Question]

    @property
    def error_count(self) -> int:
        """How many of the section's fields have an error (the section opens when there is one)."""
        return sum(bool(q.field.errors) + sum(bool(f.errors) for row in q.follow for f in row) for q in self.questions)


def _zone_choices(evidence: Evidence) -> list[tuple[str, str]]:
    return [(z, f"{v.name}") for z, v in evidence.zones.items()]


class QuestionnaireForm(OnceForm):
    """The questionnaire of the screening contract (see ``pinpoint.core.answers``)."""

    taken_on = DateField(label="Questionnaire date")
    treatment = forms.ChoiceField(choices=treatment_choices())
    setting = forms.ChoiceField(choices=setting_choices())
    zones = forms.MultipleChoiceField(label="Zones to treat", widget=forms.CheckboxSelectMultiple)
    birth_date = DateField(required=False, label="Date of birth")
    skin_type = forms.ChoiceField(
        required=False,
        label="Fitzpatrick skin type",
        choices=[("", "not answered"), *skin_type_choices()],
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

    def __init__(self, *args: Any, evidence: Evidence, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = _zone_choices(evidence)
        set_choices(self, "zones", choices)
        for name, (choice, label, date_label) in LAST_USE_QUESTIONS.items():
            self.fields[choice] = forms.ChoiceField(
                required=False,
                label=label,
                choices=[("", "not answered"), ("never", "Never, or not recently"), ("taken", "Yes: last on")],
            )
            self.fields[name] = DateField(required=False, label=date_label)
        for name, label in FLAGS.items():
            self.fields[name] = forms.ChoiceField(required=False, label=label, choices=YES_NO)
        for name, label in CHOICE_QUESTIONS.items():
            self.fields[name] = forms.ChoiceField(
                required=False, label=label, choices=[("", "not answered"), *_choices(name)]
            )
        for name, (label, which) in LIST_QUESTIONS.items():
            self.fields[f"{name}_any"] = forms.ChoiceField(required=False, label=label, choices=YES_NO)
            self.fields[name] = forms.MultipleChoiceField(
                required=False, label=which, choices=_choices(name), widget=forms.CheckboxSelectMultiple
            )
        for name, label in ZONE_QUESTIONS.items():
            self.fields[f"{name}_any"] = forms.ChoiceField(required=False, label=label, choices=YES_NO)
            self.fields[name] = forms.MultipleChoiceField(
                required=False, label="Which zones", choices=choices, widget=forms.CheckboxSelectMultiple
            )
        for prefix, label, zone_label, date_label, _key in DATED_ZONE_QUESTIONS.values():
            self.fields[prefix] = forms.ChoiceField(required=False, label=label, choices=YES_NO)
            for i in range(1, RADIATION_ROWS + 1):
                self.fields[f"{prefix}_zone_{i}"] = forms.ChoiceField(
                    required=False, label=f"{zone_label} {i}", choices=[("", "-"), *choices]
                )
                self.fields[f"{prefix}_date_{i}"] = DateField(required=False, label=f"{date_label} on zone {i}")

    def field_of(self) -> dict[str, str]:
        """Where core's error about an answers field shows: a dated-zone list beside its first row."""
        return {name: f"{prefix}_zone_1" for name, (prefix, *_) in DATED_ZONE_QUESTIONS.items()}

    def flag_fields(self) -> list[forms.BoundField]:
        """The yes/no questions, for the template."""
        return [self[name] for name in FLAGS]

    def choice_fields(self) -> list[forms.BoundField]:
        """The questions answered from core's vocabularies, for the template."""
        return [self[name] for name in CHOICE_QUESTIONS]

    def last_use_questions(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """The date-or-never questions: (never/taken, last date)."""
        return [(self[choice], self[name]) for name, (choice, _, _) in LAST_USE_QUESTIONS.items()]

    def list_questions(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """The list questions: (yes/no, which)."""
        return [(self[f"{name}_any"], self[name]) for name in LIST_QUESTIONS]

    def zone_questions(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """The zone questions: (yes/no, which zones)."""
        return [(self[f"{name}_any"], self[name]) for name in ZONE_QUESTIONS]

    def dated_zone_questions(self) -> list[tuple[forms.BoundField, list[tuple[forms.BoundField, forms.BoundField]]]]:
        """The dated zone questions: (yes/no, [(zone, date) rows])."""
        rows = range(1, RADIATION_ROWS + 1)
        return [
            (self[prefix], [(self[f"{prefix}_zone_{i}"], self[f"{prefix}_date_{i}"]) for i in rows])
            for prefix, *_ in DATED_ZONE_QUESTIONS.values()
        ]

    def sections(self) -> list[Section]:
        """The questions in the groups the page shows, each follow-up beside the question that opens it."""
        rows = range(1, RADIATION_ROWS + 1)
        return [
            Section(
                "treatment", "Treatment", [Question(self[n]) for n in ("taken_on", "treatment", "setting", "zones")]
            ),
            Section("about", "About you", [Question(self["birth_date"]), Question(self["skin_type"])]),
            Section(
                "health",
                "Health",
                [
                    *(Question(f) for f in self.flag_fields()),
                    Question(self["diabetes"]),
                    *(Question(f) for f in self.choice_fields()),
                    *(Question(any_, ((which,),), "yes") for any_, which in self.list_questions()),
                ],
            ),
            Section(
                "medicines",
                "Medicines and creams",
                [Question(taken, ((day,),), "taken") for taken, day in self.last_use_questions()],
            ),
            Section(
                "skin", "Skin, zone by zone", [Question(any_, ((z,),), "yes") for any_, z in self.zone_questions()]
            ),
            Section(
                "sun",
                "Treatments and sun, zone by zone",
                [
                    Question(self[p], tuple((self[f"{p}_zone_{i}"], self[f"{p}_date_{i}"]) for i in rows), "yes")
                    for p, *_ in DATED_ZONE_QUESTIONS.values()
                ],
            ),
        ]

    def radiation_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """The radiotherapy rows: (zone, last date)."""
        return [(self[f"radiation_zone_{i}"], self[f"radiation_date_{i}"]) for i in range(1, RADIATION_ROWS + 1)]

    def clean(self) -> dict[str, Any]:
        """Completeness only (a 'yes' needs its zones or date); core judges the answers."""
        cleaned = super().clean() or {}
        for name, (choice, _, _) in LAST_USE_QUESTIONS.items():
            if cleaned.get(choice) == "taken" and not cleaned.get(name):
                self.add_error(name, "give the date of the last dose" if choice == "isotretinoin" else "give the date")
        for name in (*ZONE_QUESTIONS, *LIST_QUESTIONS):
            if cleaned.get(f"{name}_any") == "yes" and not cleaned.get(name):
                what = "the zones concerned" if name in ZONE_QUESTIONS else "the ones that apply"
                self.add_error(name, f"tick {what}")
        for prefix, *_ in DATED_ZONE_QUESTIONS.values():
            if cleaned.get(prefix) != "yes":
                continue
            for i in range(1, RADIATION_ROWS + 1):
                zone, day = cleaned.get(f"{prefix}_zone_{i}"), cleaned.get(f"{prefix}_date_{i}")
                if bool(zone) != bool(day):
                    self.add_error(f"{prefix}_date_{i}" if zone else f"{prefix}_zone_{i}", "give both zone and date")
            if not any(cleaned.get(f"{prefix}_zone_{i}") for i in range(1, RADIATION_ROWS + 1)):
                self.add_error(f"{prefix}_zone_1", "give at least one zone and its date")
        return cleaned

    def answers(self) -> dict[str, Any]:
        """The answers contract as JSON values: only answered questions appear."""
        d = self.cleaned_data
        raw: dict[str, Any] = {"treatment": d["treatment"], "setting": d["setting"], "zones": list(d["zones"])}
        if d.get("birth_date"):
            raw["birth_date"] = d["birth_date"].isoformat()
        if d.get("skin_type"):
            raw["skin_type"] = d["skin_type"]
        return raw | _last_uses(d) | _choices_and_flags(d) | _lists(d) | _dated_zones(d)


def _last_uses(d: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, (choice, _, _) in LAST_USE_QUESTIONS.items():
        if d.get(choice) == "never":
            out[name] = None
        elif d.get(choice) == "taken" and d.get(name):
            out[name] = d[name].isoformat()
    return out


def _choices_and_flags(d: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {name: d[name] for name in ("diabetes", *CHOICE_QUESTIONS) if d.get(name)}
    return out | {name: d[name] == "yes" for name in FLAGS if d.get(name)}


def _lists(d: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in (*LIST_QUESTIONS, *ZONE_QUESTIONS):
        if d.get(f"{name}_any") == "no":
            out[name] = []
        elif d.get(f"{name}_any") == "yes":
            out[name] = list(d.get(name) or [])
    return out


def _dated_zones(d: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, (prefix, _, _, _, key) in DATED_ZONE_QUESTIONS.items():
        if d.get(prefix) == "no":
            out[name] = []
        elif d.get(prefix) == "yes":
            out[name] = [
                {"zone": d[f"{prefix}_zone_{i}"], key: d[f"{prefix}_date_{i}"].isoformat()}
                for i in range(1, RADIATION_ROWS + 1)
                if d.get(f"{prefix}_zone_{i}") and d.get(f"{prefix}_date_{i}")
            ]
    return out


def initial_from_answers(raw: dict[str, Any]) -> dict[str, Any]:
    """Form initial values from a stored answers contract (to start a new questionnaire from the last one)."""
    keys = ("treatment", "setting", "zones", "birth_date", "diabetes", *CHOICE_QUESTIONS)
    init: dict[str, Any] = {k: raw[k] for k in keys if k in raw}
    if raw.get("skin_type") is not None:
        try:
            number = parse_skin_type(raw["skin_type"])
            init["skin_type"] = next(r for r, n in ROMAN.items() if n == number)
        except InputError:
            init["skin_type"] = raw["skin_type"]
    return init | _initial_questions(raw) | _initial_dated_zones(raw)


def _initial_questions(raw: dict[str, Any]) -> dict[str, Any]:
    init: dict[str, Any] = {}
    for name, (choice, _, _) in LAST_USE_QUESTIONS.items():
        if name in raw:
            init[choice] = "taken" if raw[name] else "never"
            init[name] = raw[name] or None
    init |= {name: "yes" if raw[name] else "no" for name in FLAGS if isinstance(raw.get(name), bool)}
    for name in (*LIST_QUESTIONS, *ZONE_QUESTIONS):
        if isinstance(raw.get(name), list):
            init[f"{name}_any"] = "yes" if raw[name] else "no"
            init[name] = raw[name]
    return init


def _initial_dated_zones(raw: dict[str, Any]) -> dict[str, Any]:
    init: dict[str, Any] = {}
    for name, (prefix, _, _, _, key) in DATED_ZONE_QUESTIONS.items():
        entries = raw.get(name)
        if isinstance(entries, list):
            init[prefix] = "yes" if entries else "no"
            for i, entry in enumerate(entries[:RADIATION_ROWS], 1):
                init[f"{prefix}_zone_{i}"] = entry.get("zone")
                init[f"{prefix}_date_{i}"] = entry.get(key)
    return init
