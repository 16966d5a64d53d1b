"""Hostile and awkward uploads: each refused beside the photo field with nothing stored, or re-encoded safely.

Every stored file is read back with Pillow: a plain JPEG with no EXIF (so no GPS), no ICC, no XMP.
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.urls import reverse
from PIL import Image

from pinpoint.core.errors import InputError
from pinpoint.web.photos.actions import PhotoInput, take_photo
from pinpoint.web.photos.demo import drawn_face
from pinpoint.web.photos.models import Photo
from pinpoint.web.photos.storage import open_bytes
from tests.web.conftest import World


def _img(mode: str = "RGB", size: tuple[int, int] = (400, 500), fmt: str = "JPEG", **save: Any) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, 128 if mode in ("L", "I;16") else None).save(out, format=fmt, **save)
    return out.getvalue()


def _gps_jpeg() -> bytes:
    im = Image.new("RGB", (400, 500), (200, 150, 120))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x0112] = 6  # orientation: rotate 90° to show upright
    exif.get_ifd(0x8825).update({1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)})  # GPS
    out = io.BytesIO()
    im.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def _png16() -> bytes:
    im = Image.new("I;16", (400, 500))
    im.putdata([(x * 160) % 65535 for x in range(400 * 500)])
    out = io.BytesIO()
    im.save(out, format="PNG")
    return out.getvalue()


def _bomb_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` × ``height`` pixels (the data is a few bytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def _animated(fmt: str) -> bytes:
    frames = [Image.new("RGB", (400, 400), c) for c in ((255, 0, 0), (0, 0, 255))]
    out = io.BytesIO()
    frames[0].save(out, format=fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()


def _jpeg_claiming(width: int, height: int) -> bytes:
    """A small JPEG whose frame header (SOF0) claims ``width`` × ``height`` pixels."""
    data = bytearray(_img())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def _with_metadata(fmt: str) -> bytes:
    """A photo carrying GPS words in every metadata place the format has (text, XMP, comment, EXIF)."""
    from PIL import PngImagePlugin

    im = Image.new("RGB", (400, 500), (180, 140, 120))
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (51.0, 30.0, 0.0)})
    out = io.BytesIO()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">PhoneMaker GPS 51.5N</x:xmpmeta>'
    if fmt == "PNG":
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", "PhoneMaker GPS 51.5N")
        info.add_itxt("XML:com.adobe.xmp", xmp.decode())
        im.save(out, format="PNG", pnginfo=info, exif=exif.tobytes())
    elif fmt == "JPEG":
        im.save(out, format="JPEG", comment=b"PhoneMaker GPS 51.5N", xmp=xmp, exif=exif.tobytes())
    else:
        exif[0x010F] = "PhoneMaker"
        im.save(out, format=fmt, exif=exif.tobytes(), xmp=xmp)
    return out.getvalue()


def _icc_jpeg() -> bytes:
    from PIL import ImageCms

    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    Image.new("RGB", (400, 500), (90, 160, 200)).save(out, format="JPEG", icc_profile=icc)
    return out.getvalue()


JPEG = drawn_face("frontal", 2)
REFUSED = {
    "empty file": (b"", "the file is empty"),
    "text named .jpg": (b"just some words, not a picture\n" * 20, "this file is not a JPEG, PNG or WebP photo"),
    "html named .jpg": (b"<!doctype html><html><script>alert(1)</script></html>", "this file is a web page"),
    "svg with script": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "this file is a web page or drawing (SVG/HTML)",
    ),
    "pdf": (b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF", "this file is a PDF document"),
    "heic": (b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + b"\0" * 200, "this is a HEIC/HEIF photo"),
    "gif (also gif+js)": (b"GIF89a/*" + _img(fmt="GIF")[8:] + b"*/=alert(1);", "this file is not a JPEG, PNG or WebP"),
    "truncated jpeg": (JPEG[: len(JPEG) // 2], "the file is damaged or cut short"),
    "truncated png": (_img(fmt="PNG")[:300], "the file is damaged or cut short"),
    "decompression bomb": (_bomb_png(30_000, 30_000), "the image claims more than"),
    "huge dimensions": (_bomb_png(9_000, 6_000), "the image is 9000 × 6000 pixels"),
    "1×1 pixel": (_img(size=(1, 1)), "the image is only 1 × 1 pixels; a photo needs at least 320 on each side"),
    "animated gif": (_animated("GIF"), "this file is not a JPEG, PNG or WebP"),
    "animated webp": (_animated("WEBP"), "this is an animation with several frames"),
    "png behind .jpg with a zip": (b"PK\x03\x04" + b"\0" * 100, "this file is not a JPEG, PNG or WebP"),
    "bmp named .jpg": (_img(fmt="BMP"), "this file is not a JPEG, PNG or WebP"),
    "tiff named .jpg": (_img(fmt="TIFF"), "this file is not a JPEG, PNG or WebP"),
    "animated png (apng)": (_animated("PNG"), "this is an animation with several frames"),
    "jpeg bomb (header claims 65,000 × 65,000)": (_jpeg_claiming(65_000, 65_000), "the image claims more than"),
    "larger than the byte limit": (b"\xff\xd8\xff" + b"\0" * (25 * 1024 * 1024), "the file is larger than 25 MB"),
}


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def _data(w: World) -> PhotoInput:
    return PhotoInput(course=w.ada_course, zone="forehead", view="frontal", taken_on=w.today, session=w.today_session)


@pytest.mark.parametrize("name", list(REFUSED))
def test_hostile_upload_is_refused_with_nothing_stored(world: World, photo_dir: Path, name: str) -> None:
    blob, message = REFUSED[name]
    rows, files = Photo.objects.count(), _files(photo_dir)
    with pytest.raises(InputError) as exc:
        take_photo(world.actor(world.practitioner), _data(world), io.BytesIO(blob))
    assert exc.value.field == "photo"
    assert message in str(exc.value)
    assert (Photo.objects.count(), _files(photo_dir)) == (rows, files)


def test_refusal_shows_beside_the_field_on_the_page(world: World, photo_dir: Path) -> None:
    client = world.login(world.practitioner)
    files = _files(photo_dir)
    upload = SimpleUploadedFile("face.jpg", b"<svg onload=alert(1)>", content_type="image/jpeg")
    url = reverse("photos:session", args=[world.today_session.pk])
    response = client.post(url, {"zone": "forehead", "view": "frontal", "photo": upload})
    assert response.status_code == 400
    body = response.content.decode()
    assert "this file is a web page or drawing (SVG/HTML), not a photo" in body
    assert _files(photo_dir) == files


def _stored(photo: Photo) -> Image.Image:
    return Image.open(io.BytesIO(open_bytes(photo.stored_name)))


SAFE = {
    "gps exif, rotated": (_gps_jpeg(), (500, 400)),
    "cmyk jpeg": (_img("CMYK"), (400, 500)),
    "16-bit png": (_png16(), (400, 500)),
    "png with alpha": (_img("RGBA", fmt="PNG"), (400, 500)),
    "jpeg with a zip appended": (JPEG + b"PK\x03\x04" + b"evil" * 50, (600, 800)),
    "webp": (_img(fmt="WEBP"), (400, 500)),
    "png with text, xmp and exif": (_with_metadata("PNG"), (400, 500)),
    "jpeg with xmp, a comment and gps": (_with_metadata("JPEG"), (400, 500)),
    "webp with exif and xmp": (_with_metadata("WEBP"), (400, 500)),
    "jpeg with an icc profile": (_icc_jpeg(), (400, 500)),
}


@pytest.mark.parametrize("name", list(SAFE))
def test_awkward_photo_is_stored_as_a_plain_jpeg_without_metadata(world: World, name: str) -> None:
    blob, size = SAFE[name]
    photo = take_photo(world.actor(world.practitioner), _data(world), io.BytesIO(blob))
    raw = open_bytes(photo.stored_name)
    im = _stored(photo)
    assert (im.format, im.mode, im.size) == ("JPEG", "RGB", size)
    assert len(im.getexif()) == 0
    assert not {"exif", "icc_profile", "xmp", "comment"} & set(im.info)
    assert b"PK\x03\x04" not in raw
    assert b"PhoneMaker" not in raw
    assert b"GPS" not in raw
    assert (photo.width, photo.height) == size


def test_every_demo_photo_is_stored_without_exif(world: World) -> None:
    photos = list(Photo.objects.all())
    assert len(photos) == 10  # five face views at each of Ada's two sessions
    for p in photos:
        im = _stored(p)
        assert (im.format, len(im.getexif()), "icc_profile" in im.info) == ("JPEG", 0, False)


@pytest.mark.parametrize("kind", ["truncated jpeg", "truncated png"])
def test_a_cut_short_photo_is_refused_even_after_weasyprint_was_imported(kind: str) -> None:
    """WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES on import (a server that printed a PDF)."""
    from PIL import ImageFile
    from weasyprint import HTML  # noqa: F401 - imported for its side effect on Pillow

    from pinpoint.web.photos.imaging import clean_image

    ImageFile.LOAD_TRUNCATED_IMAGES = True  # as WeasyPrint leaves it
    data, message = REFUSED[kind]
    with pytest.raises(InputError) as exc:
        clean_image(io.BytesIO(data))
    assert exc.value.message.startswith(message)


def test_a_bomb_beyond_pillows_threshold_names_that_threshold_when_the_setting_is_higher(settings: Any) -> None:
    """With PINPOINT_PHOTO_MAX_PIXELS above Pillow's bomb threshold, the refusal quotes the limit that refused."""
    from pinpoint.web.photos.imaging import clean_image

    settings.PINPOINT_PHOTO_MAX_PIXELS = 200_000_000
    with pytest.raises(InputError) as exc:
        clean_image(io.BytesIO(_bomb_png(10_000, 9_500)))  # 95,000,000 pixels claimed by a few bytes
    assert exc.value.message == f"the image claims more than {Image.MAX_IMAGE_PIXELS:,} pixels: send a smaller photo"


def test_an_upload_past_the_limit_is_kept_only_to_one_byte_past_it(
    world: World, photo_dir: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.PINPOINT_PHOTO_MAX_BYTES = 1024 * 1024
    written: list[int] = []
    real = TemporaryFileUploadHandler.receive_data_chunk

    def counted(self: TemporaryFileUploadHandler, raw_data: bytes, start: int) -> Any:
        written.append(len(raw_data))
        return real(self, raw_data, start)

    monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", counted)
    files = _files(photo_dir)
    upload = SimpleUploadedFile("face.jpg", b"\xff\xd8\xff" + b"\0" * (6 * 1024 * 1024), content_type="image/jpeg")
    url = reverse("photos:session", args=[world.today_session.pk])
    response = world.login(world.practitioner).post(url, {"zone": "forehead", "view": "frontal", "photo": upload})
    assert response.status_code == 400
    assert "the file is larger than 1 MB: send a smaller photo" in response.content.decode()
    assert sum(written) == 1024 * 1024 + 1  # the other 5 MB never reached the disk
    assert _files(photo_dir) == files
