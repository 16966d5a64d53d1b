"""Seals of the record: what each kind of sealed record covers, its keyed digest, and the chain.

A sealed record (a signed session, an addendum, a consent and its withdrawal, a questionnaire
snapshot, an audit event, a record view) gets a seal when it is written: an HMAC-SHA256, under
a key kept outside the database, over the canonical JSON (:func:`pinpoint.core.records.canonical_json`)
of its content, its organization, its place in that organization's chain (``seq``, counted from 1)
and the digest of the seal before it (:data:`GENESIS` for the first). Changing, deleting,
inserting or reordering a sealed row therefore breaks the chain from that row on.

Personal fields (free text, names, health answers) enter the content only through their own
keyed digest (:func:`field_digest`), so that erasing them later can keep the chain verifiable:
the erasure records the field digests before blanking the values (ADR 0007).

Pure functions: the caller passes the row's values as plain JSON values (dates as ISO text,
datetimes in UTC ISO text, decimals as text, foreign keys as ids) and the key as bytes.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pinpoint.core.errors import InputError
from pinpoint.core.records import canonical_json

__all__ = [
    "GENESIS",
    "KINDS",
    "ChainBreak",
    "Erased",
    "SealLink",
    "SealSpec",
    "check_chain",
    "erased_digests",
    "erasure_entry",
    "field_digest",
    "seal_content",
    "seal_digest",
]

GENESIS = "0" * 64
"""The "previous digest" of the first seal of every chain."""

MIN_KEY_BYTES = 32


@dataclass(frozen=True)
class SealSpec:
    """What a seal of one kind covers: ``fields`` by value, ``personal`` by their keyed digest."""

    fields: tuple[str, ...]
    personal: tuple[str, ...] = ()


KINDS: Mapping[str, SealSpec] = {
    # A signed session: the session row; its zone records are bound through ``signed_content``
    # (the canonical JSON of the session and its zones) and ``content_hash`` (its SHA-256), which
    # the record page and ``verify`` recompute from the rows.
    "session": SealSpec(
        fields=(
            "organization_id",
            "course_id",
            "client_id",
            "number",
            "status",
            "scheduled_on",
            "performed_on",
            "started_at",
            "started_by_id",
            "override_by_id",
            "checklist",
            "anaesthetic_started_at",
            "signed_at",
            "signed_by_id",
            "content_hash",
        ),
        personal=("notes", "override_reason", "signed_content"),
    ),
    "addendum": SealSpec(
        fields=("organization_id", "session_id", "author_id", "created_at"),
        personal=("text",),
    ),
    # A signed electrolysis session: its area records are bound through ``signed_content`` and
    # ``content_hash`` as a microneedling session's zones are (ADR 0011).
    "electrolysis_session": SealSpec(
        fields=(
            "organization_id",
            "course_id",
            "client_id",
            "number",
            "performed_on",
            "status",
            "practitioner_id",
            "signed_at",
            "signed_by_id",
            "content_hash",
        ),
        personal=("notes", "signed_content"),
    ),
    "electrolysis_addendum": SealSpec(
        fields=("organization_id", "session_id", "author_id", "created_at"),
        personal=("text",),
    ),
    "consent": SealSpec(
        fields=(
            "organization_id",
            "client_id",
            "template_id",
            "treatment",
            "template_version",
            "title",
            "text",
            "signer",
            "signed_at",
            "recorded_by_id",
            "photo_clinical",
            "photo_marketing",
        ),
        personal=("signed_name",),
    ),
    # The withdrawal of a consent: the one change a signed consent allows, sealed on its own.
    "consent_withdrawal": SealSpec(
        fields=("organization_id", "withdrawn_at", "withdrawn_by_id"),
        personal=("withdrawal_reason",),
    ),
    "questionnaire": SealSpec(
        fields=("organization_id", "client_id", "taken_on", "evidence_version", "recorded_by_id", "created_at"),
        personal=("answers",),
    ),
    "audit_event": SealSpec(
        fields=("organization_id", "actor_id", "action", "target_type", "target_id", "client_id", "at"),
        personal=("detail",),
    ),
    "record_view": SealSpec(
        fields=("organization_id", "user_id", "client_id", "what", "object_id", "at"),
    ),
    # An adverse event report (its lots by id and number in ``lots``) and each later follow-up.
    "adverse_event": SealSpec(
        fields=(
            "organization_id",
            "client_id",
            "session_id",
            "kind",
            "severity",
            "onset_on",
            "zones",
            "lots",
            "reported_by_id",
            "reported_at",
        ),
        personal=("action_taken",),
    ),
    "adverse_event_update": SealSpec(
        fields=("organization_id", "event_id", "outcome", "resolved_on", "by_id", "at"),
        personal=("note",),
    ),
    # A photo: what it shows, when, under which consent, and the SHA-256 of the stored image and of its
    # thumbnail, so a file swapped in the storage is caught by ``verify``, which reads them back.
    "photo": SealSpec(
        fields=(
            "organization_id",
            "client_id",
            "course_id",
            "session_id",
            "consent_id",
            "zone",
            "series",
            "view",
            "protocol",
            "taken_on",
            "key",
            "stored_name",
            "sha256",
            "width",
            "height",
            "size_bytes",
            "thumb_name",
            "thumb_sha256",
            "taken_by_id",
            "created_at",
        ),
    ),
    # An erasure: whose personal fields were blanked, by whom, when, why, and for each sealed field
    # its digest before and after (:func:`erasure_entry`); the digests reveal nothing without the key.
    "erasure": SealSpec(
        fields=("organization_id", "client_id", "erased_by_id", "erased_at", "reason", "fields"),
    ),
}

Erased = Mapping[str, tuple[str, str]]
"""The personal fields of one sealed record that an erasure blanked: field -> (digest before, digest after)."""


def _spec(kind: str) -> SealSpec:
    spec = KINDS.get(kind)
    if spec is None:
        raise InputError("kind", f"unknown kind of sealed record {kind!r}; known: {', '.join(sorted(KINDS))}")
    return spec


def _check_key(key: bytes) -> None:
    if len(key) < MIN_KEY_BYTES:
        raise InputError("key", f"a seal key has at least {MIN_KEY_BYTES} bytes, got {len(key)}")


def _hmac(key: bytes, content: Mapping[str, Any]) -> str:
    return hmac.new(key, canonical_json(content).encode("utf-8"), hashlib.sha256).hexdigest()


def field_digest(key: bytes, kind: str, record_id: int, field: str, value: Any) -> str:
    """Keyed digest (HMAC-SHA256, hex) of one personal field of one record.

    It names the kind, the record and the field, so equal values in two records give unrelated
    digests, and without the key a digest does not reveal a short value (a name, a yes/no answer).
    """
    _check_key(key)
    return _hmac(key, {"kind": kind, "record": record_id, "field": field, "value": value})


def seal_content(
    kind: str, record_id: int, values: Mapping[str, Any], key: bytes, erased: Erased | None = None
) -> dict[str, Any]:
    """The content a seal of ``kind`` covers, from the row's ``values`` (plain JSON values).

    Covered fields are copied; personal fields are replaced by their :func:`field_digest`.
    A covered field missing from ``values`` is an :class:`InputError` naming it.

    ``erased`` holds the fields an erasure blanked after the record was sealed: when a field's
    value now gives the digest the erasure recorded as *after*, the digest recorded as *before*
    (the one sealed) takes its place, so the seal still holds; any other value (the original
    written back included) gives a content no seal covers, and the seal fails as for any change.
    """
    spec = _spec(kind)
    missing = [f for f in (*spec.fields, *spec.personal) if f not in values]
    if missing:
        raise InputError(missing[0], f"a {kind} seal covers {missing[0]}, which the row does not have")
    content: dict[str, Any] = {f: values[f] for f in spec.fields}
    for f in spec.personal:
        digest = field_digest(key, kind, record_id, f, values[f])
        if erased is not None and f in erased:
            before, after = erased[f]
            # The erased value gives the sealed digest; any other, the original included, never does.
            digest = before if hmac.compare_digest(digest, after) else f"not erased: {digest}"
        content[f"{f}#"] = digest
    return content


def erasure_entry(
    key: bytes, *, table: str, kind: str | None, record_id: int, field: str, before: Any, after: Any
) -> dict[str, Any]:
    """One field an erasure blanks: where (``table``, record, field) and, for a sealed record's personal
    field (``kind`` given), the field digests of its value ``before`` and ``after`` the erasure.

    A field of a sealed kind must be one of that kind's personal fields (:class:`InputError` otherwise):
    the values a seal covers by value are never erased.
    """
    entry: dict[str, Any] = {"table": table, "record": record_id, "field": field, "kind": kind}
    if kind is not None:
        if field not in _spec(kind).personal:
            raise InputError("field", f"{field} is not a personal field of a {kind} seal; it cannot be erased")
        entry["before"] = field_digest(key, kind, record_id, field, before)
        entry["after"] = field_digest(key, kind, record_id, field, after)
    return entry


def erased_digests(entries: Iterable[Mapping[str, Any]]) -> dict[tuple[str, int], dict[str, tuple[str, str]]]:
    """The sealed fields erasure ``entries`` blanked, by (kind, record id): field -> (before, after)."""
    out: dict[tuple[str, int], dict[str, tuple[str, str]]] = {}
    for e in entries:
        if e.get("kind") is not None:
            where = (str(e["kind"]), int(e["record"]))
            out.setdefault(where, {})[str(e["field"])] = (str(e["before"]), str(e["after"]))
    return out


def seal_digest(
    key: bytes,
    *,
    organization_id: int,
    seq: int,
    prev_digest: str,
    kind: str,
    record_id: int,
    content: Mapping[str, Any],
) -> str:
    """The seal (HMAC-SHA256, hex) of one record at position ``seq`` (from 1) of its organization's chain."""
    _check_key(key)
    _spec(kind)
    if seq < 1:
        raise InputError("seq", f"a chain counts its seals from 1, got {seq}")
    link = {
        "organization": organization_id,
        "seq": seq,
        "prev": prev_digest,
        "kind": kind,
        "record": record_id,
        "content": dict(content),
    }
    return _hmac(key, link)


@dataclass(frozen=True)
class SealLink:
    """One stored seal as ``verify`` reads it, with the content recomputed from the record's row.

    ``content`` is ``None`` when the sealed row no longer exists.
    """

    seq: int
    kind: str
    record_id: int
    prev_digest: str
    digest: str
    content: Mapping[str, Any] | None


@dataclass(frozen=True)
class ChainBreak:
    """The first link that does not hold: where (``seq``, kind, record) and what is wrong."""

    seq: int
    kind: str
    record_id: int
    problem: str


def check_chain(key: bytes, organization_id: int, links: Iterable[SealLink]) -> ChainBreak | None:
    """Walk one organization's chain in order of ``seq``; the first link that fails, else ``None``.

    A link fails when its position is not the next one (a seal was deleted, inserted or
    reordered), when it does not name the digest of the seal before it, when its row is gone,
    or when the row's content no longer gives its digest under ``key``.
    """
    prev = GENESIS
    expected = 1
    for link in sorted(links, key=lambda x: x.seq):
        if link.seq != expected:
            problem = f"seal {expected} is missing" if link.seq > expected else f"seal {link.seq} appears twice"
            return ChainBreak(link.seq, link.kind, link.record_id, problem)
        if not hmac.compare_digest(link.prev_digest, prev):
            return ChainBreak(link.seq, link.kind, link.record_id, "the seal does not follow the one before it")
        if link.content is None:
            return ChainBreak(link.seq, link.kind, link.record_id, "the sealed row is missing")
        digest = seal_digest(
            key,
            organization_id=organization_id,
            seq=link.seq,
            prev_digest=link.prev_digest,
            kind=link.kind,
            record_id=link.record_id,
            content=link.content,
        )
        if not hmac.compare_digest(digest, link.digest):
            return ChainBreak(link.seq, link.kind, link.record_id, "the row differs from what was sealed")
        prev = link.digest
        expected += 1
    return None
