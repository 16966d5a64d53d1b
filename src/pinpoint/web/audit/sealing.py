"""Which rows carry a seal, and sealing many rows at once: rows inserted in bulk, rows written before sealing.

:data:`SEALABLE` names, for each kind of seal (:data:`pinpoint.core.seals.KINDS`), the model whose
rows carry it, which of those rows do (a session only once signed, a consent's withdrawal only once
recorded) and the column that says when the row was written.

:func:`seal_rows` appends many rows to one organization's chain in one transaction, in the order
given, reading each row back from the database first so that the seal covers what is stored.
:func:`seal_unsealed` seals every row that should carry a seal and has none ("adoption"): rows
written before sealing existed. It orders them by the time they were written, then by id, and is
what the data migration ``audit.0004`` runs on an existing database. A seal made at adoption
proves only that the row has not changed since the adoption, nothing about what happened before
(ADR 0007).

Models are looked up by label (``get_model``), so the migration can pass its historical models and
the app the live ones; nothing here imports a model module.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connections, models, transaction
from django.utils import timezone

from pinpoint.core.seals import seal_content, seal_digest

__all__ = ["SEALABLE", "Sealable", "advance_head", "kinds_for", "row_values", "seal_rows", "seal_unsealed"]

GetModel = Callable[[str], type[models.Model]]
BATCH = 500


@dataclass(frozen=True)
class Sealable:
    """The rows that carry one kind of seal: ``model`` (app label and name), those matching ``only``.

    ``written`` is the column holding when the row was written (the seal's moment); ``only`` is a
    filter of plain equalities and ``__isnull`` tests, so it can be checked on a row in memory too.
    """

    model: str
    written: str
    only: Mapping[str, Any] = field(default_factory=dict)


SEALABLE: Mapping[str, Sealable] = {
    "session": Sealable("treatments.Session", "signed_at", {"status": "signed"}),
    "addendum": Sealable("treatments.Addendum", "created_at"),
    "electrolysis_session": Sealable("electrolysis.Session", "signed_at", {"status": "signed"}),
    "electrolysis_addendum": Sealable("electrolysis.ElectrolysisAddendum", "created_at"),
    "consent": Sealable("consents.Consent", "signed_at"),
    "consent_withdrawal": Sealable("consents.Consent", "withdrawn_at", {"withdrawn_at__isnull": False}),
    "questionnaire": Sealable("clients.Questionnaire", "created_at"),
    "audit_event": Sealable("audit.AuditEvent", "at"),
    "record_view": Sealable("audit.RecordView", "at"),
    "erasure": Sealable("audit.Erasure", "erased_at"),
    "photo": Sealable("photos.Photo", "created_at"),
    "adverse_event": Sealable("outcomes.AdverseEvent", "reported_at"),
    "adverse_event_update": Sealable("outcomes.AdverseEventUpdate", "at"),
}


def _plain(f: models.Field[Any, Any], value: Any) -> Any:
    """One column's value as a plain JSON value, the same before saving and after reading back."""
    if value is None:
        return None
    if isinstance(f, models.JSONField):
        return json.loads(json.dumps(value, cls=f.encoder or json.JSONEncoder))
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal) and isinstance(f, models.DecimalField):
        return f"{value:.{f.decimal_places}f}"
    return value


def row_values(obj: models.Model) -> dict[str, Any]:
    """Every column of ``obj`` by attribute name (``client_id``), as plain JSON values."""
    return {f.attname: _plain(f, getattr(obj, f.attname)) for f in obj._meta.concrete_fields}


def _matches(only: Mapping[str, Any], obj: models.Model) -> bool:
    for name, wanted in only.items():
        if name.endswith("__isnull"):
            if (getattr(obj, name.removesuffix("__isnull")) is None) != wanted:
                return False
        elif getattr(obj, name) != wanted:
            return False
    return True


def kinds_for(obj: models.Model, sealable: Mapping[str, Sealable] = SEALABLE) -> list[str]:
    """The kinds of seal ``obj`` must carry as it is now (none for a booked session, two for a withdrawn consent)."""
    label = obj._meta.label
    return [kind for kind, spec in sealable.items() if spec.model == label and _matches(spec.only, obj)]


def seals_model(model: type[models.Model], sealable: Mapping[str, Sealable] = SEALABLE) -> bool:
    """Whether rows of ``model`` carry seals at all."""
    return any(spec.model == model._meta.label for spec in sealable.values())


def seal_rows(
    get_model: GetModel,
    key: bytes,
    organization_id: int,
    records: Sequence[tuple[str, int]],
    *,
    using: str = "default",
    sealable: Mapping[str, Sealable] = SEALABLE,
) -> int:
    """Append a seal for each ``(kind, record id)`` of one organization, in the order given; how many.

    One transaction: the chain head is locked (created at position 0 if the organization has none),
    each row is read back from the database in batches of :data:`BATCH`, and the head moves
    forward one seal at a time, as the database's trigger on it demands. Queries: about
    ``2 + 2 * len(records) / BATCH`` plus one batched head update.
    """
    if not records:
        return 0
    seal_model, chain_model = get_model("audit.Seal"), get_model("audit.SealChain")
    chains = chain_model._base_manager.using(using)
    now = timezone.now()
    with transaction.atomic(using=using, savepoint=False):
        head = chains.select_for_update().filter(organization_id=organization_id).first()
        if head is None:  # the organization's first seal; another writer may create the head first
            chains.bulk_create([chain_model(organization_id=organization_id)], ignore_conflicts=True)
            head = chains.select_for_update().get(organization_id=organization_id)
        seq: int = head.seq  # type: ignore[attr-defined]
        prev: str = head.digest  # type: ignore[attr-defined]
        steps: list[tuple[int, str, int]] = []
        for start in range(0, len(records), BATCH):
            batch = records[start : start + BATCH]
            wanted: dict[str, list[int]] = defaultdict(list)
            for kind, pk in batch:
                wanted[sealable[kind].model].append(pk)
            rows = {
                label: get_model(label)._base_manager.using(using).in_bulk(pks) for label, pks in wanted.items()
            }
            seals = []
            for kind, pk in batch:
                obj = rows[sealable[kind].model].get(pk)
                if obj is None:
                    msg = f"cannot seal {kind} {pk}: the row is not in the database"
                    raise LookupError(msg)
                seq += 1
                digest = seal_digest(
                    key,
                    organization_id=organization_id,
                    seq=seq,
                    prev_digest=prev,
                    kind=kind,
                    record_id=pk,
                    content=seal_content(kind, pk, row_values(obj), key),
                )
                seals.append(
                    seal_model(
                        organization_id=organization_id,
                        seq=seq,
                        kind=kind,
                        record_id=pk,
                        prev_digest=prev,
                        digest=digest,
                        sealed_at=now,
                    )
                )
                steps.append((seq, digest, organization_id))
                prev = digest
            seal_model._base_manager.using(using).bulk_create(seals)
        advance_head(chain_model, organization_id, [(s, d) for s, d, _ in steps], using=using)
    return len(records)


def advance_head(
    chain_model: type[models.Model], organization_id: int, steps: Sequence[tuple[int, str]], *, using: str = "default"
) -> None:
    """Move an organization's chain head through ``steps`` (position, digest), one seal at a time.

    The database refuses a head that jumps (a trigger on the chain head table), so a batch of seals
    moves it once per seal, in one batched statement (``executemany``).
    """
    connection = connections[using]
    table = connection.ops.quote_name(chain_model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET seq = %s, digest = %s WHERE organization_id = %s",  # noqa: S608 - a model's table
            [(seq, digest, organization_id) for seq, digest in steps],
        )


def seal_created(objs: Iterable[models.Model], key: bytes, *, using: str = "default") -> int:
    """Seal rows just inserted together (``bulk_create``): each organization's rows in the order given."""
    from django.apps import apps  # noqa: PLC0415 - the live models, once the app registry is ready

    by_org: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for obj in objs:
        for kind in kinds_for(obj):
            if obj.pk is None:
                msg = f"cannot seal a {kind} whose id the database did not return"
                raise LookupError(msg)
            by_org[obj.organization_id].append((kind, obj.pk))  # type: ignore[attr-defined]
    return sum(seal_rows(apps.get_model, key, org, recs, using=using) for org, recs in by_org.items())


def unsealed(
    get_model: GetModel, *, using: str = "default", sealable: Mapping[str, Sealable] = SEALABLE
) -> dict[int, list[tuple[str, int]]]:
    """Every row that should carry a seal and has none, per organization, by time written, then id, then kind."""
    seals = get_model("audit.Seal")._base_manager.using(using)
    sealed = set(seals.values_list("kind", "record_id"))
    earliest = dt.datetime.min.replace(tzinfo=dt.UTC)
    pending: dict[int, list[tuple[dt.datetime, int, int, str]]] = defaultdict(list)
    for index, (kind, spec) in enumerate(sealable.items()):
        rows = get_model(spec.model)._base_manager.using(using).filter(**spec.only)
        for org_id, pk, when in rows.values_list("organization_id", "pk", spec.written).iterator():
            if (kind, pk) not in sealed:
                pending[org_id].append((when or earliest, pk, index, kind))
    return {org: [(kind, pk) for _, pk, _, kind in sorted(rows)] for org, rows in sorted(pending.items())}


def seal_unsealed(
    get_model: GetModel, key: bytes, *, using: str = "default", sealable: Mapping[str, Sealable] = SEALABLE
) -> dict[int, int]:
    """Adoption: seal every row that should carry a seal and has none; how many per organization.

    Each organization's rows are appended to its chain (after any seals it already has) in the
    order they were written (:attr:`Sealable.written`), then by id, then by kind in the order of
    ``sealable``, so the same database always gives the same chain. Running it again seals nothing.
    """
    todo = unsealed(get_model, using=using, sealable=sealable)
    return {
        org: seal_rows(get_model, key, org, records, using=using, sealable=sealable) for org, records in todo.items()
    }
