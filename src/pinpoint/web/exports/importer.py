"""Loading full exports (the zips of ``pinpoint export --format zip``) into an empty database.

Every ``records/<table>.json`` is read row by row and inserted with its ids, tables in the order of
their foreign keys, :data:`BATCH` rows per insert, all in one transaction. Rows go in as stored:
nothing is sealed again. The seals and chain heads are rows of the export like any other, so the
chain continues exactly where it was, and the import is rolled back unless every organization's
chain verifies with the seal key in force (the key is never in the zip: it travels separately)
and ends at the head in ``seals/heads.json``. Photos are written back to the photo storage under
their stored names, each checked against its recorded SHA-256. PostgreSQL sequences are reset
past the highest id imported.

Members come without passwords (the export never holds their hashes): each sets one through
'Forgotten your password?' on the sign-in page, or ``python -m pinpoint.web changepassword EMAIL``.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management.color import no_style
from django.db import DataError, IntegrityError, connection, models, transaction

from pinpoint.core.errors import InputError
from pinpoint.web.audit.chains import ChainHead
from pinpoint.web.audit.erasures import erased_file_names
from pinpoint.web.exports.archive import HEADS_FORMAT, PHOTO_FILES, PHOTOS_DIR
from pinpoint.web.photos.storage import photo_storage
from pinpoint.web.records.verify import verify_all

__all__ = ["ImportReport", "import_zips", "is_empty"]

BATCH = 2000
"""Rows per insert."""
RECORDS = "records/"
DEFERRED = {
    "treatments_session": ("status", "signed", "in_progress"),
    "electrolysis_session": ("status", "signed", "in_progress"),
}
"""Rows inserted in an earlier state and moved to their exported one once their children are in.

The database refuses zone (or area) records under a signed session (a trigger), so a signed session
is inserted in progress, its records after it, and then it is marked signed, as it was signed.
"""


@dataclass
class ImportReport:
    """What an import loaded: rows per table, photos (with their files, and without: erased), and the organizations."""

    rows: dict[str, int] = field(default_factory=dict)
    photos: int = 0
    erased_photos: int = 0
    """Photo records whose files an erasure deleted: the records are loaded, there is no file to restore."""
    organizations: list[tuple[int, str]] = field(default_factory=list)


def _models() -> dict[str, type[models.Model]]:
    """Every table of Pinpoint's apps, by name."""
    return {
        m._meta.db_table: m
        for cfg in apps.get_app_configs()
        if cfg.name.startswith("pinpoint.web.")
        for m in cfg.get_models()
    }


def is_empty() -> tuple[bool, str]:
    """Whether no table of Pinpoint's apps holds a row; if not, the first table that does."""
    tables = sorted(_models().items(), key=lambda item: (item[1].__name__.startswith("Historical"), item[0]))
    for table, model in tables:  # records first, their change history after
        if model._base_manager.exists():
            return False, table
    return True, ""


def _order(tables: list[str], by_name: dict[str, type[models.Model]]) -> list[str]:
    """``tables`` so that every table comes after the tables its foreign keys point to."""
    wanted = set(tables)
    deps = {
        t: {
            f.related_model._meta.db_table  # type: ignore[union-attr]
            for f in by_name[t]._meta.concrete_fields
            if f.is_relation and f.related_model is not None
        }
        & wanted - {t}
        for t in tables
    }
    done: list[str] = []
    while len(done) < len(tables):
        ready = sorted(t for t in tables if t not in done and deps[t] <= set(done))
        if not ready:
            raise InputError("file", "the tables' foreign keys form a cycle; this is not a Pinpoint export")
        done.extend(ready)
    return done


def _lines(zf: zipfile.ZipFile, name: str) -> Iterator[dict[str, Any]]:
    """The rows of one ``records/`` file, one line each (as :mod:`archive` writes them)."""
    with zf.open(name) as raw, io.TextIOWrapper(raw, encoding="utf-8") as text:
        for number, line in enumerate(text, 1):
            line = line.strip().rstrip(",")
            if line in ("", "[", "]"):
                continue
            try:
                row = json.loads(line)
            except ValueError:
                raise InputError("file", f"{name} line {number}: not a JSON row") from None
            if not isinstance(row, dict):
                raise InputError("file", f"{name} line {number}: a row is a JSON object")
            yield row


class _Table:
    """Turning one table's exported rows into model instances."""

    def __init__(self, table: str, model: type[models.Model]) -> None:
        self.table, self.model = table, model
        self.fields = {f.attname: f for f in model._meta.concrete_fields}
        self.is_user = model is apps.get_model("accounts", "User")

    def build(self, row: dict[str, Any], number: int) -> models.Model:
        unknown = sorted(set(row) - set(self.fields))
        if unknown:
            raise InputError("file", f"{self.table} row {number}: unknown column '{unknown[0]}'")
        values: dict[str, Any] = {}
        for name, value in row.items():
            f = self.fields[name]
            try:
                values[name] = value if value is None or isinstance(f, models.JSONField) else f.to_python(value)
            except ValidationError as exc:
                what = "; ".join(exc.messages)
                raise InputError("file", f"{self.table} row {number}: column '{name}': {what}") from None
        obj = self.model(**values)
        if self.is_user:
            obj.password = make_password(None)  # type: ignore[attr-defined]
        return obj


def _insert(table: _Table, rows: Iterator[dict[str, Any]], seen_users: dict[int, dict[str, Any]]) -> list[int]:
    """Insert the rows of one table; the ids of rows moved later to their exported state (:data:`DEFERRED`)."""
    deferred = DEFERRED.get(table.table)
    later: list[int] = []
    batch: list[models.Model] = []
    manager = table.model._base_manager
    for number, row in enumerate(rows, 1):
        if table.is_user:  # a member of several organizations is in each of their exports
            known = seen_users.get(row.get("id", -1))
            if known is not None:
                if known != row:
                    raise InputError("file", f"user {row.get('id')} differs between the files")
                continue
            seen_users[row["id"]] = row
        if deferred is not None and row.get(deferred[0]) == deferred[1]:
            later.append(row["id"])
            row = {**row, deferred[0]: deferred[2]}
        batch.append(table.build(row, number))
        if len(batch) >= BATCH:
            manager.bulk_create(batch)
            batch = []
    if batch:
        manager.bulk_create(batch)
    return later


def _check_tables(names: list[str], by_name: dict[str, type[models.Model]], path: Path) -> list[str]:
    tables = [n.removeprefix(RECORDS).removesuffix(".json") for n in names if n.startswith(RECORDS)]
    if "accounts_organization" not in tables:
        raise InputError("file", f"'{path}' has no records/accounts_organization.json; is it a Pinpoint export?")
    unknown = sorted(set(tables) - set(by_name))
    if unknown:
        raise InputError("file", f"'{path}' holds table '{unknown[0]}', which this Pinpoint version does not have")
    return tables


def _heads(zf: zipfile.ZipFile, path: Path) -> list[Any]:
    try:
        doc = json.loads(zf.read("seals/heads.json"))
        if doc.get("format") != HEADS_FORMAT:
            raise ValueError
        return [ChainHead(h["organization"], h["seq"], h["digest"]) for h in doc["heads"]]
    except (KeyError, ValueError, TypeError, AttributeError):
        raise InputError("file", f"'{path}' has no readable seals/heads.json; is it a Pinpoint export?") from None


def _restore_photos(paths: list[Path], written: list[str]) -> tuple[int, int]:
    """Write each photo and its thumbnail back under their stored names, checked by SHA-256.

    How many photos had their files written, and how many had none to write (an erasure deleted them).
    """
    photo = apps.get_model("photos", "Photo")
    storage = photo_storage()
    zips = [_open(path) for path in paths]
    present = {f.attname for f in photo._meta.concrete_fields}
    columns = [c for pair in PHOTO_FILES if pair[0] in present for c in pair]
    erased = erased_file_names()  # the erasure records were just loaded: their files are gone on purpose
    try:
        restored = gone = 0
        for row in photo._base_manager.order_by("pk").values_list(*columns).iterator():
            if row[0] in erased:
                gone += 1
            else:
                restored += 1
            for name, sha in zip(row[::2], row[1::2], strict=True):
                if name and name not in erased:
                    _restore_file(storage, zips, name, sha, written)
        return restored, gone
    finally:
        for zf in zips:
            zf.close()


def _restore_file(storage: Any, zips: list[zipfile.ZipFile], name: str, sha: str, written: list[str]) -> None:
    """Write one stored file back from the zip that holds it."""
    member = PHOTOS_DIR + name
    holder = next((zf for zf in zips if member in zf.NameToInfo), None)
    if holder is None:
        raise InputError("file", f"the photo file {member} is missing from the export")
    data = holder.read(member)
    if hashlib.sha256(data).hexdigest() != sha:
        raise InputError("file", f"the photo file {member} is not the photo its record describes")
    saved = storage.save(name, ContentFile(data))
    written.append(saved)
    if saved != name:
        raise InputError("file", f"the photo storage already holds a file named {name}")


def _verify(saved: list[Any]) -> None:
    for report in verify_all(saved):
        if report.problem is not None:
            p = report.problem
            raise InputError(
                "key",
                f"organization {report.name}: its seals do not verify after the import ({p.table} id "
                f"{p.record_id}: {p.what}); is the seal key in force the one of the exported instance?",
            )


def _load(path: Path, by_name: dict[str, type[models.Model]], seen_users: dict[int, dict[str, Any]]) -> list[Any]:
    """Insert the records of one zip; its chain heads."""
    with _open(path) as zf:
        tables = _check_tables(zf.namelist(), by_name, path)
        heads = _heads(zf, path)
        deferred: dict[str, list[int]] = {}
        for name in _order(tables, by_name):
            deferred[name] = _insert(_Table(name, by_name[name]), _lines(zf, f"{RECORDS}{name}.json"), seen_users)
        for name, ids in deferred.items():
            if ids:
                column, final, _ = DEFERRED[name]
                by_name[name]._base_manager.filter(pk__in=ids).update(**{column: final})
    return heads


def import_zips(paths: list[Path]) -> ImportReport:
    """Load the full exports ``paths`` into this empty database, in one transaction (see the module)."""
    by_name = _models()
    for path in paths:  # every file is an export before the database is looked at
        with _open(path) as zf:
            _check_tables(zf.namelist(), by_name, path)
            _heads(zf, path)
    empty, table = is_empty()
    if not empty:
        raise InputError("database", f"the database is not empty (table {table} has rows); import needs a new one")
    report = ImportReport()
    written: list[str] = []
    seen_users: dict[int, dict[str, Any]] = {}
    try:
        with transaction.atomic():
            heads = [h for path in paths for h in _load(path, by_name, seen_users)]
            _reset_sequences(list(by_name.values()))
            if "photos_photo" in by_name:
                report.photos, report.erased_photos = _restore_photos(paths, written)
            _verify(heads)
            report.rows = {name: m._base_manager.count() for name, m in by_name.items() if m._base_manager.exists()}
            org = apps.get_model("accounts", "Organization")
            report.organizations = list(org._base_manager.order_by("pk").values_list("pk", "name"))
    except (IntegrityError, DataError) as exc:
        _remove(written)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError("file", f"the records do not fit together: {first}") from None
    except BaseException:
        _remove(written)
        raise
    return report


def _remove(written: list[str]) -> None:
    """Remove the photo files an import that failed had written."""
    for name in written:
        photo_storage().delete(name)


def _open(path: Path) -> zipfile.ZipFile:
    """The zip at ``path``, or one line saying why not."""
    try:
        return zipfile.ZipFile(path)
    except FileNotFoundError:
        raise InputError("file", f"file '{path}' does not exist") from None
    except (zipfile.BadZipFile, IsADirectoryError, OSError) as exc:
        raise InputError("file", f"'{path}' is not a zip from `pinpoint export --format zip` ({exc})") from None


def _reset_sequences(all_models: list[type[models.Model]]) -> None:
    """Move PostgreSQL's id sequences past the ids imported (SQLite needs nothing)."""
    statements = connection.ops.sequence_reset_sql(no_style(), all_models)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
