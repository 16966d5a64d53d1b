"""Portal forms in the client's words."""

from __future__ import annotations

from typing import Any

from django import forms


class EmailForm(forms.Form):
    """The address the clinic has for the client."""

    email = forms.EmailField(label="Your email address", help_text="The address your clinic has for you.")


class ConsentForm(forms.Form):
    """The client's signature of the clinic's consent text, and their photo choices."""

    agree = forms.BooleanField(label="I have read the text above and I agree to it")
    signed_name = forms.CharField(label="Type your full name as your signature", max_length=150)
    photo_clinical = forms.BooleanField(label="Photos may be taken for my clinical record", required=False)
    photo_marketing = forms.BooleanField(
        label="My photos may be used, without my name, to show results to others", required=False
    )


class ProblemForm(forms.Form):
    """A problem after a session."""

    session = forms.TypedChoiceField(label="Which session?", coerce=int, required=False, empty_value=None)
    text = forms.CharField(
        label="What happened?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text="For example redness that lasts, swelling, pain, blisters or signs of infection. "
        "If it is urgent or you feel unwell, call the clinic or emergency services now.",
    )

    def __init__(self, *args: Any, sessions: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].choices = [("", "Not about one session")] + [  # type: ignore[attr-defined]
            (s.pk, f"Session {s.number} on {s.date:%d %B %Y}") for s in sessions
        ]
