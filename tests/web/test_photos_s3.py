"""The S3 path: photos stored in an S3-compatible bucket (django-storages) served by a local server.

The test starts moto's server mode on a free port of 127.0.0.1 (never another interface), waits
at most :data:`START_SECONDS` for it, and points the ``photos`` storage at it. An upload through the
session's photo page is stored as an object without EXIF, served back only through the checking
view, and answers 404 to another organization; ``pinpoint verify``'s file check reads the objects back
(the demo's own photos stay in the test directory, so the whole chain is checked in test_photos_sealed.py).
"""

from __future__ import annotations

import io
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from moto.server import ThreadedMotoServer
from PIL import Image

from pinpoint.web.photos.integrity import stored_files_problem
from pinpoint.web.photos.models import Photo
from tests.web.conftest import World
from tests.web.test_photos_uploads import _gps_jpeg

BUCKET = "pinpoint-photos-test"
START_SECONDS = 15.0
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "eu-west-1"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(port: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            s.settimeout(0.2)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    pytest.fail(f"the local S3 server did not answer on 127.0.0.1:{port} within {seconds:.0f} s")


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """moto's S3-compatible server on a free loopback port, with an empty private bucket."""
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    starter = threading.Thread(target=server.start, daemon=True)  # start() itself waits without a bound
    starter.start()
    _wait_for(port, START_SECONDS)
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client("s3", endpoint_url=endpoint, **CREDENTIALS).create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": CREDENTIALS["region_name"]}
    )
    yield endpoint
    server.stop()


@pytest.fixture
def s3_photos(settings: Any, s3_endpoint: str) -> Iterator[Any]:
    """The ``photos`` storage pointed at the bucket, as ``PINPOINT_PHOTO_STORAGE=s3`` configures it."""
    options = {
        "bucket_name": BUCKET,
        "endpoint_url": s3_endpoint,
        "region_name": CREDENTIALS["region_name"],
        "access_key": CREDENTIALS["aws_access_key_id"],
        "secret_key": CREDENTIALS["aws_secret_access_key"],
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
    }
    settings.STORAGES = {
        **settings.STORAGES,
        "photos": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
    }
    storages._storages.pop("photos", None)  # the handler caches each storage: build it again from the settings
    yield boto3.client("s3", endpoint_url=s3_endpoint, **CREDENTIALS)
    storages._storages.pop("photos", None)


def test_upload_to_s3_is_stored_without_exif_and_served_only_to_its_organization(world: World, s3_photos: Any) -> None:
    assert type(storages["photos"]).__name__ == "S3Storage"
    page = reverse("photos:session", args=[world.today_session.pk])
    upload = SimpleUploadedFile("IMG_0001.jpg", _gps_jpeg(), content_type="image/jpeg")
    response = world.login(world.practitioner).post(page, {"zone": "forehead", "view": "frontal", "photo": upload})
    assert response.status_code == 302
    photo = Photo.objects.filter(client=world.ada).latest("pk")
    keys = {o["Key"] for o in s3_photos.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert {photo.stored_name, photo.thumb_name} <= keys
    stored = s3_photos.get_object(Bucket=BUCKET, Key=photo.stored_name)["Body"].read()
    im = Image.open(io.BytesIO(stored))
    assert (im.format, im.size, len(im.getexif())) == ("JPEG", (500, 400), 0)
    assert b"PhoneMaker" not in stored
    grants = s3_photos.get_object_acl(Bucket=BUCKET, Key=photo.stored_name)["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]  # the owner only: no public read

    served = world.login(world.practitioner).get(reverse("photos:image", args=[photo.key]))
    assert (served.status_code, served.content) == (200, stored)
    small = world.login(world.practitioner).get(reverse("photos:thumb", args=[photo.key]))
    assert small.content == s3_photos.get_object(Bucket=BUCKET, Key=photo.thumb_name)["Body"].read()
    other = world.login(world.home_user)
    assert other.get(reverse("photos:image", args=[photo.key])).status_code == 404
    assert other.get(reverse("photos:detail", args=[photo.pk])).status_code == 404
    assert stored_files_problem(photo) is None  # what verify checks, read back from the bucket


def test_a_swapped_object_in_the_bucket_is_named_by_verify(world: World, s3_photos: Any) -> None:
    page = reverse("photos:session", args=[world.today_session.pk])
    upload = SimpleUploadedFile("front.jpg", _gps_jpeg(), content_type="image/jpeg")
    assert (
        world.login(world.practitioner).post(page, {"zone": "forehead", "view": "frontal", "photo": upload}).status_code
        == 302
    )
    photo = Photo.objects.filter(client=world.ada).latest("pk")
    s3_photos.put_object(Bucket=BUCKET, Key=photo.stored_name, Body=b"\xff\xd8 something else")
    what = stored_files_problem(photo)  # what verify reports at the photo's seal
    assert what is not None
    assert what.startswith("the photo's stored image differs from the one taken")
