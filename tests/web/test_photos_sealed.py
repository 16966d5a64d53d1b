"""Photos are sealed records: sealed when taken, refused by the database when changed, a swapped or lost
file named by ``verify``; a thumbnail made at upload; no file left behind by a rolled-back photo."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.signals import request_finished
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from PIL import Image

from pinpoint.core.seals import seal_content
from pinpoint.web.audit.models import Seal, SealedRecordError, row_values
from pinpoint.web.audit.sealkey import seal_key
from pinpoint.web.photos import actions as photo_actions
from pinpoint.web.photos import storage
from pinpoint.web.photos.actions import PhotoInput, discard_rolled_back, take_photo
from pinpoint.web.photos.demo import drawn_face
from pinpoint.web.photos.imaging import THUMB_SIDE
from pinpoint.web.photos.models import Photo, PhotoRecordError
from pinpoint.web.records.verify import verify_all
from tests.web.conftest import World

PG = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL only")
SQLITE = pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite only")


def _take(w: World, view: str = "frontal") -> Photo:
    data = PhotoInput(course=w.ada_course, zone="forehead", view=view, taken_on=w.today, session=w.today_session)
    return take_photo(w.actor(w.practitioner), data, io.BytesIO(drawn_face(view, 5)))


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def _problem(w: World) -> tuple[str, int | None, int | None, str] | None:
    report = next(r for r in verify_all() if r.organization_id == w.clinic.pk)
    p = report.problem
    return None if p is None else (p.table, p.record_id, p.seq, p.what)


def _sql(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cur:
        cur.execute(sql, params or [])


def _refused(sql: str, params: list[Any] | None = None) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        _sql(sql, params)


def test_a_photo_is_sealed_with_the_sha256_of_its_image_and_thumbnail(world: World) -> None:
    photo = _take(world)
    seal = Seal.objects.get(kind="photo", record_id=photo.pk)
    assert seal.organization_id == world.clinic.pk
    content = seal_content("photo", photo.pk, row_values(Photo.objects.get(pk=photo.pk)), seal_key())
    assert (content["sha256"], content["thumb_sha256"], content["key"]) == (photo.sha256, photo.thumb_sha256, photo.key)
    assert len(photo.sha256) == len(photo.thumb_sha256) == 64
    assert photo.sha256 != photo.thumb_sha256
    assert _problem(world) is None


def test_every_demo_photo_is_sealed_and_the_chains_hold(world: World) -> None:
    photos = set(Photo.objects.filter(organization=world.clinic).values_list("pk", flat=True))
    assert len(photos) == 10
    assert set(Seal.objects.filter(kind="photo").values_list("record_id", flat=True)) == photos
    assert [r.problem for r in verify_all()] == [None, None]


def test_the_thumbnail_is_a_small_jpeg_without_metadata_served_through_the_checking_view(world: World) -> None:
    photo = _take(world)
    im = Image.open(io.BytesIO(storage.open_bytes(photo.thumb_name)))
    assert (im.format, im.size, len(im.getexif()), "icc_profile" in im.info) == ("JPEG", (360, THUMB_SIDE), 0, False)
    assert (photo.width, photo.height) == (600, 800)
    client = world.login(world.practitioner)
    response = client.get(reverse("photos:thumb", args=[photo.key]))
    assert response.status_code == 200
    assert response.content == storage.open_bytes(photo.thumb_name)
    assert response["Cache-Control"] == "private, no-store"
    assert world.login(world.home_user).get(reverse("photos:thumb", args=[photo.key])).status_code == 404


def test_orm_changes_of_a_photo_are_refused(world: World) -> None:
    photo = _take(world)
    with pytest.raises(PhotoRecordError, match="never changed"):
        photo.save()
    with pytest.raises(PhotoRecordError, match="never deleted"):
        photo.delete()
    qs = Photo.objects.filter(pk=photo.pk)
    attempts = (lambda: qs.update(view="lateral_left"), qs.delete, lambda: Photo.objects.bulk_update([photo], ["view"]))
    for attempt in attempts:
        with pytest.raises(SealedRecordError):
            attempt()


def test_raw_sql_cannot_change_delete_or_replace_a_photo(world: World) -> None:
    photo = _take(world)
    _refused("UPDATE photos_photo SET sha256 = %s WHERE id = %s", ["0" * 64, photo.pk])
    _refused("DELETE FROM photos_photo WHERE id = %s", [photo.pk])
    assert Photo.objects.get(pk=photo.pk).sha256 == photo.sha256


@SQLITE
def test_insert_or_replace_over_a_photo_is_refused_on_sqlite(world: World) -> None:
    photo = _take(world)
    cols = ", ".join(f.column for f in Photo._meta.concrete_fields)
    _refused(f"INSERT OR REPLACE INTO photos_photo ({cols}) SELECT {cols} FROM photos_photo WHERE id = %s", [photo.pk])  # noqa: S608


@PG
def test_truncate_of_photos_is_refused_on_postgresql(world: World) -> None:
    _refused("TRUNCATE photos_photo CASCADE")


def test_a_swapped_image_file_is_named_by_verify(world: World) -> None:
    photo = _take(world)
    seq = Seal.objects.get(kind="photo", record_id=photo.pk).seq
    path = Path(storage.photo_storage().path(photo.stored_name))
    path.write_bytes(drawn_face("frontal", 30))
    table, pk, at, what = _problem(world) or ("", None, None, "")
    assert (table, pk, at) == ("photos_photo", photo.pk, seq)
    assert what.startswith("the photo's stored image differs from the one taken (SHA-256 ")
    assert what.endswith(f"sealed {photo.sha256[:12]}…)")


def test_a_lost_thumbnail_is_named_by_verify(world: World) -> None:
    photo = _take(world)
    seq = Seal.objects.get(kind="photo", record_id=photo.pk).seq
    storage.remove(photo.thumb_name)
    assert _problem(world) == ("photos_photo", photo.pk, seq, "the photo's stored thumbnail is missing")


def test_a_row_changed_behind_the_triggers_is_named_by_verify(world: World) -> None:
    photo = _take(world)
    seq = Seal.objects.get(kind="photo", record_id=photo.pk).seq
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("DROP TRIGGER pinpoint_photos_photo_no_update")
        else:
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute("ALTER TABLE photos_photo DISABLE TRIGGER USER")
        cur.execute("UPDATE photos_photo SET view = 'lateral_left' WHERE id = %s", [photo.pk])
    assert _problem(world) == ("photos_photo", photo.pk, seq, "the row differs from what was sealed")


class BoomError(Exception):
    """A failure after the photo was written."""


def test_a_failed_write_leaves_neither_file_nor_row(world: World, photo_dir: Path, monkeypatch: Any) -> None:
    before_files, before_rows = _files(photo_dir), Photo.objects.count()

    def fail(*args: Any, **kwargs: Any) -> None:
        raise BoomError

    monkeypatch.setattr(photo_actions, "record_event", fail)
    with pytest.raises(BoomError):
        _take(world)
    assert (_files(photo_dir), Photo.objects.count()) == (before_files, before_rows)


def test_an_outer_rollback_after_the_photos_own_block_removes_its_files(world: World, photo_dir: Path) -> None:
    before = _files(photo_dir)
    with pytest.raises(BoomError), transaction.atomic():
        photo = _take(world)
        names = {photo.stored_name, photo.thumb_name}
        assert names <= _files(photo_dir)  # the photo's own block has ended; the outer one has not
        assert storage.pending_names() >= names
        raise BoomError
    assert not Photo.objects.filter(key=photo.key).exists()
    assert names <= _files(photo_dir)  # nothing has run yet: the end of the request cleans up
    request_finished.send(sender=None)
    assert _files(photo_dir) == before
    assert not storage.pending_names() & names


def test_a_committed_photo_keeps_its_files_and_is_no_longer_pending(
    world: World, photo_dir: Path, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        photo = _take(world)
    assert len(callbacks) >= 1
    names = {photo.stored_name, photo.thumb_name}
    assert not storage.pending_names() & names
    assert discard_rolled_back() == 0
    assert names <= _files(photo_dir)


def test_a_photo_still_in_an_open_transaction_is_kept(world: World, photo_dir: Path) -> None:
    photo = _take(world)  # inside the test's own transaction, not committed yet
    names = {photo.stored_name, photo.thumb_name}
    assert discard_rolled_back() == 0
    assert names <= _files(photo_dir)
    assert storage.pending_names() >= names
