"""Forms: an outcome score, an adverse event report and its follow-up (choices from core's vocabularies)."""

from __future__ import annotations

from typing import Any

from django import forms

from pinpoint.core.adverse import OUTCOMES, kinds, severities
from pinpoint.core.outcomes import RATERS, mmasi_regions, scales
from pinpoint.evidence.loader import Evidence
from pinpoint.web.base.forms import DateField, OnceForm, set_choices

__all__ = ["AdverseEventForm", "FollowUpForm", "ScoreForm"]


class ScoreForm(OnceForm):
    """A score on one scale; an mMASI is given by its region grades instead of a value."""

    scale = forms.ChoiceField(label="Scale")
    rater = forms.ChoiceField(label="Rated by")
    taken_on = DateField(label="Date")
    value = forms.DecimalField(required=False, max_digits=9, decimal_places=2, label="Score")

    def __init__(self, *args: Any, evidence: Evidence, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "scale", [(s.id, s.name) for s in scales(evidence)])
        set_choices(self, "rater", [(k, v.capitalize()) for k, v in RATERS.items()])
        for rid, name, _ in mmasi_regions(evidence):
            for part in ("area", "darkness"):
                self.fields[f"{rid}_{part}"] = forms.IntegerField(
                    required=False, label=f"mMASI {name}: {part}", min_value=-(10**6), max_value=10**6
                )
        self.regions = [rid for rid, _, _ in mmasi_regions(evidence)]

    def components(self) -> dict[str, dict[str, float]] | None:
        """The mMASI grades given, by region (``None`` when no grade is given)."""
        d = self.cleaned_data
        out = {
            rid: {p: d[f"{rid}_{p}"] for p in ("area", "darkness") if d.get(f"{rid}_{p}") is not None}
            for rid in self.regions
        }
        return out if any(out.values()) else None


class AdverseEventForm(OnceForm):
    """What happened after a session."""

    kind = forms.ChoiceField(label="What happened")
    severity = forms.ChoiceField(label="Severity", widget=forms.RadioSelect)
    onset_on = DateField(label="Began on")
    zones = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Where",
        help_text="Leave empty for every zone treated in the session; the lots used there are flagged",
    )
    action_taken = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}), label="What was done"
    )

    def __init__(self, *args: Any, evidence: Evidence, zones: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "kind", list(kinds(evidence)))
        set_choices(self, "severity", list(severities(evidence)))
        set_choices(self, "zones", zones)


class FollowUpForm(OnceForm):
    """How an adverse event stands now."""

    outcome = forms.ChoiceField(label="Now", choices=list(OUTCOMES.items()))
    resolved_on = DateField(required=False, label="Resolved on", help_text="Only when it has resolved")
    note = forms.CharField(required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}), label="Note")
