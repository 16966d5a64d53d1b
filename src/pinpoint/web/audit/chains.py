"""Reading the chains of seals: the head of each organization's chain, and checking one record in place.

``chain_heads()`` is what a backup stores beside the data and what ``pinpoint verify --head``
prints; ``check_record()`` is what a record page asks before it says "verified".
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from django.db import models

from pinpoint.core.seals import GENESIS, seal_content, seal_digest
from pinpoint.web.audit.erasures import erased_fields
from pinpoint.web.audit.models import Seal, SealChain, row_values
from pinpoint.web.audit.sealkey import seal_key

__all__ = ["ChainHead", "chain_heads", "check_record"]


@dataclass(frozen=True)
class ChainHead:
    """The last seal of one organization's chain: its position (``seq``, from 1) and digest."""

    organization_id: int
    seq: int
    digest: str


def chain_heads() -> list[ChainHead]:
    """The head of every organization's chain, by organization id (one query)."""
    return [
        ChainHead(organization_id=org_id, seq=seq, digest=digest)
        for org_id, seq, digest in SealChain.objects.order_by("organization_id").values_list(
            "organization_id", "seq", "digest"
        )
    ]


def check_record(obj: models.Model, kind: str) -> str | None:
    """Why ``obj`` (sealed as ``kind``) cannot be trusted, or ``None`` when its seal and chain position hold.

    Checks that the seal exists, that the row still gives the sealed digest, that the seal
    follows the one before it and that the one after it (if any) follows it (two queries).
    """
    org_id: int = obj.organization_id  # type: ignore[attr-defined]
    seal = Seal.objects.filter(organization_id=org_id, kind=kind, record_id=obj.pk).first()
    if seal is None:
        return "this record has no seal"
    key = seal_key()
    digest = seal_digest(
        key,
        organization_id=org_id,
        seq=seal.seq,
        prev_digest=seal.prev_digest,
        kind=kind,
        record_id=obj.pk,
        content=seal_content(kind, obj.pk, row_values(obj), key, erased_fields(org_id, kind, obj.pk)),
    )
    if not hmac.compare_digest(digest, seal.digest):
        return "this record no longer matches its seal"
    around = {s.seq: s for s in Seal.objects.filter(organization_id=org_id, seq__in=(seal.seq - 1, seal.seq + 1))}
    before = around.get(seal.seq - 1)
    expected_prev = GENESIS if seal.seq == 1 else (before.digest if before is not None else None)
    after = around.get(seal.seq + 1)
    if expected_prev is None or seal.prev_digest != expected_prev or (after and after.prev_digest != seal.digest):
        return "its seal is no longer in its place in the chain of sealed records"
    return None
