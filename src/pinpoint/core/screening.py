"""Screening: may this client be treated on this date, and if not, why, until when, on what evidence.

Rules live in ``contraindications.toml``; this module only evaluates them. The overall verdict
is the most severe finding. Findings of local rules name only the zones they affect.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from pydantic import BaseModel, ConfigDict

from pinpoint.core.answers import Answers, check_answer_dates
from pinpoint.core.errors import InputError
from pinpoint.core.vocab import VERDICTS
from pinpoint.core.zones import descendants, near, overlap, zone_names
from pinpoint.evidence.loader import Evidence
from pinpoint.evidence.schema import ContraindicationRule, Forbiddable, Treatment, Verdict

__all__ = [
    "BLOCKING",
    "VERDICTS",
    "Finding",
    "PolicyNote",
    "Screening",
    "age_on",
    "policy_notes",
    "screen",
    "screen_for",
    "severity",
]

BLOCKING: frozenset[Verdict] = frozenset({"defer", "refer", "contraindicated"})


def severity(verdict: Verdict) -> int:
    """Rank of a verdict: 0 (proceed) to 4 (contraindicated)."""
    return VERDICTS.index(verdict)


class Finding(BaseModel):
    """One reason the verdict is not a plain ``proceed``."""

    model_config = ConfigDict(frozen=True)

    rule: str
    verdict: Verdict
    zones: tuple[str, ...]
    message: str
    sources: tuple[str, ...]
    defer_until: dt.date | None = None
    forbids: tuple[Forbiddable, ...] = ()
    """Session steps this finding removes (the guide leaves them out and says why)."""


class PolicyNote(BaseModel):
    """A policy default overridden for this run (shown, never silent)."""

    model_config = ConfigDict(frozen=True)

    policy: str
    value: float
    default: float
    unit: str

    @property
    def sentence(self) -> str:
        """The override in words, as every interface shows it."""
        return f"policy {self.policy} overridden: {self.value:g} {self.unit} (default {self.default:g})"


class Screening(BaseModel):
    """The screening verdict on a date; ``defer_until`` is the latest dated deferral."""

    model_config = ConfigDict(frozen=True)

    treatment: Treatment
    on: dt.date
    zones: tuple[str, ...]
    verdict: Verdict
    defer_until: dt.date | None
    findings: tuple[Finding, ...]
    policy_overrides: tuple[PolicyNote, ...] = ()

    @property
    def blocking(self) -> bool:
        """True when treatment may not go ahead on this date."""
        return self.verdict in BLOCKING

    def blocking_reason(self) -> str:
        """Why treatment may not go ahead: the verdict, its date, and the first finding that gives it.

        An empty string when the verdict does not block.
        """
        if not self.blocking:
            return ""
        first = next(f for f in self.findings if f.verdict == self.verdict)
        until = f" until {self.defer_until}" if self.defer_until else ""
        return f"screening verdict '{self.verdict}'{until}: {first.message}"

    def forbidding(self, what: Forbiddable) -> tuple[Finding, ...]:
        """The findings that take ``what`` (e.g. ``anaesthetic``) out of the session."""
        return tuple(f for f in self.findings if what in f.forbids)


def policy_notes(evidence: Evidence) -> tuple[PolicyNote, ...]:
    """The policy overrides in force, for display beside any result."""
    return tuple(
        PolicyNote(policy=k, value=p.value, default=p.overridden_from or p.value, unit=p.unit)
        for k, p in evidence.overridden().items()
    )


def age_on(birth: dt.date, on: dt.date) -> int:
    """Age in whole years on date ``on``."""
    if birth > on:
        raise InputError("birth_date", f"birth_date {birth} is after the screening date {on}")
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _days(evidence: Evidence, policy: str) -> dt.timedelta:
    return dt.timedelta(days=evidence.policy_value(policy))


def _words(value: object) -> str:
    """An answer value as words (``lichen_planus`` -> ``lichen planus``)."""
    return str(value).replace("_", " ")


def _on_or_near(ev: Evidence, treated: str, zones: tuple[str, ...]) -> bool:
    """True when ``treated`` overlaps one of ``zones`` or borders one."""
    return any(overlap(ev, treated, z) or near(ev, treated, z) for z in zones)


class _Rule:
    """One rule being evaluated for some answers on a date: makes its findings."""

    def __init__(self, rule_id: str, rule: ContraindicationRule, answers: Answers, on: dt.date, ev: Evidence) -> None:
        self.id, self.rule, self.answers, self.on, self.ev = rule_id, rule, answers, on, ev
        self.treated = answers.zones
        self.value = getattr(answers, rule.field)

    def finding(self, verdict: Verdict, zones: tuple[str, ...], message: str, until: dt.date | None = None) -> Finding:
        """A finding of this rule, with its sources and what it forbids."""
        return Finding(
            rule=self.id,
            verdict=verdict,
            zones=zones,
            message=message,
            sources=self.rule.sources,
            defer_until=until,
            forbids=self.rule.forbids,
        )


def _flag(r: _Rule) -> list[Finding]:
    """A yes answer, on the treated zones the rule limits itself to (regions, on or next to zones)."""
    rule, ev, zones = r.rule, r.ev, r.treated
    if rule.regions:
        zones = tuple(z for z in zones if any(ev.zones[d].region in rule.regions for d in descendants(ev, z)))
    if rule.zones:
        zones = tuple(z for z in zones if _on_or_near(ev, z, rule.zones))
    if r.value and zones and rule.verdict:
        return [r.finding(rule.verdict, zones, rule.message)]
    return []


def _next_to(r: _Rule, hits: tuple[str, ...]) -> dict[str, list[str]]:
    """Treated zones next to an affected zone (not already hit), with the affected zones they border."""
    close: dict[str, list[str]] = {}
    for z in r.value:
        for t in r.treated:
            for h in near(r.ev, t, z):
                if h not in hits:
                    close.setdefault(h, []).append(z)
    return close


def _zones(r: _Rule) -> list[Finding]:
    """A list of affected zones: the treated zones on them, and (``neighbours``) next to them."""
    rule, ev = r.rule, r.ev
    hits = tuple(dict.fromkeys(h for t in r.treated for z in r.value if (h := overlap(ev, t, z))))
    close = _next_to(r, hits) if rule.neighbours else {}
    if not (hits or close) or rule.verdict is None:
        return []
    until = r.on + _days(ev, rule.reassess_policy) if rule.reassess_policy else None
    again = f"; re-screen on or after {until}" if until else ""
    out = [r.finding(rule.verdict, hits, rule.message + again, until)] if hits else []
    if close:
        sites = tuple(dict.fromkeys(z for zs in close.values() for z in zs))
        text = f"next to {zone_names(ev, sites)}: {rule.message}{again}"
        out.append(r.finding(rule.verdict, tuple(close), text, until))
    return out


def _washout(r: _Rule) -> list[Finding]:
    """A last date: treatment waits until the washout period has passed."""
    rule, ev = r.rule, r.ev
    if r.value is None or rule.washout_policy is None:
        return []
    until = r.value + _days(ev, rule.washout_policy)
    if r.on >= until:
        return []
    text = f"{rule.message}: last on {r.value}, washout {ev.policy_value(rule.washout_policy):g} days, until {until}"
    return [r.finding(rule.verdict or "defer", r.treated, text, until)]


def _zone_washout(r: _Rule) -> list[Finding]:
    """Dated entries per zone: the treated zones on an entry wait until its washout has passed."""
    rule, ev = r.rule, r.ev
    out = []
    for entry in r.value:
        hits = tuple(dict.fromkeys(h for t in r.treated if (h := overlap(ev, t, entry.zone))))
        until = entry.day + _days(ev, rule.washout_policy or "")
        if hits and r.on < until:
            text = f"{rule.message}: {ev.zones[entry.zone].name} on {entry.day}, until {until}"
            out.append(r.finding(rule.verdict or "defer", hits, text, until))
    return out


def _choice(r: _Rule) -> list[Finding]:
    """One answer from a vocabulary: the verdict the rule gives that answer."""
    verdict = r.rule.choices.get(str(r.value), "proceed")
    return [] if verdict == "proceed" else [r.finding(verdict, r.treated, f"{r.rule.message} ({_words(r.value)})")]


def _items(r: _Rule) -> list[Finding]:
    """Several answers from a vocabulary: the most severe verdict, naming every answer that has one."""
    named = [v for v in dict.fromkeys(r.value) if r.rule.choices.get(v, "proceed") != "proceed"]
    if not named:
        return []
    verdict = max((r.rule.choices[v] for v in named), key=severity)
    return [r.finding(verdict, r.treated, f"{r.rule.message} ({', '.join(_words(v) for v in named)})")]


def _age(r: _Rule) -> list[Finding]:
    """The birth date: the first age band the client is below on the screening date."""
    years = age_on(r.value, r.on)
    for band in r.rule.bands:
        limit = r.ev.policy_value(band.below_years_policy)
        if years < limit:
            return [r.finding(band.verdict, r.treated, f"{band.message} (age {years}, below {limit:g})")]
    return []


_KINDS: dict[str, Callable[[_Rule], list[Finding]]] = {
    "flag": _flag,
    "zones": _zones,
    "washout": _washout,
    "zone_washout": _zone_washout,
    "choice": _choice,
    "items": _items,
    "age": _age,
}
"""How each kind of rule (``ContraindicationRule.kind``) is evaluated."""


def _evaluate(rule_id: str, rule: ContraindicationRule, a: Answers, on: dt.date, ev: Evidence) -> list[Finding]:
    return _KINDS[rule.kind](_Rule(rule_id, rule, a, on, ev))


def screen(answers: Answers, on: dt.date, evidence: Evidence) -> Screening:
    """Screen ``answers`` for treatment on date ``on``.

    Every rule of ``contraindications.toml`` for the answers' treatment is evaluated. A field a
    rule needs but the client did not answer yields a ``defer`` finding without a date: it is
    never assumed safe. A date in the answers after ``on``, or before the birth date, raises
    :class:`InputError` naming the field.
    """
    check_answer_dates(answers, on)
    findings: list[Finding] = []
    unanswered: dict[str, Finding] = {}
    for rule_id, rule in evidence.contraindications.items():
        if answers.treatment not in rule.treatments:
            continue
        if not answers.is_answered(rule.field):
            unanswered.setdefault(
                rule.field,
                Finding(
                    rule=f"unanswered:{rule.field}",
                    verdict="defer",
                    zones=answers.zones,
                    message=f"not answered ({rule.message.split(':')[0]}): ask before treatment",
                    sources=rule.sources,
                ),
            )
            continue
        findings.extend(_evaluate(rule_id, rule, answers, on, evidence))
    findings.extend(unanswered.values())
    findings.sort(key=lambda f: -severity(f.verdict))
    verdict = max((f.verdict for f in findings), key=severity, default="proceed")
    dated = [f.defer_until for f in findings if f.verdict == "defer" and f.defer_until]
    return Screening(
        treatment=answers.treatment,
        on=on,
        zones=answers.zones,
        verdict=verdict,
        defer_until=max(dated) if verdict == "defer" and dated else None,
        findings=tuple(findings),
        policy_overrides=policy_notes(evidence),
    )


def screen_for(
    answers: Answers, treatment: Treatment, zones: tuple[str, ...], on: dt.date, evidence: Evidence
) -> Screening:
    """Screen ``answers`` on date ``on`` for a plan of ``treatment`` on ``zones``.

    The answers' own zones are replaced by ``zones`` (a plan's zones, or its parts, so findings
    name them). Answers taken for the other treatment raise :class:`InputError` on ``treatment``.
    """
    if answers.treatment != treatment:
        raise InputError("treatment", f"the answers are for {answers.treatment}; this plan is for {treatment}")
    return screen(answers.model_copy(update={"zones": zones}), on, evidence)
