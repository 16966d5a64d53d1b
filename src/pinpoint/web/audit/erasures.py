"""Reading erasures: which sealed fields of an organization's records an erasure blanked (ADR 0010).

``verify``, the record pages' seal check and the signed-session check read an erased field's
sealed digest from here instead of recomputing it from the blanked value. Only a sealed erasure
counts: a row inserted into ``audit_erasure`` behind the app's back vouches for nothing, so the fields
and files it lists are checked as if it were not there (and ``verify`` names the row as unsealed).
"""

from __future__ import annotations

from django.db.models import QuerySet

from pinpoint.core.erasure import deleted_files
from pinpoint.core.seals import Erased, erased_digests
from pinpoint.web.audit.models import Erasure, Seal

__all__ = ["erased_fields", "erased_file_names", "erased_files", "erased_in"]


def _sealed(organization_id: int) -> QuerySet[Erasure]:
    """The organization's erasures that carry a seal (a subquery: still one query)."""
    sealed = Seal.objects.filter(organization_id=organization_id, kind=Erasure.seal_kind).values("record_id")
    return Erasure.objects.filter(organization_id=organization_id, pk__in=sealed)


def erased_in(organization_id: int) -> dict[tuple[str, int], Erased]:
    """Every sealed field a sealed erasure of the organization blanked, by (seal kind, record id) (one query)."""
    out: dict[tuple[str, int], Erased] = {}
    for fields in _sealed(organization_id).values_list("fields", flat=True):
        for where, erased in erased_digests(fields).items():
            out[where] = {**out.get(where, {}), **erased}
    return out


def erased_fields(organization_id: int, kind: str, record_id: int) -> Erased:
    """The fields of one sealed record that an erasure blanked (empty when none)."""
    return erased_in(organization_id).get((kind, record_id), {})


def erased_files(organization_id: int, client_id: int) -> dict[str, str]:
    """The stored files (photos) the client's sealed erasure deleted: name -> SHA-256 (empty when none; one query)."""
    out: dict[str, str] = {}
    rows = _sealed(organization_id).filter(client_id=client_id)
    for fields in rows.values_list("fields", flat=True):
        out.update(deleted_files(fields))
    return out


def erased_file_names(organization_id: int | None = None) -> set[str]:
    """Every stored file an erasure deleted, in one organization or in all (one query).

    Exports and imports pass over these: their records stay, their bytes are gone on purpose.
    """
    rows = Erasure.objects.all() if organization_id is None else Erasure.objects.filter(organization_id=organization_id)
    out: set[str] = set()
    for fields in rows.values_list("fields", flat=True):
        out.update(deleted_files(fields))
    return out
