"""Tenant-scoped reads of clients and questionnaires, and the screening re-evaluated on a date.

Another organization's client is not found, exactly like a client that does not exist.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Expression, F, Func, Q, QuerySet, TextField, Value
from django.db.models.functions import Cast, Replace
from django.db.models.sql.compiler import SQLCompiler
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
    "PlanRef",
    "Screened",
    "ScreeningResult",
    "client_search",
    "get_client",
    "get_questionnaire",
    "latest_on",
    "latest_questionnaire",
    "questionnaires_by_client",
    "screening_for",
    "screenings_on",
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
_PHONE_SIGNS = " -().+/"
_PHONE_TEXT = re.compile(r"[\d" + re.escape(_PHONE_SIGNS) + r"]+")
PHONE_RUN = 5
"""Digits in a run of the PostgreSQL index of phone digits (``records`` migration 0003, its ``GRAM``)."""


def phone_runs(digits: str) -> list[str]:
    """The runs of ``PHONE_RUN`` consecutive digits in ``digits``, each once, in order (none when shorter)."""
    return sorted({digits[i : i + PHONE_RUN] for i in range(len(digits) - PHONE_RUN + 1)})


class _HoldsRuns(Func):
    """True when the phone digits hold every run of ``runs`` (``pinpoint_digit_grams(digits) @> runs``).

    The expression of the GIN index of ``records`` migration 0003 (PostgreSQL): the few numbers with
    every run of a long query's digits, instead of the many that hold each of its trigrams.
    """

    output_field = BooleanField()

    def __init__(self, digits: Expression, runs: list[str]) -> None:
        super().__init__(digits)
        self.runs = runs

    def as_sql(self, compiler: SQLCompiler, connection: Any, **extra: Any) -> tuple[str, tuple[Any, ...]]:  # type: ignore[override]
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"pinpoint_digit_grams({sql}) @> %s::text[]", (*params, self.runs)


def client_search(actor: Actor, search: str = "") -> QuerySet[Client]:
    """The organization's clients, optionally filtered by name, email or phone.

    Every word must be in the name, in any order ("lovelace ada"); a phone number matches on its
    digits alone, however it was written ("020 7946 0958", "02079460958", "+44 20 7946 0958").
    Phones are searched only when the text is written as a phone number is (digits and the signs
    above): the digits of a name or an email ("ada.1985@") are not looked for in every phone,
    which at a million clients matches thousands of numbers to check one by one. On PostgreSQL a
    number of ``PHONE_RUN`` digits or more must also hold each of their runs (implied by the
    match, so the same clients): the index of ``records`` migration 0003 finds the few numbers
    that do, where the trigrams of digits are each in a large share of all numbers.
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
    if len(digits) >= _PHONE_DIGITS_MIN and _PHONE_TEXT.fullmatch(text):
        phone: Any = F("phone")
        for sign in _PHONE_SIGNS:
            phone = Replace(phone, Value(sign), Value(""))
        qs = qs.annotate(phone_digits=phone)
        for part in dict.fromkeys((digits, digits.lstrip("0") or digits)):  # "020..." also as "20..."
            digits_match = Q(phone_digits__contains=part)
            if connection.vendor == "postgresql" and len(part) >= PHONE_RUN:  # implied by the match: same rows
                digits_match &= Q(_HoldsRuns(phone, phone_runs(part)))
            match |= digits_match
    return qs.filter(match)


def get_client(actor: Actor, pk: int, **columns: Expression) -> Client:
    """The client ``pk`` of the actor's organization, else 404; with ``columns`` read in the same statement."""
    actor.require(Perm.CLIENT_VIEW)
    return get_object_or_404(Client.objects.annotate(**columns), organization=actor.organization, pk=pk)


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
        q for q in questionnaires if q.taken_on <= on and (treatment is None or q.answers.get("treatment") == treatment)
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
"""Screenings kept per process (a dashboard screens up to about 150 sessions a day)."""

PLAN_CACHE_SIZE = 1024
"""Course plans kept per process, parsed, to screen them again on another date."""

_screenings: OrderedDict[Hashable, tuple[Screening | None, str | None]] = OrderedDict()
_plans: OrderedDict[Hashable, Plan] = OrderedDict()
_screenings_lock = threading.Lock()

Loader = Callable[[Collection[Hashable]], Mapping[Hashable, Plan]]
"""Reads the plans named by some :attr:`PlanRef.key` values (one query for all), as core's plans."""


@dataclass(frozen=True)
class PlanRef:
    """A stored plan named without being read, so a screening already made needs neither its JSON nor its model.

    ``key`` names it for good (a course's id and creation time: a course's plan is written once);
    ``indication`` is the plan's, whose treatment says which questionnaire screens it.
    """

    key: Hashable
    indication: str


def _policy_key(evidence: Evidence) -> Hashable:
    """The evidence and the policy in force, as a screening depends on them."""
    return (evidence.version, tuple(sorted((k, p.value) for k, p in evidence.overridden().items())))


def _screening_key(answers: str, plan_key: Hashable, on: dt.date, policy: Hashable) -> Hashable:
    """What a screening depends on: the answers (by content: their JSON text), the plan (by its course),
    the date, the evidence and the policy in force."""
    return (answers, plan_key, on, policy)


def _cached(key: Hashable) -> tuple[Screening | None, str | None] | None:
    with _screenings_lock:
        hit = _screenings.get(key)
        if hit is not None:
            _screenings.move_to_end(key)
        return hit


def _remember(cache: OrderedDict[Hashable, Any], size: int, key: Hashable, value: Any) -> None:
    with _screenings_lock:
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > size:
            cache.popitem(last=False)


def _screen_cached(
    key: Hashable | None, raw: Any, on: dt.date, plan: Plan | None, evidence: Evidence
) -> tuple[Screening | None, str | None]:
    """The screening of the answers ``raw`` (their JSON value) on ``on``, from the cache when ``key`` is in it."""
    if key is not None and (hit := _cached(key)) is not None:
        return hit
    try:
        answers = parse_answers(raw, evidence)
        result = screen_for_plan(answers, plan, on, evidence) if plan is not None else screen(answers, on, evidence)
        found: tuple[Screening | None, str | None] = (result, None)
    except PinpointError as exc:
        found = (None, exc.message)
    if key is not None:
        _remember(_screenings, SCREENING_CACHE_SIZE, key, found)
    return found


def _plans_for(keys: Collection[Hashable], load: Loader) -> dict[Hashable, Plan]:
    """The plans named by ``keys``, from the cache, reading those it lacks with ``load`` (once for all)."""
    found: dict[Hashable, Plan] = {}
    with _screenings_lock:
        for key in keys:
            plan = _plans.get(key)
            if plan is not None:
                _plans.move_to_end(key)
                found[key] = plan
    missing = [k for k in keys if k not in found]
    if missing:
        for key, plan in load(missing).items():
            _remember(_plans, PLAN_CACHE_SIZE, key, plan)
            found[key] = plan
    return found


def screening_for(
    actor: Actor,
    client: Client,
    on: dt.date,
    plan: Plan | PlanRef | None = None,
    questionnaires: Iterable[Questionnaire] | None = None,
    *,
    plan_key: Hashable | None = None,
    load_plans: Loader | None = None,
) -> ScreeningResult:
    """Screen ``client`` on ``on`` with core, from the latest questionnaire taken by then.

    With ``plan``, the questionnaire is the latest for the plan's treatment and the zones screened
    are the plan's; otherwise the latest of any treatment, on the zones the client answered for.
    ``questionnaires`` may be passed already fetched (list pages), else they are read.

    The result is kept per process for (answers, plan, date, evidence version, policy): without
    ``plan``, or with ``plan`` and a ``plan_key`` naming it for good (a course's id and creation
    time: a course's plan is written once), or with a :class:`PlanRef`, whose plan ``load_plans``
    reads only when the screening is not kept already (and the plan not either). A plan given
    without its key is screened afresh.
    """
    evidence = evidence_for(actor.organization)
    ref = plan if isinstance(plan, PlanRef) else None
    parsed = plan if isinstance(plan, Plan) else None
    if ref is not None:
        plan_key = ref.key
    indication = ref.indication if ref is not None else parsed.indication if parsed is not None else None
    treatment = evidence.indications[indication].treatment if indication is not None else None
    if questionnaires is None:
        questionnaires = Questionnaire.objects.filter(organization=actor.organization, client=client, taken_on__lte=on)
        if treatment is not None:
            questionnaires = questionnaires.filter(answers__treatment=treatment)
    q = latest_on(questionnaires, on, treatment)
    if q is None:
        missing = f"no {treatment} questionnaire" if treatment else "no questionnaire"
        return ScreeningResult(on=on, questionnaire=None, screening=None, error=f"{missing} taken by this date")
    cacheable = indication is None or plan_key is not None
    answers = json.dumps(q.answers, sort_keys=True, default=str)
    key = _screening_key(answers, plan_key if indication else None, on, _policy_key(evidence)) if cacheable else None
    hit = _cached(key) if key is not None else None
    if hit is not None:
        return ScreeningResult(on=on, questionnaire=q, screening=hit[0], error=hit[1])
    if ref is not None:
        if load_plans is None:
            msg = "a plan named by a PlanRef needs load_plans to be screened afresh"
            raise ValueError(msg)
        parsed = _plans_for([ref.key], load_plans)[ref.key]
    result, error = _screen_cached(key, q.answers, on, parsed, evidence)
    return ScreeningResult(on=on, questionnaire=q, screening=result, error=error)


@dataclass(frozen=True)
class _Answered:
    """A questionnaire as :func:`screenings_on` reads it: its answers as stored text, parsed only to screen afresh."""

    pk: int
    client_id: int
    taken_on: dt.date
    text: str

    @property
    def treatment(self) -> Any:
        """The treatment the answers are for (parsed once per process for the same text)."""
        found = _treatments.get(self.text, _treatments)
        if found is _treatments:
            found = json.loads(self.text).get("treatment")
            _remember(_treatments, SCREENING_CACHE_SIZE, self.text, found)
        return found


_treatments: OrderedDict[Hashable, Any] = OrderedDict()


def _answered(actor: Actor, client_ids: Iterable[int]) -> dict[int, list[_Answered]]:
    """Every questionnaire of each client in ``client_ids`` (one query), without parsing their answers."""
    rows = (
        Questionnaire.objects.filter(organization=actor.organization, client_id__in=set(client_ids))
        .order_by()
        .annotate(text_=Cast("answers", output_field=TextField()))
        .values_list("pk", "client_id", "taken_on", "text_")
    )
    out: dict[int, list[_Answered]] = {}
    for row in rows:
        out.setdefault(row[1], []).append(_Answered(*row))
    return out


@dataclass(frozen=True)
class Screened:
    """One screening of many (:func:`screenings_on`): like :class:`ScreeningResult`, naming its questionnaire
    by id and date (``None`` when none was taken by then) rather than carrying its answers."""

    on: dt.date
    questionnaire_id: int | None
    taken_on: dt.date | None
    screening: Screening | None
    error: str | None


def screenings_on(actor: Actor, wanted: Sequence[tuple[int, dt.date, PlanRef]], load_plans: Loader) -> list[Screened]:
    """Screen many clients, each on a date for a plan, as :func:`screening_for` does one: ``(client id, date, plan)``.

    For list pages (the dashboard): one query reads the clients' questionnaires without parsing
    their answers; a screening kept from an earlier page is found by the answers' stored text, the
    plan's key and the date, and only the others are computed, reading the plans not kept already
    with one call of ``load_plans``. The results come in the order of ``wanted``.
    """
    evidence = evidence_for(actor.organization)
    policy = _policy_key(evidence)
    answered = _answered(actor, {client_id for client_id, _, _ in wanted})
    treatments: dict[str, str] = {}
    picked: list[tuple[_Answered | None, Hashable, tuple[Screening | None, str | None] | None]] = []
    for client_id, on, ref in wanted:
        treatment = treatments.get(ref.indication)
        if treatment is None:
            treatment = treatments[ref.indication] = evidence.indications[ref.indication].treatment
        taken = [a for a in answered.get(client_id, ()) if a.taken_on <= on and a.treatment == treatment]
        a = max(taken, key=lambda a: (a.taken_on, a.pk), default=None)  # the rule of latest_on
        key = _screening_key(a.text, ref.key, on, policy) if a is not None else None
        picked.append((a, key, _cached(key) if key is not None else None))
    afresh = {ref.key for (_, _, ref), (a, _, hit) in zip(wanted, picked, strict=True) if a and hit is None}
    plans = _plans_for(afresh, load_plans) if afresh else {}
    out = []
    for (_, on, ref), (a, key, hit) in zip(wanted, picked, strict=True):
        if a is None:
            missing = f"no {treatments[ref.indication]} questionnaire taken by this date"
            out.append(Screened(on, None, None, None, missing))
            continue
        result, error = hit or _screen_cached(key, json.loads(a.text), on, plans[ref.key], evidence)
        out.append(Screened(on, a.pk, a.taken_on, result, error))
    return out
