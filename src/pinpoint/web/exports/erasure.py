"""Erasing a client's personal data: pseudonymise the client, blank free text, keep the clinical record.

What goes and what stays is core's (:mod:`pinpoint.core.erasure`); this action finds every row of
the client, checks the sealed ones first (an altered record is not laundered by an erasure), writes
the sealed erasure record listing each blanked field (with the field digests of sealed ones) and each
photo file it deletes (image and thumbnail, with their SHA-256), then blanks the fields, their
change-history rows and the admin log's names, in one transaction (ADR 0010); the files go once it commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.http import Http404
from django.utils import timezone

from pinpoint.core import erasure as rules
from pinpoint.core.errors import InputError
from pinpoint.core.records import canonical_json
from pinpoint.core.seals import erasure_entry
from pinpoint.web.audit.actions import Event, record_event
from pinpoint.web.audit.chains import check_record
from pinpoint.web.audit.models import AuditEvent, Erasure, row_values
from pinpoint.web.audit.sealkey import seal_key
from pinpoint.web.base.errors import ConflictError
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.clients.models import Client, Questionnaire
from pinpoint.web.consents.models import Consent
from pinpoint.web.electrolysis import models as el
from pinpoint.web.electrolysis.signing import content_of as electrolysis_content
from pinpoint.web.outcomes.models import AdverseEvent, AdverseEventUpdate
from pinpoint.web.photos import storage as photo_files
from pinpoint.web.photos.models import Photo
from pinpoint.web.treatments.models import Addendum, Course, Session, ZoneRecord
from pinpoint.web.treatments.signing import signed_content

__all__ = ["MAX_REASON", "Change", "erase_client", "planned_changes"]

MAX_REASON = 500
"""Characters of an erasure's reason."""


@dataclass
class Change:
    """New values for some fields of one row; ``kind`` is the seal kind each field is sealed under."""

    obj: models.Model
    values: dict[str, Any]
    kinds: dict[str, str | None]


def _blank(obj: models.Model, fields: tuple[str, ...], kind: str | None = None) -> Change:
    values = {f: "" for f in fields if getattr(obj, f)}
    return Change(obj, values, dict.fromkeys(values, kind))


def _client(c: Client) -> Change:
    values: dict[str, Any] = {"full_name": rules.pseudonym(c.pk), "birth_date": None}
    values.update(dict.fromkeys(("email", "phone", "notes"), ""))
    return Change(c, values, dict.fromkeys(values))


def _sessions(client: Client) -> Iterator[Change]:
    zones: dict[int, list[ZoneRecord]] = {}
    for z in ZoneRecord.objects.filter(session__client=client).order_by("pk"):
        zones.setdefault(z.session_id, []).append(z)
        yield _blank(z, ("notes",))
    for s in Session.objects.filter(client=client).order_by("pk"):
        kind = "session" if s.is_signed else None
        change = _blank(s, ("notes", "override_reason"), kind)
        if s.is_signed:
            blanked = [_with(z, notes="") for z in zones.get(s.pk, [])]
            text = canonical_json(signed_content(_with(s, notes="", override_reason=""), blanked))
            if text != s.signed_content:
                change.values["signed_content"] = text
                change.kinds["signed_content"] = kind
        yield change


def _electrolysis(client: Client) -> Iterator[Change]:
    areas: dict[int, list[el.AreaRecord]] = {}
    for r in el.AreaRecord.objects.filter(session__client=client).order_by("area"):
        areas.setdefault(r.session_id, []).append(r)
    for s in el.Session.objects.filter(client=client).order_by("pk"):
        kind = "electrolysis_session" if s.is_signed else None
        change = _blank(s, ("notes",), kind)
        if s.is_signed and change.values:
            text = canonical_json(electrolysis_content(_with(s, notes=""), areas.get(s.pk, [])))
            if text != s.signed_content:
                change.values["signed_content"] = text
                change.kinds["signed_content"] = kind
        yield change
    for a in el.ElectrolysisAddendum.objects.filter(session__client=client).order_by("pk"):
        yield _blank(a, ("text",), "electrolysis_addendum")


def _with(obj: Any, **values: Any) -> Any:
    copy = type(obj)()
    copy.__dict__.update({k: v for k, v in obj.__dict__.items() if k != "_state"})
    copy.__dict__.update(values)
    return copy


def planned_changes(client: Client) -> list[Change]:
    """Every row of ``client`` that erasure changes, with its new values (only fields that change)."""
    changes = [_client(client)]
    for q in Questionnaire.objects.filter(client=client).order_by("pk"):
        answers = rules.erase_answers(q.answers)
        changes.append(Change(q, {"answers": answers} if answers != q.answers else {}, {"answers": "questionnaire"}))
    for c in Consent.objects.filter(client=client).order_by("pk"):
        changes.append(_blank(c, ("signed_name",), "consent"))
        changes.append(_blank(c, ("withdrawal_reason",), "consent_withdrawal"))
    for course in Course.objects.filter(client=client).order_by("pk"):
        changes.append(_blank(course, ("override_reason",)))
    changes.extend(_sessions(client))
    for a in Addendum.objects.filter(session__client=client).order_by("pk"):
        changes.append(_blank(a, ("text",), "addendum"))
    changes.extend(_electrolysis(client))
    for ae in AdverseEvent.objects.filter(client=client).order_by("pk"):
        changes.append(_blank(ae, ("action_taken",), "adverse_event"))
    for u in AdverseEventUpdate.objects.filter(event__client=client).order_by("pk"):
        changes.append(_blank(u, ("note",), "adverse_event_update"))
    for e in AuditEvent.objects.filter(client=client).order_by("pk"):
        detail = rules.erase_detail(e.detail)
        changes.append(Change(e, {"detail": detail} if detail != e.detail else {}, {"detail": "audit_event"}))
    return [c for c in changes if c.values]


def _entries(key: bytes, changes: list[Change]) -> list[dict[str, Any]]:
    entries = []
    for ch in changes:
        before = row_values(ch.obj)
        after = row_values(_with(ch.obj, **ch.values))
        for field, kind in ch.kinds.items():
            if field not in ch.values:
                continue
            entries.append(
                erasure_entry(
                    key,
                    table=ch.obj._meta.db_table,
                    kind=kind,
                    record_id=ch.obj.pk,
                    field=field,
                    before=before[field],
                    after=after[field],
                )
            )
    return entries


def _photo_files(client: Client) -> list[dict[str, Any]]:
    """The erasure's entries for the client's stored photo files (image and thumbnail), which it deletes."""
    entries = []
    rows = Photo._base_manager.filter(client=client).order_by("pk")
    columns = ("pk", "stored_name", "sha256", "thumb_name", "thumb_sha256")
    for pk, name, sha, thumb, thumb_sha in rows.values_list(*columns):
        for what, file, digest in (("image", name, sha), ("thumbnail", thumb, thumb_sha)):
            if file:
                entry = rules.file_entry(table=Photo._meta.db_table, record_id=pk, what=what, name=file, sha256=digest)
                entries.append(entry)
    return entries


def _delete_files(entries: list[dict[str, Any]]) -> None:
    """Delete the listed photo files once the erasure is committed (a rolled-back erasure keeps them)."""
    names = [str(e["file"]) for e in entries]

    def delete() -> None:
        for name in names:
            photo_files.remove(name)

    transaction.on_commit(delete)


def _check_sealed(client: Client) -> None:
    """Refuse when a sealed record of the client no longer matches its seal: erasing must not hide it."""
    sealed: list[tuple[models.Model, str]] = [(q, "questionnaire") for q in Questionnaire.objects.filter(client=client)]
    for c in Consent.objects.filter(client=client):
        sealed.append((c, "consent"))
        if c.withdrawn_at is not None:
            sealed.append((c, "consent_withdrawal"))
    sealed += [(s, "session") for s in Session.objects.filter(client=client, status=Session.Status.SIGNED)]
    sealed += [(a, "addendum") for a in Addendum.objects.filter(session__client=client)]
    sealed += [(s, "electrolysis_session") for s in el.Session.objects.filter(client=client, status="signed")]
    sealed += [(a, "electrolysis_addendum") for a in el.ElectrolysisAddendum.objects.filter(session__client=client)]
    sealed += [(ae, "adverse_event") for ae in AdverseEvent.objects.filter(client=client)]
    sealed += [(u, "adverse_event_update") for u in AdverseEventUpdate.objects.filter(event__client=client)]
    sealed += [(e, "audit_event") for e in AuditEvent.objects.filter(client=client)]
    for obj, kind in sealed:
        problem = check_record(obj, kind)
        if problem is not None:
            msg = f"cannot erase: {obj._meta.verbose_name} {obj.pk}: {problem}; run pinpoint verify first"
            raise ConflictError(msg)


def _scrub_history(ch: Change) -> None:
    history = getattr(type(ch.obj), "history", None)
    if history is None:
        return
    history.model._base_manager.filter(id=ch.obj.pk).update(**ch.values)


def _scrub_admin_log(changes: list[Change]) -> None:
    for ch in changes:
        ct = ContentType.objects.get_for_model(type(ch.obj))
        name = f"{ch.obj._meta.verbose_name} {ch.obj.pk}"
        LogEntry.objects.filter(content_type=ct, object_id=str(ch.obj.pk)).update(object_repr=name, change_message="")


def erase_client(actor: Actor, client_id: int, reason: str, *, now: dt.datetime | None = None) -> Erasure:
    """Erase the personal data of the organization's client ``client_id``, for ``reason``; the erasure record.

    Another organization's client, or none, is :class:`Http404`; a client already erased, or one with
    a record that no longer matches its seal, is a :class:`ConflictError`; an empty or long reason an
    :class:`InputError` naming ``reason``.
    """
    actor.require(Perm.CLIENT_ERASE)
    reason = reason.strip()
    if not reason:
        raise InputError("reason", "say why the personal data is erased (for example: the client's request of 3 March)")
    if len(reason) > MAX_REASON:
        raise InputError("reason", f"the reason is at most {MAX_REASON} characters, got {len(reason)}")
    with transaction.atomic():
        client = Client.objects.select_for_update().filter(organization=actor.organization, pk=client_id).first()
        if client is None:
            raise Http404
        if Erasure.objects.filter(organization=actor.organization, client=client).exists():
            msg = f"{client.full_name}'s personal data was already erased"
            raise ConflictError(msg)
        _check_sealed(client)
        changes = planned_changes(client)
        erasure = Erasure(
            organization=actor.organization,
            client=client,
            erased_by=actor.user,
            erased_at=now or timezone.now(),
            reason=reason,
            fields=_entries(seal_key(), changes) + (files := _photo_files(client)),
        )
        erasure.save(force_insert=True)
        for ch in changes:
            type(ch.obj)._base_manager.filter(pk=ch.obj.pk).update(**ch.values)
            _scrub_history(ch)
        _scrub_admin_log(changes)
        _delete_files(files)
        detail = {"erasure": erasure.pk, "fields": len(erasure.fields)}
        record_event(actor, Event.CLIENT_ERASE, erasure, client=client, detail=detail)
    return erasure
