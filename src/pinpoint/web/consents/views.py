"""Consent pages: sign, view, withdraw; template versions in the organization's settings."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from pinpoint.core.errors import InputError
from pinpoint.web.audit.actions import record_view
from pinpoint.web.base.forms import add_error
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.views import actor_of, page
from pinpoint.web.clients.selectors import get_client
from pinpoint.web.consents import actions, selectors
from pinpoint.web.consents.forms import SignConsentForm, TemplateForm, WithdrawForm
from pinpoint.web.consents.models import TREATMENTS

STARTER_TEXT = (
    "I consent to the treatment named above. The practitioner has explained what it involves, what I can expect "
    "afterwards, its possible side effects and the alternatives, and I have been able to ask questions. I have "
    "answered the medical-history questionnaire truthfully and will say if anything changes before a session. "
    "I may withdraw this consent at any time."
)


@page(Perm.CONSENT_RECORD)
def consent_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the current template text and record the signature."""
    actor = actor_of(request)
    client = get_client(actor, pk)
    treatment = request.GET.get("treatment", "microneedling")
    if treatment not in dict(TREATMENTS):
        treatment = "microneedling"
    template = selectors.current_templates(actor).get(treatment)
    form = SignConsentForm(request.POST or None, initial={"signed_name": client.full_name})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            consent = actions.sign_consent(
                actor,
                client,
                treatment,
                signed_name=d["signed_name"],
                signer=d["signer"],
                photo_clinical=d["photo_clinical"] == "yes",
                photo_marketing=d["photo_marketing"] == "yes",
                now=timezone.now(),
                key=d["submission_id"],
            )
        except InputError as exc:
            add_error(form, exc)
        else:
            return redirect("consents:detail", pk=consent.pk)
    context = {"client": client, "form": form, "template": template, "treatment": treatment, "treatments": TREATMENTS}
    return render(request, "consents/sign.html", context)


@page(Perm.CLIENT_VIEW)
def consent_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The consent as signed: the frozen text, the typed name, when, recorded by whom; any withdrawal."""
    actor = actor_of(request)
    consent = selectors.get_consent(actor, pk)
    record_view(actor, consent.client, "consent", consent.pk)
    return render(request, "consents/detail.html", {"consent": consent, "form": WithdrawForm()})


@page(Perm.CONSENT_WITHDRAW)
def consent_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a withdrawal."""
    actor = actor_of(request)
    consent = selectors.get_consent(actor, pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.withdraw_consent(actor, consent, form.cleaned_data["reason"], timezone.now())
        except InputError as exc:
            add_error(form, exc)
        else:
            return redirect("consents:detail", pk=consent.pk)
    return render(request, "consents/detail.html", {"consent": consent, "form": form})


@page(Perm.SETTINGS_MANAGE)
def templates(request: HttpRequest) -> HttpResponse:
    """Template versions per treatment; add a version."""
    actor = actor_of(request)
    current = selectors.current_templates(actor)
    treatment = request.GET.get("treatment", "microneedling")
    base = current.get(treatment)
    names: dict[str, str] = dict(TREATMENTS)
    initial = {
        "treatment": treatment,
        "title": base.title if base else f"Consent to {names.get(treatment, treatment).lower()}",
        "body": base.body if base else STARTER_TEXT,
    }
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            actions.add_template_version(actor, d["treatment"], d["title"], d["body"], key=d["submission_id"])
        except InputError as exc:
            add_error(form, exc)
        else:
            return redirect("consents:templates")
    context = {"form": form, "versions": selectors.template_versions(actor), "current": current}
    return render(request, "consents/templates.html", context)
