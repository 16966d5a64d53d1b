"""Photos in the FHIR export: Media (R4B) or DocumentReference (R5) with the image in a Binary, in both versions;
after an erasure the erased photos keep their record and carry no image."""

from __future__ import annotations

import base64
import hashlib
import shutil
from pathlib import Path
from typing import Any

import pytest

from pinpoint.core.errors import PinpointError
from pinpoint.evidence.loader import load_evidence
from pinpoint.interop.fhir import ERASED_IMAGE, Version, parse_resource
from pinpoint.web.exports.erasure import erase_client
from pinpoint.web.photos.models import Photo
from pinpoint.web.photos.storage import open_bytes
from tests.web.conftest import World, _photo_storages
from tests.web.test_export_fhir import bundle, references


@pytest.fixture(params=[Version.R4B, Version.R5], ids=["R4B", "R5"])
def version(request: Any) -> Version:
    return Version(request.param)


@pytest.fixture
def own_photos(settings: Any, photo_dir: Path, tmp_path: Path) -> Path:
    """A copy of the suite's photo files, so an erasure deleting some leaves the shared directory whole."""
    copy = tmp_path / "photos"
    shutil.copytree(photo_dir, copy)
    settings.STORAGES = _photo_storages(copy)
    return copy


def _kind(version: Version) -> str:
    return "DocumentReference" if version is Version.R5 else "Media"


def _attachment(resource: dict[str, Any], version: Version) -> dict[str, Any]:
    content = resource["content"]
    return content[0]["attachment"] if version is Version.R5 else content  # type: ignore[no-any-return]


def _checked(data: dict[str, Any], version: Version) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """Every resource parses back and every reference resolves; the entries' urls and resources by id."""
    parse_resource(version, data)
    urls = {e["resource"]["id"]: e["fullUrl"] for e in data["entry"]}
    assert len(set(urls.values())) == len(data["entry"])
    for e in data["entry"]:
        parse_resource(version, e["resource"])
        for ref in references(e["resource"]):
            assert ref in urls.values(), f"{e['resource']['id']} points at {ref}"
    return urls, {e["resource"]["id"]: e["resource"] for e in data["entry"]}


@pytest.mark.django_db
def test_adas_ten_photos_with_their_images(world: World, version: Version) -> None:
    ev = load_evidence()
    systems = ev.extra["interop"].systems
    views = ev.extra["photos"].views
    data = bundle(world.clinic, version, client_id=world.ada.pk)
    urls, by_id = _checked(data, version)
    photos = list(Photo.objects.filter(client=world.ada).select_related("session").order_by("pk"))
    assert len(photos) == 10
    exported = [r for r in by_id.values() if r["resourceType"] == _kind(version)]
    assert [r["id"] for r in exported] == [f"photo-{p.pk}" for p in photos]
    with_encounter = 0
    binaries = [r for r in by_id.values() if r["resourceType"] == "Binary"]
    assert sorted(r["id"] for r in binaries) == sorted(f"photo-image-{p.pk}" for p in photos)
    for p in photos:
        res = by_id[f"photo-{p.pk}"]
        att = _attachment(res, version)
        stored = open_bytes(p.stored_name)
        binary = by_id[f"photo-image-{p.pk}"]
        image = base64.b64decode(binary["data"])
        # the Binary holds the stored file, byte for byte
        assert (binary["contentType"], att["contentType"]) == ("image/jpeg", "image/jpeg")
        assert hashlib.sha256(image).hexdigest() == p.sha256 == hashlib.sha256(stored).hexdigest()
        assert image == stored
        assert att["url"] == urls[f"photo-image-{p.pk}"]
        assert att["hash"] == base64.b64encode(hashlib.sha1(stored, usedforsecurity=False).digest()).decode()
        assert att["extension"] == [{"url": systems.photo_sha256.uri, "valueString": p.sha256}]
        assert int(att["size"]) == p.size_bytes == len(stored)
        assert att["creation"] == p.taken_on.isoformat()
        assert binary["securityContext"]["reference"] == urls[f"client-{world.ada.pk}"]
        # who, when, where, which view
        assert res["subject"]["reference"] == urls[f"client-{world.ada.pk}"]
        assert res["basedOn"][0]["reference"] == urls[f"course-{p.course_id}"]
        view = res["type" if version is Version.R5 else "view"]
        assert view["coding"] == [{"system": systems.photo_view.uri, "code": p.view, "display": views[p.view].name}]
        site = res["bodySite"][0]["concept"] if version is Version.R5 else res["bodySite"]
        assert site["coding"][0] == {"system": systems.zone.uri, "code": p.zone, "display": ev.zones[p.zone].name}
        assert p.session is not None
        if p.session.status in ("signed", "in_progress"):  # the session was held: its Encounter
            encounter = res["context"][0] if version is Version.R5 else res["encounter"]
            assert encounter["reference"] == urls[f"encounter-{p.session_id}"]
            with_encounter += 1
        else:  # taken on the day of a session not started yet: no Encounter to name
            assert "context" not in res and "encounter" not in res
        title = att["title"]
        assert title == f"Face: {views[p.view].name}, {p.taken_on.isoformat()}"
        taker = res["author"][0] if version is Version.R5 else res["operator"]
        assert taker["reference"] == urls[f"user-{p.taken_by_id}"]
        if version is Version.R4B:
            assert (res["createdDateTime"], res["width"], res["height"]) == (p.taken_on.isoformat(), p.width, p.height)
            assert "note" not in res
        else:
            assert (att["width"], att["height"]) == (p.width, p.height)
            assert ERASED_IMAGE not in res["description"]
    assert with_encounter == 5  # the first session's five views; the second session's are on a booked session
    # the five face views, twice
    assert sorted({p.view for p in photos}) == sorted(
        ["frontal", "oblique_left", "oblique_right", "lateral_left", "lateral_right"]
    )


@pytest.mark.django_db
def test_erased_photos_carry_no_image(
    world: World, version: Version, own_photos: Path, django_capture_on_commit_callbacks: Any
) -> None:
    photos = list(Photo.objects.filter(client=world.ada).order_by("pk"))
    with django_capture_on_commit_callbacks(execute=True):
        erase_client(world.actor(world.owner), world.ada.pk, "The client's written request")
    assert not any((own_photos / p.stored_name).exists() for p in photos)
    for client_id in (None, world.ada.pk):  # the organization's bundle and the client's
        data = bundle(world.clinic, version, client_id=client_id)
        _, by_id = _checked(data, version)
        assert [r["id"] for r in by_id.values() if r["resourceType"] == "Binary"] == []
        for p in photos:
            res = by_id[f"photo-{p.pk}"]
            att = _attachment(res, version)
            assert "url" not in att and "hash" not in att and "size" not in att
            assert att["extension"][0]["valueString"] == p.sha256  # the sealed digest stays with the record
            if version is Version.R5:
                assert res["description"].endswith(ERASED_IMAGE)
            else:
                assert res["note"] == [{"text": ERASED_IMAGE}]


@pytest.mark.django_db
def test_a_photo_file_lost_without_an_erasure_stops_the_export_naming_it(world: World, own_photos: Path) -> None:
    photo = Photo.objects.filter(client=world.ada).order_by("pk").last()
    assert photo is not None
    (own_photos / photo.stored_name).unlink()
    with pytest.raises(PinpointError) as caught:
        bundle(world.clinic, Version.R5)
    assert caught.value.field == "photo"
    assert caught.value.message == (
        f"photo {photo.pk}: its stored file is missing and no erasure deleted it (pinpoint verify lists it)"
    )
