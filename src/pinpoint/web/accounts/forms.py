"""Forms of sign-up, sign-in, invitations and organization settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm

from pinpoint.evidence.loader import load_evidence
from pinpoint.web.accounts.models import Organization, User
from pinpoint.web.base.forms import DateField, OnceForm
from pinpoint.web.base.permissions import Role

ROLE_CHOICES = [(r.value, r.value.title()) for r in Role]
TZ_CHOICES = [(tz, tz) for tz in settings.TIME_ZONES]


class EmailAuthenticationForm(AuthenticationForm):
    """Sign in with an email address."""

    username = forms.EmailField(label="Email address", widget=forms.EmailInput(attrs={"autofocus": True}))

    def clean_username(self) -> str:
        """Email addresses are stored in lower case."""
        return str(self.cleaned_data["username"]).strip().lower()


class PasswordPairMixin(forms.Form):
    """Password typed twice, checked by Django's validators."""

    password1 = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label="Password again", strip=False, widget=forms.PasswordInput)

    def check_passwords(self, cleaned: dict[str, Any], email: str, full_name: str) -> None:
        """Both passwords equal and acceptable to the validators; errors beside the fields."""
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "the two passwords differ")
        elif p1:
            try:
                password_validation.validate_password(p1, User(email=email, full_name=full_name))
            except forms.ValidationError as exc:
                self.add_error("password1", exc)


class OrganizationFields(forms.Form):
    """A new organization."""

    kind = forms.ChoiceField(
        choices=Organization.Kind.choices, widget=forms.RadioSelect, initial=Organization.Kind.PERSONAL
    )
    organization_name = forms.CharField(
        max_length=150, required=False, label="Clinic name", help_text="For a clinic; a personal space needs none."
    )
    time_zone = forms.ChoiceField(
        choices=TZ_CHOICES, initial="UTC", widget=forms.Select(attrs={"data-browser-tz": "1"})
    )
    birth_date = DateField(
        required=False,
        label="Your date of birth",
        help_text="Personal space: used by the questionnaire.",
    )

    def clean(self) -> dict[str, Any]:
        """A clinic needs a name."""
        cleaned = super().clean() or {}
        if cleaned.get("kind") == Organization.Kind.CLINIC and not (cleaned.get("organization_name") or "").strip():
            self.add_error("organization_name", "give the clinic's name")
        return cleaned


class SignupEmailForm(forms.Form):
    """Step one of sign-up: the address the link goes to (the answer never says whether it has an account)."""

    email = forms.EmailField(label="Email address")
    kind = forms.ChoiceField(choices=Organization.Kind.choices, required=False, widget=forms.HiddenInput)

    def clean_email(self) -> str:
        """Email addresses are stored in lower case."""
        return str(self.cleaned_data["email"]).strip().lower()


class SignupForm(PasswordPairMixin, OrganizationFields):
    """Step two of sign-up, from the emailed link: the account and its organization."""

    full_name = forms.CharField(max_length=150, label="Your name")

    field_order = [  # noqa: RUF012 - Django reads this list; it is never mutated
        "kind",
        "full_name",
        "password1",
        "password2",
        "organization_name",
        "time_zone",
        "birth_date",
    ]

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        """Organization fields and passwords."""
        cleaned = super().clean()
        self.check_passwords(cleaned, self.email, cleaned.get("full_name", ""))
        return cleaned


class StartForm(OnceForm, OrganizationFields):
    """An existing user creates another organization."""


class InvitationSignupForm(PasswordPairMixin):
    """A new account for an invited email."""

    full_name = forms.CharField(max_length=150, label="Your name")

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        """Passwords."""
        cleaned = super().clean() or {}
        self.check_passwords(cleaned, self.email, cleaned.get("full_name", ""))
        return cleaned


class InviteForm(forms.Form):
    """Invite someone by email with a role."""

    email = forms.EmailField(label="Email address")
    role = forms.ChoiceField(choices=ROLE_CHOICES, initial=Role.PRACTITIONER)


class RoleForm(forms.Form):
    """Change a member's role."""

    role = forms.ChoiceField(choices=ROLE_CHOICES)


class OrganizationForm(forms.Form):
    """Name and time zone."""

    name = forms.CharField(max_length=150)
    time_zone = forms.ChoiceField(choices=TZ_CHOICES)


class PolicyForm(forms.Form):
    """One optional number per policy default; blank keeps the default."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, item in load_evidence().policy.items():
            lo, hi = item.bounds
            self.fields[key] = forms.FloatField(
                required=False,
                label=f"{item.description} ({item.unit})",
                help_text=f"default {item.value:g}; allowed {lo:g}-{hi:g} {item.unit}. Published: {item.published}",
            )

    def overrides(self) -> dict[str, float]:
        """The values given (blank fields keep the default)."""
        return {k: v for k, v in self.cleaned_data.items() if v is not None}
