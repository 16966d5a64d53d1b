"""Erasing a client deletes their photo files (image and thumbnail), lists them in the sealed erasure
record, and pinpoint verify accepts their absence; a file missing without an erasure is still named."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from pinpoint.web.exports.archive import PHOTOS_DIR, write_zip
from pinpoint.web.exports.erasure import erase_client
from pinpoint.web.photos.models import Photo
from pinpoint.web.records.verify import verify_all
from tests.web.conftest import World, _photo_storages


@pytest.fixture
def own_photos(settings: Any, photo_dir: Path, tmp_path: Path) -> Path:
    """A copy of the suite's photo files, so deleting some leaves the shared directory whole."""
    copy = tmp_path / "photos"
    shutil.copytree(photo_dir, copy)
    settings.STORAGES = _photo_storages(copy)
    return copy


def _files(photos: Any) -> list[tuple[int, str, str, str]]:
    out = []
    for p in photos.order_by("pk"):
        out += [(p.pk, "image", p.stored_name, p.sha256), (p.pk, "thumbnail", p.thumb_name, p.thumb_sha256)]
    return [f for f in out if f[2]]


@pytest.mark.django_db
def test_erasure_deletes_the_clients_photo_files_and_verify_accepts_their_absence(
    world: World, own_photos: Path, django_capture_on_commit_callbacks: Any
) -> None:
    mine = _files(Photo._base_manager.filter(client=world.ada))
    others = _files(Photo._base_manager.exclude(client=world.ada))
    assert len(mine) == 2 * 10  # the demo's five face views at two sessions, each with its thumbnail
    assert all((own_photos / name).exists() for _, _, name, _ in mine + others)

    with django_capture_on_commit_callbacks(execute=True):
        erasure = erase_client(world.actor(world.owner), world.ada.pk, "The client's written request")

    assert [name for _, _, name, _ in mine if (own_photos / name).exists()] == []
    assert all((own_photos / name).exists() for _, _, name, _ in others)
    listed = [(e["record"], e["field"], e["file"], e["sha256"]) for e in erasure.fields if e.get("file")]
    assert listed == mine
    assert {e["table"] for e in erasure.fields if e.get("file")} == {"photos_photo"}
    reports = verify_all()
    assert [(r.name, r.problem) for r in reports if r.problem is not None] == []


@pytest.mark.django_db
def test_a_photo_file_lost_without_an_erasure_is_still_named(world: World, own_photos: Path) -> None:
    photo = Photo._base_manager.filter(client=world.ada).order_by("pk").first()
    assert photo is not None
    (own_photos / photo.thumb_name).unlink()
    problems = [r.problem for r in verify_all() if r.problem is not None]
    assert [(p.table, p.record_id, p.what) for p in problems] == [
        ("photos_photo", photo.pk, "the photo's stored thumbnail is missing")
    ]


@pytest.mark.django_db
def test_a_rolled_back_erasure_keeps_the_files(world: World, own_photos: Path) -> None:
    mine = _files(Photo._base_manager.filter(client=world.ada))
    erase_client(world.actor(world.owner), world.ada.pk, "The client's written request")  # never committed
    assert all((own_photos / name).exists() for _, _, name, _ in mine)


@pytest.mark.django_db
def test_the_full_export_after_an_erasure_holds_none_of_the_erased_photos(
    world: World, own_photos: Path, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    mine = {name for _, _, name, _ in _files(Photo._base_manager.filter(client=world.ada))}
    clinic_photos = Photo._base_manager.filter(organization=world.clinic)
    others = {name for _, _, name, _ in _files(clinic_photos.exclude(client=world.ada))}
    with django_capture_on_commit_callbacks(execute=True):
        erase_client(world.actor(world.owner), world.ada.pk, "The client's written request")
    out = tmp_path / "clinic.zip"
    write_zip(out, world.clinic, now=timezone.now())
    with zipfile.ZipFile(out) as zf:
        stored = {n.removeprefix(PHOTOS_DIR) for n in zf.namelist() if n.startswith(PHOTOS_DIR)}
    assert stored == others
    assert not stored & mine
