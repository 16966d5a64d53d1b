"""Photos through the API: list, upload (multipart), download; the same authorization as the pages."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client as HttpClient
from PIL import Image

from pinpoint.web.audit.models import Seal
from pinpoint.web.photos import storage
from pinpoint.web.photos.demo import drawn_face
from pinpoint.web.photos.models import Photo
from tests.web.conftest import World, fingerprint
from tests.web.test_api import token

pytestmark = pytest.mark.django_db


def _upload(w: World, **extra: Any) -> dict[str, Any]:
    blob = io.BytesIO(drawn_face("oblique_left", 4))
    blob.name = "left.jpg"
    return {"zone": "forehead", "view": "oblique_left", "taken_on": w.today.isoformat(), "photo": blob, **extra}


def _ada_photo(w: World) -> Photo:
    return Photo.objects.filter(client=w.ada).latest("pk")


def operations(w: World) -> list[tuple[str, str, Any, bool]]:
    """The photo operations on a clinic object: (method, path, multipart body, writes)."""
    return [
        ("get", f"/api/clients/{w.ada.pk}/photos", None, False),
        ("post", f"/api/courses/{w.ada_course.pk}/photos", _upload(w), True),
        ("get", f"/api/photos/{_ada_photo(w).pk}/image", None, False),
    ]


def call(method: str, path: str, tok: str | None, data: Any = None) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {tok}"} if tok else {}
    c = HttpClient()
    return c.get(path, **headers) if method == "get" else c.post(path, data=data or {}, **headers)


def test_no_token_answers_401_and_changes_nothing(world: World) -> None:
    before = fingerprint()
    for method, path, body, _ in operations(world):
        r = call(method, path, None, body)
        assert (r.status_code, r.json()["field"]) == (401, "authorization"), path
    assert fingerprint() == before


def test_another_organizations_token_answers_404_and_changes_nothing(world: World) -> None:
    text = token(world, world.home_user)
    before = fingerprint()
    for method, path, body, _ in operations(world):
        r = call(method, path, text, body)
        assert (r.status_code, r.json()["detail"]) == (404, "not found"), path
    assert fingerprint() == before


def test_a_role_without_photo_permission_answers_403(world: World) -> None:
    text = token(world, world.assistant)
    before = fingerprint()
    for method, path, body, _ in operations(world):
        r = call(method, path, text, body)
        assert (r.status_code, r.json()["field"]) == (403, "authorization"), path
    assert fingerprint() == before


def test_a_read_token_cannot_upload(world: World) -> None:
    text = token(world, world.practitioner, scope="read")
    before = Photo.objects.count()
    r = call("post", f"/api/courses/{world.ada_course.pk}/photos", text, _upload(world))
    assert (r.status_code, r.json()["field"]) == (403, "scope")
    assert Photo.objects.count() == before


def test_upload_list_and_download(world: World) -> None:
    text = token(world, world.practitioner)
    r = call("post", f"/api/courses/{world.ada_course.pk}/photos", text, _upload(world))
    assert r.status_code == 201, r.content
    data = r.json()
    photo = Photo.objects.get(pk=data["id"])
    assert {k: data[k] for k in ("client_id", "zone", "view", "view_name", "taken_on", "width", "height")} == {
        "client_id": world.ada.pk,
        "zone": "forehead",
        "view": "oblique_left",
        "view_name": "Left three-quarter",
        "taken_on": world.today.isoformat(),
        "width": 600,
        "height": 800,
    }
    assert (data["sha256"], data["consent_id"], data["image"]) == (
        photo.sha256,
        world.consent.pk,
        f"/api/photos/{photo.pk}/image",
    )
    assert Seal.objects.filter(kind="photo", record_id=photo.pk).count() == 1

    listed = call("get", f"/api/clients/{world.ada.pk}/photos?limit=100", text).json()
    assert [p["id"] for p in listed["items"]][-1] == photo.pk
    assert len(listed["items"]) == Photo.objects.filter(client=world.ada).count() == 11

    full = call("get", data["image"], text)
    assert (full.status_code, full["Content-Type"], full["Cache-Control"]) == (200, "image/jpeg", "private, no-store")
    assert full.content == storage.open_bytes(photo.stored_name)
    small = call("get", data["image"] + "?size=small", text)
    assert Image.open(io.BytesIO(small.content)).size == (360, 480)


def test_a_bad_file_or_zone_names_the_field(world: World) -> None:
    text = token(world, world.practitioner)
    path = f"/api/courses/{world.ada_course.pk}/photos"
    bad = io.BytesIO(b"<svg onload=alert(1)>")
    bad.name = "x.jpg"
    r = call("post", path, text, _upload(world, photo=bad))
    assert (r.status_code, r.json()["field"]) == (400, "photo")
    assert r.json()["detail"].startswith("this file is a web page or drawing (SVG/HTML), not a photo")
    r = call("post", path, text, _upload(world, zone="knee"))
    assert (r.status_code, r.json()["field"]) == (400, "zone")
    r = call("post", path, text, _upload(world, session_id=world.grace_session.pk))
    assert (r.status_code, r.json()["field"]) == (400, "session_id")
