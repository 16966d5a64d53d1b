"""Tenant-scoped reads of clients and questionnaires, and the screening re-evaluated on a date.

Another organization's client is not found, exactly like a client that does not exist.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Replace
from django.shortcuts import get_object_or_404

from pinpoint.core.answers import parse_answers
from pinpoint.core.errors import PinpointError
from pinpoint.core.planning import Plan
from pinpoint.core.records import screen_for_plan
from pinpoint.core.screening import Screening, screen
from pinpoint.evidence.loader import Evidence
from pinpoint.evidence.schema import Treatment
from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.clients.models import Client, Questionnaire

__all__ = [
    "ScreeningResult",
    "client_search",
    "get_client",
    "get_questionnaire",
    "latest_on",
    "latest_questionnaire",
    "questionnaires_by_client",
    "screening_for",
]


@dataclass(frozen=True)
class ScreeningResult:
    """Screening of a client on a date, from the latest questionnaire taken by then."""

    on: dt.date
    questionnaire: Questionnaire | None
    screening: Screening | None
    error: str | None

    @property
    def blocking(self) -> bool:
        """True when treatment may not go ahead (no questionnaire counts as blocking)."""
        return self.screening is None or self.screening.blocking


_PHONE_DIGITS_MIN = 4


def client_search(actor: Actor, search: str = "") -> QuerySet[Client]:
    """The organization's clients, optionally filtered by name, email or phone.

    Every word must be in the name, in any order ("lovelace ada"); a phone number matches on its
    digits alone, however it was written ("020 7946 0958", "02079460958", "+44 20 7946 0958").
    """
    actor.require(Perm.CLIENT_VIEW)
    qs = Client.objects.filter(organization=actor.organization)
    text = search.strip()
    if not text:
        return qs
    words = Q()
    for word in text.split():
        words &= Q(full_name__icontains=word)
    match = words | Q(email__icontains=text)
    digits = re.sub(r"\D", "", text)
    if len(digits) >= _PHONE_DIGITS_MIN:
        phone: Any = F("phone")
        for sign in " -().+/":
            phone = Replace(phone, Value(sign), Value(""))
        qs = qs.annotate(phone_digits=phone)
        match |= Q(phone_digits__contains=digits) | Q(phone_digits__contains=digits.lstrip("0") or digits)
    return qs.filter(match)


def get_client(actor: Actor, pk: int) -> Client:
    """The client ``pk`` of the actor's organization, else 404."""
    actor.require(Perm.CLIENT_VIEW)
    return get_object_or_404(Client, organization=actor.organization, pk=pk)


def get_questionnaire(actor: Actor, client: Client, pk: int) -> Questionnaire:
    """A questionnaire of ``client`` in the actor's organization, else 404."""
    actor.require(Perm.CLIENT_VIEW)
    return get_object_or_404(Questionnaire, organization=actor.organization, client=client, pk=pk)


def latest_on(
    questionnaires: Iterable[Questionnaire], on: dt.date, treatment: Treatment | None = None
) -> Questionnaire | None:
    """The latest questionnaire taken on or before ``on``, for ``treatment`` when given.

    A client may answer a microneedling and an electrolysis questionnaire on the same day: each
    treatment is screened from its own.
    """
    taken = [
        q
        for q in questionnaires
        if q.taken_on <= on and (treatment is None or q.answers.get("treatment") == treatment)
    ]
    return max(taken, key=lambda q: (q.taken_on, q.pk), default=None)


def latest_questionnaire(actor: Actor, client: Client, treatment: Treatment | None = None) -> Questionnaire | None:
    """The client's most recent questionnaire for ``treatment`` (any date; of any treatment without one), or ``None``.

    The one reading of "the latest questionnaire" outside screening (which reads it on a date,
    :func:`latest_on`): a client may answer a microneedling and an electrolysis questionnaire on
    the same day, and each treatment is planned from its own.
    """
    actor.require(Perm.CLIENT_VIEW)
    qs = Questionnaire.objects.filter(organization=actor.organization, client=client)
    if treatment is not None:
        qs = qs.filter(answers__treatment=treatment)
    return qs.order_by("-taken_on", "-pk").first()


def questionnaires_by_client(actor: Actor, client_ids: Iterable[int]) -> dict[int, list[Questionnaire]]:
    """Every questionnaire of each client in ``client_ids`` (one query), for :func:`screening_for` on many clients."""
    actor.require(Perm.CLIENT_VIEW)
    out: dict[int, list[Questionnaire]] = {}
    for q in Questionnaire.objects.filter(organization=actor.organization, client_id__in=set(client_ids)):
        out.setdefault(q.client_id, []).append(q)
    return out


SCREENING_CACHE_SIZE = 4096
"""Screenings kept per process (a dashboard screens up to about 150 sessions)."""

_screenings: OrderedDict[Hashable, tuple[Screening | None, str | None]] = OrderedDict()
_screenings_lock = threading.Lock()


def _screening_key(q: Questionnaire, plan_key: Hashable, on: dt.date, evidence: Evidence) -> Hashable:
    """What a screening depends on: the answers (by content), the plan (by its course), the date,
    the evidence and the policy in force."""
    answers = json.dumps(q.answers, sort_keys=True, default=str)
    policy = tuple(sorted((k, p.value) for k, p in evidence.overridden().items()))
    return (answers, plan_key, on, evidence.version, policy)


def _screen_cached(
    key: Hashable | None, q: Questionnaire, on: dt.date, plan: Plan | None, evidence: Evidence
) -> tuple[Screening | None, str | None]:
    if key is not None:
        with _screenings_lock:
            hit = _screenings.get(key)
            if hit is not None:
                _screenings.move_to_end(key)
                return hit
    try:
        answers = parse_answers(q.answers, evidence)
        result = screen_for_plan(answers, plan, on, evidence) if plan is not None else screen(answers, on, evidence)
        found: tuple[Screening | None, str | None] = (result, None)
    except PinpointError as exc:
        found = (None, exc.message)
    if key is not None:
        with _screenings_lock:
            _screenings[key] = found
            while len(_screenings) > SCREENING_CACHE_SIZE:
                _screenings.popitem(last=False)
    return found


def screening_for(
    actor: Actor,
    client: Client,
    on: dt.date,
    plan: Plan | None = None,
    questionnaires: Iterable[Questionnaire] | None = None,
    *,
    plan_key: Hashable | None = None,
) -> ScreeningResult:
    """Screen ``client`` on ``on`` with core, from the latest questionnaire taken by then.

    With ``plan``, the questionnaire is the latest for the plan's treatment and the zones screened
    are the plan's; otherwise the latest of any treatment, on the zones the client answered for.
    ``questionnaires`` may be passed already fetched (list pages), else they are read.

    The result is kept per process for (answers, plan, date, evidence version, policy): without
    ``plan``, or with ``plan`` and a ``plan_key`` naming it for good (a course's id and creation
    time: a course's plan is written once). A plan given without its key is screened afresh.
    """
    evidence = evidence_for(actor.organization)
    treatment = evidence.indications[plan.indication].treatment if plan is not None else None
    if questionnaires is None:
        questionnaires = Questionnaire.objects.filter(organization=actor.organization, client=client, taken_on__lte=on)
        if treatment is not None:
            questionnaires = questionnaires.filter(answers__treatment=treatment)
    q = latest_on(questionnaires, on, treatment)
    if q is None:
        missing = f"no {treatment} questionnaire" if treatment else "no questionnaire"
        return ScreeningResult(on=on, questionnaire=None, screening=None, error=f"{missing} taken by this date")
    cacheable = plan is None or plan_key is not None
    key = _screening_key(q, plan_key if plan is not None else None, on, evidence) if cacheable else None
    result, error = _screen_cached(key, q, on, plan, evidence)
    return ScreeningResult(on=on, questionnaire=q, screening=result, error=error)

