"""Portal pages: a clinic's client signs in by emailed link and sees only their own records.

The staff side (sending a link, reviewing at check-in) is guarded by the permission map like
every other page; the client side by the portal sign-in kept in the browser's session.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from pinpoint.core.answers import parse_answers
from pinpoint.core.errors import PinpointError
from pinpoint.web.audit.actions import record_event
from pinpoint.web.audit.events import Event
from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.base.forms import add_error
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.views import actor_of, page
from pinpoint.web.clients.forms import QuestionnaireForm, initial_from_answers
from pinpoint.web.clients.models import Client
from pinpoint.web.portal import actions, selectors
from pinpoint.web.portal.forms import ConsentForm, EmailForm, ProblemForm
from pinpoint.web.portal.models import ProblemReport, Submission

View = Callable[..., HttpResponse]


def client_page(view: View) -> View:
    """Guard a portal page: no portal sign-in in this browser -> the portal's sign-in page."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        client = selectors.client_of(request)
        if client is None:
            return redirect("portal:start")
        return view(request, client, *args, **kwargs)

    return guarded


def _link_for(request: HttpRequest) -> Callable[[str], str]:
    return lambda token: request.build_absolute_uri(reverse("portal:enter", args=[token]))


def start(request: HttpRequest) -> HttpResponse:
    """Ask for a sign-in link by email (the same answer whether or not the address is known)."""
    form = EmailForm(request.POST or None)
    sent = False
    if request.method == "POST" and form.is_valid():
        actions.send_links_to(form.cleaned_data["email"], _link_for(request))
        sent = True
    return render(request, "portal/start.html", {"form": form, "sent": sent, "minutes": actions.link_minutes()})


def enter(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a button (mail scanners that open links do not use them up); POST: use the link once."""
    if request.method != "POST":
        return render(request, "portal/enter.html")
    client = actions.use_link(token, timezone.now())
    if client is None:
        return render(request, "portal/link_invalid.html", status=410)
    request.session.cycle_key()
    request.session[selectors.PORTAL_KEY] = client.pk
    return redirect("portal:home")


@client_page
def home(request: HttpRequest, client: Client) -> HttpResponse:
    """Upcoming appointments, the plan in plain words, the last aftercare, forms and problems."""
    data = selectors.home(client)
    form = ProblemForm(sessions=data.past)
    return render(request, "portal/home.html", {"client": client, "h": data, "problem_form": form})


@client_page
def questionnaire(request: HttpRequest, client: Client) -> HttpResponse:
    """The medical questionnaire, filled in before the visit; the practitioner reviews it at check-in."""
    evidence = evidence_for(client.organization)
    today = selectors.today_for(client)
    pending = Submission.objects.filter(client=client, kind=Submission.Kind.QUESTIONNAIRE, reviewed_at__isnull=True)
    last = pending.first()
    initial = initial_from_answers(last.data["answers"]) if last else {}
    initial.update({"setting": "clinic", "birth_date": client.birth_date, "taken_on": today})
    form = QuestionnaireForm(request.POST or None, initial=initial, evidence=evidence)
    if request.method == "POST" and form.is_valid():
        answers = form.answers()
        try:
            parse_answers(answers, evidence)
        except PinpointError as exc:
            add_error(form, exc, form.field_of())
        else:
            actions.submit(client, Submission.Kind.QUESTIONNAIRE, {"answers": answers, "taken_on": today.isoformat()})
            return redirect(reverse("portal:home") + "#forms")
    return render(request, "portal/questionnaire.html", {"client": client, "form": form})


@client_page
def consent(request: HttpRequest, client: Client) -> HttpResponse:
    """The clinic's consent text, signed by typing one's name; the practitioner reviews it at check-in."""
    template = selectors.consent_text(client)
    form = ConsentForm(request.POST or None, initial={"signed_name": client.full_name})
    if request.method == "POST" and template is not None and form.is_valid():
        d = form.cleaned_data
        data = {
            "treatment": template.treatment,
            "version": template.version,
            "signed_name": d["signed_name"].strip(),
            "photo_clinical": d["photo_clinical"],
            "photo_marketing": d["photo_marketing"],
            "signed_at": timezone.now().isoformat(),
        }
        actions.submit(client, Submission.Kind.CONSENT, data)
        return redirect(reverse("portal:home") + "#forms")
    return render(request, "portal/consent.html", {"client": client, "form": form, "template": template})


@require_POST
@client_page
def problem(request: HttpRequest, client: Client) -> HttpResponse:
    """Report a problem after a session (stored for the clinic to review)."""
    data = selectors.home(client)
    form = ProblemForm(request.POST, sessions=data.past)
    if form.is_valid():
        pk = form.cleaned_data["session"]
        session = selectors.own_session(client, pk) if pk is not None else None
        try:
            actions.report_problem(client, form.cleaned_data["text"], session)
        except PinpointError as exc:
            add_error(form, exc)
        else:
            return redirect(reverse("portal:home") + "#problems")
    return render(request, "portal/home.html", {"client": client, "h": data, "problem_form": form}, status=400)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """Leave the portal in this browser."""
    request.session.pop(selectors.PORTAL_KEY, None)
    request.session.cycle_key()
    return redirect("portal:start")


# The clinic's side -------------------------------------------------------------------------


def _client(request: HttpRequest, pk: int) -> Client:
    actor = actor_of(request)
    return get_object_or_404(Client, pk=pk, organization=actor.organization, is_self=False)


@require_POST
@page(Perm.CLIENT_EDIT)
def send(request: HttpRequest, pk: int) -> HttpResponse:
    """Email the client a sign-in link to the portal."""
    client = _client(request, pk)
    try:
        with transaction.atomic():
            actions.send_link(client, _link_for(request))
            record_event(actor_of(request), Event.PORTAL_LINK, client, client=client, detail={"to": client.email})
    except PinpointError as exc:
        return render(request, "portal/review.html", _review_context(request, client, error=exc.message), status=400)
    return redirect(reverse("portal:review", args=[client.pk]) + "?sent=1")


def _review_context(request: HttpRequest, client: Client, error: str = "") -> dict[str, Any]:
    return {
        "client": client,
        "pending": Submission.objects.filter(client=client, reviewed_at__isnull=True),
        "problems": ProblemReport.objects.filter(client=client).select_related("session")[:20],
        "error": error,
        "sent": request.GET.get("sent") == "1",
    }


@page(Perm.QUESTIONNAIRE_RECORD)
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """At check-in: what the client filled in before the visit, to accept; problems they reported."""
    client = _client(request, pk)
    return render(request, "portal/review.html", _review_context(request, client))


@require_POST
@page(Perm.QUESTIONNAIRE_RECORD)
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept a submission: it becomes the client's questionnaire or consent, recorded by this practitioner."""
    actor = actor_of(request)
    submission = get_object_or_404(Submission, pk=pk, organization=actor.organization)
    try:
        actions.accept(actor, submission, actor.today())
    except PinpointError as exc:
        client = _client(request, submission.client_id)
        return render(request, "portal/review.html", _review_context(request, client, error=exc.message), status=400)
    return redirect("portal:review", pk=submission.client_id)
