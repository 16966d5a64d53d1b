"""Screening: may this client be treated on this date, and if not, why, until when, on what evidence.

Rules live in ``contraindications.toml``; this module only evaluates them. The overall verdict
is the most severe finding. Findings of local rules name only the zones they affect.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from pinpoint.core.answers import Answers, check_answer_dates
from pinpoint.core.errors import InputError
from pinpoint.core.zones import descendants, near, overlap
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
    "severity",
]

VERDICTS: tuple[Verdict, ...] = ("proceed", "caution", "defer", "refer", "contraindicated")
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


def _zone_names(ev: Evidence, zones: tuple[str, ...]) -> str:
    return ", ".join(ev.zones[z].name for z in zones)


def _on_or_near(ev: Evidence, treated: str, zones: tuple[str, ...]) -> bool:
    """True when ``treated`` overlaps one of ``zones`` or borders one."""
    return any(overlap(ev, treated, z) or near(ev, treated, z) for z in zones)


def _evaluate(rule_id: str, rule: ContraindicationRule, a: Answers, on: dt.date, ev: Evidence) -> list[Finding]:
    treated = a.zones

    def finding(verdict: Verdict, zones: tuple[str, ...], message: str, until: dt.date | None = None) -> Finding:
        return Finding(
            rule=rule_id,
            verdict=verdict,
            zones=zones,
            message=message,
            sources=rule.sources,
            defer_until=until,
            forbids=rule.forbids,
        )

    value = getattr(a, rule.field)
    if rule.kind == "flag":
        zones = treated
        if rule.regions:
            zones = tuple(z for z in zones if any(ev.zones[d].region in rule.regions for d in descendants(ev, z)))
        if rule.zones:
            zones = tuple(z for z in zones if _on_or_near(ev, z, rule.zones))
        if value and zones and rule.verdict:
            return [finding(rule.verdict, zones, rule.message)]
        return []
    if rule.kind == "zones":
        hits = tuple(dict.fromkeys(h for t in treated for z in value if (h := overlap(ev, t, z))))
        close: dict[str, list[str]] = {}
        if rule.neighbours:
            for z in value:
                for t in treated:
                    for h in near(ev, t, z):
                        if h not in hits:
                            close.setdefault(h, []).append(z)
        if not (hits or close) or rule.verdict is None:
            return []
        until = on + _days(ev, rule.reassess_policy) if rule.reassess_policy else None
        again = f"; re-screen on or after {until}" if until else ""
        out = [finding(rule.verdict, hits, rule.message + again, until)] if hits else []
        if close:
            sites = tuple(dict.fromkeys(z for zs in close.values() for z in zs))
            text = f"next to {_zone_names(ev, sites)}: {rule.message}{again}"
            out.append(finding(rule.verdict, tuple(close), text, until))
        return out
    if rule.kind == "washout":
        if value is None or rule.washout_policy is None:
            return []
        until = value + _days(ev, rule.washout_policy)
        if on >= until:
            return []
        text = f"{rule.message}: last on {value}, washout {ev.policy_value(rule.washout_policy):g} days"
        return [finding(rule.verdict or "defer", treated, text + f", until {until}", until)]
    if rule.kind == "zone_washout":
        out = []
        for entry in value:
            hits = tuple(dict.fromkeys(h for t in treated if (h := overlap(ev, t, entry.zone))))
            until = entry.day + _days(ev, rule.washout_policy or "")
            if hits and on < until:
                text = f"{rule.message}: {ev.zones[entry.zone].name} on {entry.day}, until {until}"
                out.append(finding(rule.verdict or "defer", hits, text, until))
        return out
    if rule.kind == "choice":
        verdict = rule.choices.get(str(value), "proceed")
        return [] if verdict == "proceed" else [finding(verdict, treated, f"{rule.message} ({_words(value)})")]
    if rule.kind == "items":
        named = [v for v in dict.fromkeys(value) if rule.choices.get(v, "proceed") != "proceed"]
        if not named:
            return []
        verdict = max((rule.choices[v] for v in named), key=severity)
        return [finding(verdict, treated, f"{rule.message} ({', '.join(_words(v) for v in named)})")]
    # age
    years = age_on(value, on)
    for band in rule.bands:
        limit = ev.policy_value(band.below_years_policy)
        if years < limit:
            return [finding(band.verdict, treated, f"{band.message} (age {years}, below {limit:g})")]
    return []


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
                    message=f"'{rule.field}' was not answered: it must be answered before treatment",
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
