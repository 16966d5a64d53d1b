"""Consent signing, withdrawal, and template versions."""

from __future__ import annotations

from django import forms

from pinpoint.web.base.forms import OnceForm
from pinpoint.web.consents.models import TREATMENTS, Consent

YES_NO = [("yes", "Yes"), ("no", "No")]


class SignConsentForm(OnceForm):
    """The client reads the text, types their name, and answers the two photo questions separately."""

    signed_name = forms.CharField(max_length=150, label="Signer's full name, typed")
    signer = forms.ChoiceField(choices=Consent.Signer.choices, initial=Consent.Signer.CLIENT)
    photo_clinical = forms.ChoiceField(
        choices=YES_NO, widget=forms.RadioSelect, label="Photos may be taken for my clinical record"
    )
    photo_marketing = forms.ChoiceField(
        choices=YES_NO,
        widget=forms.RadioSelect,
        label="My photos may be used, without my name, in the clinic's publicity",
    )
    agree = forms.BooleanField(label="I have read the text above and I consent to the treatment")


class WithdrawForm(forms.Form):
    """Why the consent is withdrawn."""

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Reason, or the client's words")


class TemplateForm(OnceForm):
    """A new version of a consent template."""

    treatment = forms.ChoiceField(choices=TREATMENTS)
    title = forms.CharField(max_length=200)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 14}), label="Consent text")
