"""The full export of one organization: one zip, written entry by entry so memory stays flat.

The zip holds ``README.md`` (what each file is), ``records/<table>.json`` (every row of every
table of the organization, as a JSON array written row by row), ``csv/<table>.csv`` (the same
rows), ``fhir/bundle-r4b.json`` and ``fhir/bundle-r5.json``, and ``seals/heads.json`` (the
chain head, in the format ``pinpoint verify --against`` reads). The audit trail is
``records/audit_auditevent.json`` and ``records/audit_recordview.json``; the seal chain is
``records/audit_seal.json``; the photos are ``photos/<stored name>`` (the name in
``records/photos_photo.json``). Rows are read with ``.iterator()``, :data:`CHUNK` at a time, or
:data:`WIDE_CHUNK` from a table with JSON or free-text columns (:func:`chunk_size`).
``pinpoint import`` (:mod:`pinpoint.web.exports.importer`) loads such a zip into an empty database.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from pinpoint.interop.fhir import Version
from pinpoint.web.accounts.models import Membership, Organization, User
from pinpoint.web.audit.chains import chain_heads
from pinpoint.web.audit.erasures import erased_file_names
from pinpoint.web.audit.models import SealChain, row_values
from pinpoint.web.exports.fhir import write_bundle
from pinpoint.web.exports.selectors import CHUNK
from pinpoint.web.photos.models import Photo
from pinpoint.web.photos.storage import photo_storage

__all__ = [
    "HEADS_FORMAT",
    "NOT_EXPORTED",
    "PHOTOS_DIR",
    "PHOTO_FILES",
    "WIDE_CHUNK",
    "chunk_size",
    "export_tables",
    "table_apps",
    "write_zip",
]

HEADS_FORMAT = "pinpoint-chain-heads/1"
NOT_EXPORTED = ("api",)
"""Apps whose tables the export leaves out: API tokens are credentials, like password hashes."""
USER_FIELDS = ("id", "email", "full_name", "is_active", "date_joined")
"""A member's columns in the export: never the password hash or admin flags."""
PHOTOS_DIR = "photos/"
"""Where the zip holds each photo file, under its stored name."""
PHOTO_FILES = (("stored_name", "sha256"), ("thumb_name", "thumb_sha256"))
"""The columns of a photo row naming a stored file, each with the column of the file's SHA-256."""
WIDE_CHUNK = 100
"""Rows per fetch from a table with JSON or free-text columns: a course's plan is tens of kB once parsed,
so :data:`CHUNK` of them (the whole fetch is held at once) made the export's peak grow with the organization."""


def chunk_size(model: type[models.Model]) -> int:
    """Rows per fetch when exporting ``model``: :data:`WIDE_CHUNK` when a row can be large, else :data:`CHUNK`."""
    wide = any(isinstance(f, (models.JSONField, models.TextField)) for f in model._meta.concrete_fields)
    return WIDE_CHUNK if wide else CHUNK


def table_apps() -> list[str]:
    """The labels of the apps whose tables the export holds: every Pinpoint app with models but :data:`NOT_EXPORTED`."""
    return [
        cfg.label
        for cfg in apps.get_app_configs()
        if cfg.name.startswith("pinpoint.web.") and cfg.label not in NOT_EXPORTED and any(cfg.get_models())
    ]


def export_tables(org: Organization) -> Iterator[tuple[str, list[str], models.QuerySet[Any]]]:
    """Each exported table of ``org``: its name, its columns and the query of its rows (in id order)."""
    yield "accounts_organization", _cols(Organization), Organization.objects.filter(pk=org.pk)
    user_ids = Membership.objects.filter(organization=org).values("user_id")
    yield "accounts_user", list(USER_FIELDS), User.objects.filter(pk__in=user_ids).order_by("pk")
    for label in table_apps():
        for model in apps.get_app_config(label).get_models():
            if model in (Organization, User) or model.__name__.startswith("Historical"):
                continue
            field_names = {f.name for f in model._meta.concrete_fields}
            if "organization" not in field_names:
                continue
            qs = model._default_manager.filter(organization=org)
            order = "pk" if model is not SealChain else "organization_id"
            yield model._meta.db_table, _cols(model), qs.order_by(order)


def _cols(model: type[models.Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def _rows(qs: models.QuerySet[Any], cols: list[str]) -> Iterator[dict[str, Any]]:
    for obj in qs.iterator(chunk_size=chunk_size(qs.model)):
        values = row_values(obj)
        yield {c: values[c] for c in cols}


def _write_json(zf: zipfile.ZipFile, name: str, rows: Iterator[dict[str, Any]]) -> int:
    n = 0
    with zf.open(name, "w", force_zip64=True) as raw, io.TextIOWrapper(raw, encoding="utf-8") as out:
        out.write("[")
        for row in rows:
            out.write(("\n" if n == 0 else ",\n") + json.dumps(row, ensure_ascii=False, cls=DjangoJSONEncoder))
            n += 1
        out.write("\n]\n")
    return n


def _write_csv(zf: zipfile.ZipFile, name: str, cols: list[str], rows: Iterator[dict[str, Any]]) -> None:
    with zf.open(name, "w", force_zip64=True) as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as out:
        w = csv.writer(out)
        w.writerow(cols)
        for row in rows:
            w.writerow([_cell(row[c]) for c in cols])


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def write_zip(target: Path | IO[bytes], org: Organization, *, now: dt.datetime) -> dict[str, int]:
    """Write the full export of ``org`` to ``target``; rows per table."""
    counts: dict[str, int] = {}
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        for table, cols, qs in export_tables(org):
            counts[table] = _write_json(zf, f"records/{table}.json", _rows(qs, cols))
            _write_csv(zf, f"csv/{table}.csv", cols, _rows(qs, cols))
        _write_photos(zf, org)
        for version in (Version.R4B, Version.R5):
            name = f"fhir/bundle-{version.value.lower()}.json"
            with zf.open(name, "w", force_zip64=True) as raw, io.TextIOWrapper(raw, encoding="utf-8") as out:
                write_bundle(out, org, version, now=now)
        heads = [dataclasses.asdict(h) for h in chain_heads() if h.organization_id == org.pk]
        doc = {"format": HEADS_FORMAT, "taken_at": now.isoformat(), "heads": [
            {"organization": h["organization_id"], "seq": h["seq"], "digest": h["digest"]} for h in heads
        ]}  # fmt: skip
        zf.writestr("seals/heads.json", json.dumps(doc, indent=2) + "\n")
        zf.writestr("README.md", readme(org, now, counts))
    return counts


def _write_photos(zf: zipfile.ZipFile, org: Organization) -> None:
    """Each photo file of ``org`` as ``photos/<stored name>``, one file at a time."""
    storage = photo_storage()
    erased = erased_file_names(org.pk)  # deleted by an erasure: the record stays, the bytes are gone
    columns = [name for name, _ in PHOTO_FILES if name in {f.attname for f in Photo._meta.concrete_fields}]
    rows = Photo._base_manager.filter(organization=org).order_by("pk").values_list(*columns)
    for names in rows.iterator(chunk_size=CHUNK):
        for name in filter(None, names):
            if name in erased:
                continue
            with storage.open(name, "rb") as src, zf.open(PHOTOS_DIR + name, "w", force_zip64=True) as dst:
                shutil.copyfileobj(src, dst)


def readme(org: Organization, now: dt.datetime, counts: dict[str, int]) -> str:
    """What the zip holds, file by file."""
    lines = [
        f"# Pinpoint export of {org.name}",
        "",
        f"Taken {now.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC. Everything this organization recorded, in open formats.",
        "",
        "## Files",
        "",
        "- `records/<table>.json`: every row of the table, one JSON object per row, by column name"
        " (`client_id` is the id of a row of `clients_client`). Dates are ISO 8601, moments in UTC.",
        "- `csv/<table>.csv`: the same rows as CSV with a header line; JSON columns hold JSON text.",
        "- `fhir/bundle-r4b.json`, `fhir/bundle-r5.json`: the records as a FHIR Bundle (type collection),"
        " in FHIR R4B and R5 (see docs/interop.md for what maps to what).",
        "- `seals/heads.json`: the head of this organization's chain of sealed records;"
        " `pinpoint verify --against seals/heads.json` proves later that nothing sealed up to it was rewritten.",
        "- The audit trail: `records/audit_auditevent.json` (who did what) and `records/audit_recordview.json`"
        " (who opened which record). The seal chain: `records/audit_seal.json` (one seal per sealed record,"
        " in chain order) and `records/audit_sealchain.json` (the head).",
        "",
        "- `photos/<name>`: each photo (JPEG, without metadata) and its thumbnail, under the `stored_name`"
        " and `thumb_name` of its row in `records/photos_photo.json` (`sha256`, `thumb_sha256`: the files').",
        "- `pinpoint import FILE` loads this zip into an empty Pinpoint database, ids included; the seals"
        " verify there with the same seal key, which is never in this zip (copy it separately).",
        "",
        "Not included: password hashes (members set a new password after an import), API tokens,"
        " the seal key, the change-history tables.",
        "",
        "## Tables",
        "",
        *(f"- `{table}`: {n} rows" for table, n in counts.items()),
        "",
    ]
    return "\n".join(lines)
