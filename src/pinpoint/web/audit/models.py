"""Audit rows are written once and never changed; every sealed record gets a seal in its organization's chain.

A seal (:class:`Seal`) is the keyed digest of a record's content chained to the seal before it
in the same organization (:mod:`pinpoint.core.seals`); :class:`SealChain` holds each chain's
head and is the lock that keeps concurrent writers in order. See ``docs/adr/0007``.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from pinpoint.core.seals import GENESIS, seal_content, seal_digest
from pinpoint.web.audit.sealing import advance_head, row_values, seal_created, seals_model
from pinpoint.web.audit.sealkey import seal_key
from pinpoint.web.base.errors import ConflictError
from pinpoint.web.base.sql import table

__all__ = [
    "AuditEvent",
    "Erasure",
    "RecordView",
    "Seal",
    "SealBatch",
    "SealChain",
    "SealedQuerySet",
    "SealedRecordError",
    "SealingBulkCreate",
    "row_values",
]


class SealedRecordError(ConflictError, ValueError):
    """Something tried to change or delete a sealed record, or to write seals out of order (pages answer 409)."""


_M = TypeVar("_M", bound=models.Model)


class SealingBulkCreate(models.QuerySet[_M]):
    """``bulk_create`` seals what it inserts: each row that must carry a seal, in the order given.

    The rows and their seals are written in one transaction, each organization's seals appended
    to its chain in the order of ``objs`` (:func:`pinpoint.web.audit.sealing.seal_created`). A
    model whose rows carry no seal (seals and chain heads themselves) refuses, and so do the
    options that would skip or overwrite rows (``ignore_conflicts``, ``update_conflicts``).
    """

    def bulk_create(
        self,
        objs: Any,
        batch_size: int | None = None,
        ignore_conflicts: bool = False,
        update_conflicts: bool = False,
        update_fields: Any = None,
        unique_fields: Any = None,
    ) -> list[_M]:
        """Insert ``objs`` and seal them in the same transaction."""
        if not seals_model(self.model):
            msg = f"{self.model.__name__} rows are written only by sealing a record"
            raise SealedRecordError(msg)
        if ignore_conflicts or update_conflicts:
            msg = "sealed records are inserted once: bulk_create may not skip or overwrite rows"
            raise SealedRecordError(msg)
        with transaction.atomic(using=self.db, savepoint=False):
            created = super().bulk_create(objs, batch_size=batch_size)
            seal_created(created, seal_key(), using=self.db)
        return created


class SealedQuerySet(SealingBulkCreate[_M]):
    """Bulk paths refuse to change: sealed rows are inserted (and sealed), never updated or deleted."""

    refusal = "sealed records are never changed or deleted"

    def update(self, **kwargs: Any) -> int:
        """Refuse."""
        raise SealedRecordError(self.refusal)

    def delete(self) -> tuple[int, dict[str, int]]:
        """Refuse."""
        raise SealedRecordError(self.refusal)

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        """Refuse."""
        raise SealedRecordError(self.refusal)


class SealChain(models.Model):
    """The head of one organization's chain of seals: the last position and its digest."""

    organization = models.OneToOneField(
        "accounts.Organization", on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    seq = models.PositiveBigIntegerField(default=0)
    digest = models.CharField(max_length=64, default=GENESIS)

    objects = SealedQuerySet["SealChain"].as_manager()

    def __str__(self) -> str:
        return f"chain of organization {self.organization_id} at seal {self.seq}"


class SealManager(models.Manager["Seal"]):
    """Appending to a chain."""

    def get_queryset(self) -> SealedQuerySet[Seal]:
        """Seals refuse bulk changes."""
        return SealedQuerySet(self.model, using=self._db)

    def append(self, obj: models.Model, kind: str) -> Seal:
        """Seal ``obj`` as a record of ``kind`` at the head of its organization's chain.

        Call it in the transaction that writes ``obj``: the chain head is locked (``SELECT ...
        FOR UPDATE``) until that transaction ends, so concurrent writers chain one after another.
        """
        batch = SealBatch()
        batch.add(obj, kind)
        return batch.flush()[0]


class SealBatch:
    """Records written in one transaction, sealed together: one lock of the chain head, one insert.

    :meth:`add` takes each record's content when it is written; :meth:`flush` (last, after
    every other lock of the transaction) seals them in the order they were added.
    """

    def __init__(self) -> None:
        self._items: list[tuple[int, str, int, dict[str, Any]]] = []

    def add(self, obj: models.Model, kind: str) -> None:
        """Seal ``obj`` (just written) as a record of ``kind`` when the batch is flushed."""
        org_id: int = obj.organization_id  # type: ignore[attr-defined]
        self._items.append((org_id, kind, obj.pk, row_values(obj)))

    def flush(self) -> list[Seal]:
        """Seal every record added, in order, at the head of their organization's chain."""
        items, self._items = self._items, []
        if not items:
            return []
        org_ids = {org_id for org_id, _, _, _ in items}
        if len(org_ids) != 1:
            msg = "a batch of seals belongs to one organization's chain"
            raise SealedRecordError(msg)
        org_id = org_ids.pop()
        key = seal_key()
        with transaction.atomic(savepoint=False):
            head = _locked_head(org_id)
            if head is None:
                SealChain._base_manager.bulk_create([SealChain(organization_id=org_id)], ignore_conflicts=True)
                head = _locked_head(org_id)
                if head is None:  # pragma: no cover - the row was just created or found
                    msg = f"the chain of organization {org_id} has no head"
                    raise SealedRecordError(msg)
            seq, prev = head
            seals = []
            for _, kind, record_id, values in items:
                seq += 1
                digest = seal_digest(
                    key,
                    organization_id=org_id,
                    seq=seq,
                    prev_digest=prev,
                    kind=kind,
                    record_id=record_id,
                    content=seal_content(kind, record_id, values, key),
                )
                seal = Seal(organization_id=org_id, seq=seq, kind=kind, record_id=record_id, prev_digest=prev)
                seal.digest = digest
                seals.append(seal)
                prev = digest
            _insert_seals(seals)  # seals are written only here and by sealing.seal_rows
            advance_head(SealChain, org_id, [(s.seq, s.digest) for s in seals])
            return seals


def _locked_head(org_id: int) -> tuple[int, str] | None:
    """The organization's chain head (position, digest), locked until the transaction ends; one query in SQL.

    ``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite has no row locks and needs none (every write
    transaction is ``IMMEDIATE``: writers queue for the whole database). Written in SQL so that
    the lock is not held while the ORM builds the query.
    """
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT seq, digest FROM {table(SealChain)} WHERE organization_id = %s{lock}", [org_id])  # noqa: S608
        row = cursor.fetchone()
    return None if row is None else (int(row[0]), str(row[1]))


def _insert_seals(seals: list[Seal]) -> None:
    """Insert ``seals`` (one statement, one row each); their ids are not read back (nothing uses them)."""
    q = connection.ops.quote_name
    columns = ("organization_id", "seq", "kind", "record_id", "prev_digest", "digest", "sealed_at")
    sql = (
        f"INSERT INTO {q(Seal._meta.db_table)} ({', '.join(q(c) for c in columns)})"  # noqa: S608 - a model's table
        f" VALUES ({', '.join(['%s'] * len(columns))})"
    )
    rows = [
        (s.organization_id, s.seq, s.kind, s.record_id, s.prev_digest, s.digest,
         connection.ops.adapt_datetimefield_value(s.sealed_at))
        for s in seals
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


class Seal(models.Model):
    """The seal of one record: its position in its organization's chain, the digest before it, its own."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=32)
    record_id = models.BigIntegerField()
    prev_digest = models.CharField(max_length=64)
    digest = models.CharField(max_length=64)
    sealed_at = models.DateTimeField(default=timezone.now)

    objects = SealManager()

    class Meta:
        ordering: ClassVar[list[str]] = ["organization", "seq"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["organization", "seq"], name="seal_position_unique"),
            models.UniqueConstraint(fields=["kind", "record_id"], name="seal_record_unique"),
        ]

    def __str__(self) -> str:
        return f"seal {self.seq} of organization {self.organization_id}: {self.kind} {self.record_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert only."""
        if not self._state.adding:
            msg = "a seal is never changed"
            raise SealedRecordError(msg)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        """Never."""
        msg = "a seal is never deleted"
        raise SealedRecordError(msg)


class AppendOnlyQuerySet(SealedQuerySet[_M]):
    """Audit rows refuse bulk changes."""

    refusal = "audit rows are append-only"


class AppendOnly(models.Model):
    """A row that may be inserted (and is sealed then), never updated or deleted through the ORM."""

    seal_kind: ClassVar[str]

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, seals: SealBatch | None = None, **kwargs: Any) -> None:
        """Insert only, and seal in the same transaction (with ``seals``: when that batch is flushed)."""
        if not self._state.adding or (self.pk is not None and type(self).objects.filter(pk=self.pk).exists()):
            msg = f"{type(self).__name__} rows are append-only"
            raise SealedRecordError(msg)
        with transaction.atomic(savepoint=False):
            super().save(*args, **kwargs)
            if seals is not None:
                seals.add(self, self.seal_kind)
            else:
                Seal.objects.append(self, self.seal_kind)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        """Never."""
        msg = f"{type(self).__name__} rows are append-only"
        raise SealedRecordError(msg)


class AuditEvent(AppendOnly):
    """One action: who did what to which record, with the details that matter (e.g. an override reason)."""

    seal_kind = "audit_event"

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64)
    target_id = models.BigIntegerField(null=True)
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, null=True, related_name="+")
    detail = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["organization", "-at"], name="audit_event_org_at"),
            models.Index(fields=["organization", "client", "-at"], name="audit_event_client_at"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}#{self.target_id}"


class RecordView(AppendOnly):
    """Someone opened a page showing a client's record."""

    seal_kind = "record_view"

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    what = models.CharField(max_length=64)
    object_id = models.BigIntegerField(null=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["organization", "-at"], name="audit_view_org_at"),
            models.Index(fields=["organization", "client", "-at"], name="audit_view_client_at"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} viewed {self.what} of client {self.client_id}"


class Erasure(AppendOnly):
    """A client's erasure: who erased whose personal fields, when and why, and each blanked field.

    ``fields`` lists every blanked field (table, record, field) and, for a sealed record's personal
    field, its digest before and after (:func:`pinpoint.core.seals.erasure_entry`). The row is sealed
    in the organization's chain; ``verify`` reads an erased field's sealed digest from it, and the
    sealed tables' triggers let a listed field change only once such a row exists (ADR 0010).
    """

    seal_kind = "erasure"

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    erased_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    erased_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()
    fields = models.JSONField(default=list, encoder=DjangoJSONEncoder)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["organization", "client"], name="erasure_once_per_client"),
        ]

    def __str__(self) -> str:
        return f"erasure of client {self.client_id}"
