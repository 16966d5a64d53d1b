"""Forms of the electrolysis pages; every choice comes from core and the evidence, every rule is core's."""

from __future__ import annotations

from typing import Any

from django import forms

from pinpoint.core.hair import area_summaries, modality_summaries
from pinpoint.core.hair_course import COUNT_KINDS
from pinpoint.core.hair_records import probe_size_choices, probe_type_choices, reaction_choices
from pinpoint.evidence.loader import Evidence
from pinpoint.web.base.forms import DateField, OnceForm

__all__ = ["AddendumForm", "AreaRecordForm", "CourseForm", "SignForm", "StartForm"]


class CourseForm(OnceForm):
    """Areas, modality, first day and the starting count of a course."""

    areas = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple)
    modality = forms.ChoiceField()
    start_on = DateField(label="First session")
    count_kind = forms.ChoiceField(label="Starting count", choices=COUNT_KINDS, widget=forms.RadioSelect)
    window_cm2 = forms.FloatField(label="Window size (cm²)", required=False, min_value=0.01)
    hairs_seen = forms.IntegerField(label="Hairs counted in the window", required=False, min_value=0)
    hairs_estimate = forms.IntegerField(label="Hairs on the whole area (estimate)", required=False, min_value=0)
    uncertainty_percent = forms.FloatField(label="Uncertainty of the estimate (%)", required=False, min_value=0)

    def __init__(self, *args: Any, evidence: Evidence, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        areas = self.fields["areas"]
        modality = self.fields["modality"]
        assert isinstance(areas, forms.MultipleChoiceField)  # noqa: S101 - declared above
        assert isinstance(modality, forms.ChoiceField)  # noqa: S101 - declared above
        areas.choices = [(a.id, a.name) for a in area_summaries(evidence)]
        modality.choices = [(m.id, m.name) for m in modality_summaries(evidence)]


class AreaRecordForm(forms.Form):
    """One area's record in a session; limits are checked by core and shown beside the field."""

    area = forms.CharField(widget=forms.HiddenInput)
    probe_type = forms.ChoiceField()
    probe_size = forms.ChoiceField()
    current_ma = forms.FloatField(label="Current (mA)", required=False)
    intensity_w = forms.FloatField(label="Intensity (W)", required=False)
    seconds_per_insertion = forms.FloatField(label="Time per insertion (seconds)")
    insertions = forms.IntegerField(min_value=0)
    hairs_removed = forms.IntegerField(min_value=0)
    minutes = forms.FloatField(label="Minutes on this area")
    reaction = forms.ChoiceField(label="Skin reaction at the end")
    aftercare_given = forms.BooleanField(label="Aftercare given", required=False)
    window_cm2 = forms.FloatField(label="Count window (cm²)", required=False)
    hairs_seen = forms.IntegerField(label="Hairs seen in the window", required=False, min_value=0)

    def __init__(self, *args: Any, evidence: Evidence, uses: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, choices in (
            ("probe_type", probe_type_choices(evidence)),
            ("probe_size", probe_size_choices(evidence)),
            ("reaction", reaction_choices(evidence)),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
            field.choices = list(choices)
        for name in ("current_ma", "intensity_w"):
            if name not in uses:
                del self.fields[name]


class StartForm(forms.Form):
    """Open the session held on a day: today unless the session is recorded afterwards."""

    on = DateField(label="Held on", required=False)


class SignForm(forms.Form):
    """Sign the session: the practitioner confirms the record."""

    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    confirm = forms.BooleanField(label="I performed this session and the record is complete", required=True)


class AddendumForm(forms.Form):
    """A correction or note on a signed session."""

    text = forms.CharField(label="Addendum", widget=forms.Textarea(attrs={"rows": 3}))
