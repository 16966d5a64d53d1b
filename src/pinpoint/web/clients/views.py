"""Client pages: register and edit a client, questionnaires with their screening.

The list, the timeline and the change history read other apps too: they are in ``records.views``.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from pinpoint.core.answers import parse_answers
from pinpoint.core.errors import PinpointError
from pinpoint.core.vocab import TREATMENTS
from pinpoint.web.audit.actions import record_view
from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.base.forms import add_error
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.views import actor_of, page
from pinpoint.web.clients import actions, selectors
from pinpoint.web.clients.forms import (
    ClientForm,
    NewClientForm,
    QuestionnaireForm,
    ScreeningDateForm,
    initial_from_answers,
)


def _client_data(form: ClientForm) -> actions.ClientData:
    d = form.cleaned_data
    return actions.ClientData(
        full_name=d["full_name"], birth_date=d["birth_date"], email=d["email"] or "", phone=d["phone"], notes=d["notes"]
    )


@page(Perm.CLIENT_EDIT)
def client_new(request: HttpRequest) -> HttpResponse:
    """Register a client."""
    actor = actor_of(request)
    form = NewClientForm(request.POST or None)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            client = actions.create_client(
                actor, _client_data(form), key=d["submission_id"], confirm_new=d["confirm_new"]
            )
        except actions.DuplicateClientError as exc:
            duplicate = exc.existing
        except PinpointError as exc:
            add_error(form, exc)
        else:
            return redirect("clients:detail", pk=client.pk)
    return render(request, "clients/form.html", {"form": form, "client": None, "duplicate": duplicate})


@page(Perm.CLIENT_EDIT)
def client_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a client's details."""
    actor = actor_of(request)
    client = selectors.get_client(actor, pk)
    initial = {f: getattr(client, f) for f in ("full_name", "birth_date", "email", "phone", "notes")}
    form = ClientForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_client(actor, client, _client_data(form))
        except PinpointError as exc:
            add_error(form, exc)
        else:
            return redirect("clients:detail", pk=client.pk)
    return render(request, "clients/form.html", {"form": form, "client": client})


@page(Perm.QUESTIONNAIRE_RECORD)
def questionnaire_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a new questionnaire (pre-filled from the last one, if any; ``?treatment=`` chooses the treatment)."""
    actor = actor_of(request)
    client = selectors.get_client(actor, pk)
    evidence = evidence_for(actor.organization)
    last = selectors.latest_questionnaire(actor, client)
    initial = initial_from_answers(last.answers) if last else {}
    initial.setdefault("setting", actor.setting)
    initial.setdefault("birth_date", client.birth_date)
    initial["taken_on"] = actor.today()
    if request.GET.get("treatment") in TREATMENTS:  # a link that asks for one treatment's questionnaire
        initial["treatment"] = request.GET["treatment"]
    form = QuestionnaireForm(request.POST or None, initial=initial, evidence=evidence)
    if request.method == "POST" and form.is_valid():
        try:
            q = actions.record_questionnaire(
                actor, client, form.answers(), form.cleaned_data["taken_on"], key=form.cleaned_data["submission_id"]
            )
        except PinpointError as exc:
            add_error(form, exc, form.field_of())
        else:
            return redirect("clients:questionnaire", pk=client.pk, qpk=q.pk)
    return render(request, "clients/questionnaire_form.html", {"form": form, "client": client})


@page(Perm.CLIENT_VIEW)
def questionnaire_detail(request: HttpRequest, pk: int, qpk: int) -> HttpResponse:
    """A questionnaire as answered, and core's screening of it on a date (default today)."""
    actor = actor_of(request)
    client = selectors.get_client(actor, pk)
    q = selectors.get_questionnaire(actor, client, qpk)
    form = ScreeningDateForm(
        request.GET if "on" in request.GET else None, initial={"on": actor.today()}, today=actor.today()
    )
    on = form.cleaned_data["on"] if form.is_bound and form.is_valid() else actor.today()
    evidence = evidence_for(actor.organization)
    result = selectors.screening_for(actor, client, on, None, [q]) if q.taken_on <= on else None
    answered = None
    try:
        answered = parse_answers(q.answers, evidence)
    except PinpointError as exc:
        answered_error = exc.message
    else:
        answered_error = ""
    record_view(actor, client, "questionnaire", q.pk)
    context = {
        "client": client,
        "q": q,
        "form": form,
        "on": on,
        "result": result,
        "answered": answered,
        "answered_error": answered_error,
        "evidence": evidence,
    }
    return render(request, "clients/questionnaire_detail.html", context)
