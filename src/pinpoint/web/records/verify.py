"""Walking every organization's chain of seals: ``pinpoint verify``.

For each organization: every seal in order (position, link to the seal before, the row's
content under the key), the signed sessions' rows against their signed text, an adverse event's
lot rows against the lots its seal covers, every row that
should be sealed and is not, each photo's stored files against their sealed SHA-256, and the
chain head. The first problem found is reported with the
table and id of the row. Saved chain heads (``pinpoint verify --head``) can be checked too: a
seal at a saved position must still have the saved digest, which holds even against someone who
has the key and rewrote the chain.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connection, models
from django.db.migrations.recorder import MigrationRecorder

from pinpoint.core.seals import GENESIS, SealLink, check_chain, seal_content
from pinpoint.web.accounts.models import Organization
from pinpoint.web.audit.chains import ChainHead
from pinpoint.web.audit.erasures import erased_in
from pinpoint.web.audit.models import Seal, SealChain
from pinpoint.web.audit.sealing import SEALABLE, kinds_for, row_values
from pinpoint.web.audit.sealkey import seal_key
from pinpoint.web.electrolysis import models as el
from pinpoint.web.electrolysis.signing import rows_match as electrolysis_rows_match
from pinpoint.web.outcomes.models import AdverseEvent, AdverseEventLot
from pinpoint.web.photos.integrity import stored_files_problem
from pinpoint.web.photos.models import Photo
from pinpoint.web.treatments.models import Session, ZoneRecord
from pinpoint.web.treatments.signing import rows_match

__all__ = ["OrgReport", "Problem", "verify_all"]

# kind -> (model, the rows of an organization that must carry a seal of this kind)
SEALED: Mapping[str, tuple[type[models.Model], dict[str, Any]]] = {
    kind: (apps.get_model(spec.model), dict(spec.only)) for kind, spec in SEALABLE.items()
}


@dataclass(frozen=True)
class Problem:
    """The first thing wrong in a chain: the row's table and id, its seal's position if any, what."""

    table: str
    record_id: int | None
    seq: int | None
    what: str


@dataclass(frozen=True)
class OrgReport:
    """One organization's chain: how many seals, its head, and the first problem (``None``: it holds)."""

    organization_id: int
    name: str
    count: int
    head: ChainHead
    problem: Problem | None


def _table(kind: str) -> str:
    return SEALED[kind][0]._meta.db_table if kind in SEALED else "audit_seal"


def _rows(org: Organization, kind: str, ids: Iterable[int]) -> dict[int, models.Model]:
    model, must = SEALED[kind]
    wanted = set(ids)
    rows = model._default_manager.filter(organization=org)
    picked = rows.filter(models.Q(pk__in=wanted) | models.Q(**must)) if must else rows
    return {obj.pk: obj for obj in picked}


def _zones_by_session(org: Organization) -> dict[int, list[ZoneRecord]]:
    out: dict[int, list[ZoneRecord]] = defaultdict(list)
    for zr in ZoneRecord.objects.filter(organization=org, session__status=Session.Status.SIGNED):
        out[zr.session_id].append(zr)
    return out


def _areas_by_session(org: Organization) -> dict[int, list[el.AreaRecord]]:
    out: dict[int, list[el.AreaRecord]] = defaultdict(list)
    for r in el.AreaRecord.objects.filter(organization=org, session__status="signed").order_by("area"):
        out[r.session_id].append(r)
    return out


def _lots_by_event(org: Organization) -> dict[int, list[int]]:
    """The device units each adverse event's lot rows name, sorted (one query)."""
    out: dict[int, list[int]] = defaultdict(list)
    for event_id, unit_id in AdverseEventLot.objects.filter(organization=org).values_list("event_id", "unit_id"):
        out[event_id].append(unit_id)
    return {event_id: sorted(units) for event_id, units in out.items()}


def _lots_differ(event: AdverseEvent, lot_rows: Mapping[int, list[int]]) -> bool:
    sealed = sorted(int(lot["unit"]) for lot in event.lots if isinstance(lot, dict) and "unit" in lot)
    return lot_rows.get(event.pk, []) != sealed


@dataclass(frozen=True)
class _Rows:
    """The rows a sealed record is checked against beyond its seal, by the sealed record's id."""

    zones: Mapping[int, list[ZoneRecord]]
    areas: Mapping[int, list[el.AreaRecord]]
    lots: Mapping[int, list[int]]


def _row_problem(kind: str, obj: models.Model | None, rows: _Rows) -> str | None:
    """What is wrong with a sealed row beyond its seal: signed records and lots against their rows, a photo's files."""
    zones, areas = rows.zones, rows.areas
    if kind == "session" and isinstance(obj, Session) and not rows_match(obj, zones.get(obj.pk, [])):
        return "the session's zone records differ from what was signed"
    if kind == "adverse_event" and isinstance(obj, AdverseEvent) and _lots_differ(obj, rows.lots):
        return "the report's lot rows differ from the lots it was sealed with"
    if (
        kind == "electrolysis_session"
        and isinstance(obj, el.Session)
        and not electrolysis_rows_match(obj, areas.get(obj.pk, []))
    ):
        return "the electrolysis session's area records differ from what was signed"
    if kind == "photo" and isinstance(obj, Photo):
        return stored_files_problem(obj)
    return None


def _must_be_sealed(kind: str, obj: models.Model) -> bool:
    return kind in kinds_for(obj)


def verify_organization(org: Organization, key: bytes) -> OrgReport:
    """Check one organization's chain; see the module docstring."""
    seals = list(Seal.objects.filter(organization=org).order_by("seq"))
    head_row = SealChain.objects.filter(organization=org).first()
    head = ChainHead(org.pk, head_row.seq, head_row.digest) if head_row else ChainHead(org.pk, 0, GENESIS)
    by_kind: dict[str, list[Seal]] = defaultdict(list)
    for seal in seals:
        by_kind[seal.kind].append(seal)
    rows = {kind: _rows(org, kind, (s.record_id for s in by_kind.get(kind, []))) for kind in SEALED}
    checked = _Rows(_zones_by_session(org), _areas_by_session(org), _lots_by_event(org))
    erased = erased_in(org.pk)
    links: list[SealLink] = []
    bad_rows: dict[int, str] = {}
    for seal in seals:
        obj = rows.get(seal.kind, {}).get(seal.record_id)
        blanked = erased.get((seal.kind, seal.record_id))
        content = seal_content(seal.kind, seal.record_id, row_values(obj), key, blanked) if obj is not None else None
        wrong = _row_problem(seal.kind, obj, checked)
        if wrong is not None:
            bad_rows[seal.seq] = wrong
        links.append(SealLink(seal.seq, seal.kind, seal.record_id, seal.prev_digest, seal.digest, content))
    problem = _first_problem(key, org, links, bad_rows)
    if problem is None:
        problem = _unsealed(rows, {(s.kind, s.record_id) for s in seals})
    if problem is None:
        last = seals[-1] if seals else None
        last_seq, last_digest = (last.seq, last.digest) if last else (0, GENESIS)
        if (head.seq, head.digest) != (last_seq, last_digest):
            what = f"the chain head names seal {head.seq}, but the last seal is {last_seq}"
            problem = Problem("audit_sealchain", org.pk, head.seq, what)
    return OrgReport(org.pk, org.name, len(seals), head, problem)


def _first_problem(key: bytes, org: Organization, links: list[SealLink], bad_rows: dict[int, str]) -> Problem | None:
    found = check_chain(key, org.pk, links)
    first_bad = min(bad_rows, default=None)
    if found is not None and (first_bad is None or found.seq <= first_bad):
        return Problem(_table(found.kind), found.record_id, found.seq, found.problem)
    if first_bad is not None:
        link = next(x for x in links if x.seq == first_bad)
        return Problem(_table(link.kind), link.record_id, link.seq, bad_rows[first_bad])
    return None


def _unsealed(rows: Mapping[str, Mapping[int, models.Model]], sealed: set[tuple[str, int]]) -> Problem | None:
    for kind, objs in rows.items():
        for pk in sorted(objs):
            if _must_be_sealed(kind, objs[pk]) and (kind, pk) not in sealed:
                what = "the withdrawal has no seal" if kind == "consent_withdrawal" else "the row has no seal"
                return Problem(_table(kind), pk, None, what)
    return None


def check_against(report: OrgReport, saved: ChainHead) -> Problem | None:
    """Whether the chain still holds the saved head: the seal at its position has its digest."""
    if saved.seq == 0:
        return None
    seal = Seal.objects.filter(organization_id=saved.organization_id, seq=saved.seq).first()
    if seal is None:
        return Problem("audit_seal", None, saved.seq, f"seal {saved.seq} of the saved head is gone")
    if seal.digest != saved.digest:
        what = f"seal {saved.seq} differs from the saved head: the chain was rewritten up to there"
        return Problem(_table(seal.kind), seal.record_id, saved.seq, what)
    return None


def verify_all(saved: Iterable[ChainHead] = ()) -> list[OrgReport]:
    """Check every organization's chain (and the saved heads given), by organization id."""
    key = seal_key()
    saved_by_org = {h.organization_id: h for h in saved}
    reports = []
    for org in Organization.objects.order_by("pk"):
        report = verify_organization(org, key)
        head = saved_by_org.pop(org.pk, None)
        if report.problem is None and head is not None:
            problem = check_against(report, head)
            if problem is not None:
                report = OrgReport(report.organization_id, report.name, report.count, report.head, problem)
        reports.append(report)
    for org_id, head in sorted(saved_by_org.items()):
        what = f"the saved head names organization {org_id}, which is gone (seal {head.seq})"
        problem = Problem("accounts_organization", org_id, None, what)
        reports.append(OrgReport(org_id, "?", 0, ChainHead(org_id, 0, GENESIS), problem))
    return reports


def missing_sealed_tables() -> list[str]:
    """Tables of sealed records (and of the seals) gone from a database that migrations built.

    A database never migrated has none of them and misses nothing here (that is a wrong data
    directory or URL, not tampering); one whose migrations table lists the seals' app but lacks a
    sealed table has had it dropped.
    """
    present = set(connection.introspection.table_names())
    recorder = MigrationRecorder(connection)
    if not recorder.has_table() or not recorder.migration_qs.filter(app="audit").exists():
        return []
    labels = {spec.model for spec in SEALABLE.values()}
    tables = {apps.get_model(label)._meta.db_table for label in labels}
    tables |= {m._meta.db_table for m in (Seal, SealChain, ZoneRecord, el.AreaRecord, AdverseEventLot)}
    return sorted(tables - present)
