"""The photo form: one file from the camera or the gallery, for one standard view of one zone."""

from __future__ import annotations

from django import forms

from pinpoint.web.base.forms import DateField

__all__ = ["DiaryChoiceForm", "PhotoForm"]


class PhotoForm(forms.Form):
    """One photo; the zone and view come from the card it was taken on, the date from the session or the diary."""

    zone = forms.CharField(widget=forms.HiddenInput, max_length=64)
    view = forms.CharField(widget=forms.HiddenInput, max_length=64)
    course = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**62)
    taken_on = DateField(required=False, widget=forms.HiddenInput)
    photo = forms.FileField(
        label="Photo",
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment", "data-photo-input": ""}),
        help_text="Take it with the camera or choose a JPEG, PNG or WebP photo.",
    )


class DiaryChoiceForm(forms.Form):
    """Which course and zone, and which day, a diary photo is for (the views follow from the zone)."""

    course = forms.TypedChoiceField(coerce=int, label="Course")
    zone = forms.ChoiceField(label="Zone")
    taken_on = DateField(label="Day taken")
