"""Checking an uploaded photo by its content and re-encoding it as a plain JPEG without any metadata.

Refusals raise :class:`pinpoint.core.errors.InputError` on the field ``photo`` with one line a
person can act on. The limits are technical (memory, storage), not clinical, and are read from the
settings ``PINPOINT_PHOTO_MAX_BYTES``, ``PINPOINT_PHOTO_MAX_PIXELS`` and ``PINPOINT_PHOTO_MIN_SIDE``.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

from pinpoint.core.errors import InputError

__all__ = ["THUMB_SIDE", "CleanImage", "clean_image", "limits", "thumbnail"]

ACCEPTED = ("JPEG", "PNG", "WEBP")
"""Formats read. A JPEG with extra pictures (MPO, some phone cameras) opens as JPEG; its first picture is kept."""
FIELD = "photo"
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1", b"avif")
_READABLE = "a JPEG, PNG or WebP photo"
THUMB_SIDE = 480
"""The longer side of a thumbnail, in pixels: sharp at the lists' 9 rem (144 CSS px) on a 3x phone screen."""


@dataclass(frozen=True)
class CleanImage:
    """The re-encoded photo: JPEG bytes, their SHA-256 and the size in pixels."""

    data: bytes
    sha256: str
    width: int
    height: int


def limits() -> tuple[int, int, int]:
    """(most bytes, most pixels, fewest pixels on the shorter side) from the settings."""
    return (
        int(getattr(settings, "PINPOINT_PHOTO_MAX_BYTES", 25 * 1024 * 1024)),
        int(getattr(settings, "PINPOINT_PHOTO_MAX_PIXELS", 50_000_000)),
        int(getattr(settings, "PINPOINT_PHOTO_MIN_SIDE", 320)),
    )


def _refuse(message: str) -> InputError:
    return InputError(FIELD, message)


def _read(upload: IO[bytes], max_bytes: int) -> bytes:
    data = upload.read(max_bytes + 1)
    if not data:
        raise _refuse("the file is empty: take the photo again or choose another file")
    if len(data) > max_bytes:
        raise _refuse(f"the file is larger than {max_bytes // (1024 * 1024)} MB: send a smaller photo")
    return data


def _why_unreadable(data: bytes) -> str:
    head = data[:64]
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return (
            "this is a HEIC/HEIF photo, which Pinpoint cannot read: on the phone choose 'Most Compatible' "
            f"(JPEG) in the camera settings, or send {_READABLE}"
        )
    if head.lstrip().lower().startswith((b"<svg", b"<?xml", b"<!doctype", b"<html")):
        return f"this file is a web page or drawing (SVG/HTML), not a photo: send {_READABLE}"
    if head.startswith(b"%PDF"):
        return f"this file is a PDF document, not a photo: send {_READABLE}"
    return f"this file is not {_READABLE} (whatever its name says)"


def _open(data: bytes, max_pixels: int) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data), formats=ACCEPTED)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own bomb threshold holds too: the message names whichever limit is lower
        limit = min(max_pixels, Image.MAX_IMAGE_PIXELS or max_pixels)
        raise _refuse(f"the image claims more than {limit:,} pixels: send a smaller photo") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _refuse(_why_unreadable(data)) from None
    return im


def _check_size(im: Image.Image, max_pixels: int, min_side: int) -> None:
    w, h = im.size
    if w * h > max_pixels:
        raise _refuse(f"the image is {w} × {h} pixels, more than {max_pixels:,} in all: send a smaller photo")
    if min(w, h) < min_side:
        raise _refuse(f"the image is only {w} × {h} pixels; a photo needs at least {min_side} on each side")
    if getattr(im, "is_animated", False) and im.format != "MPO":
        raise _refuse("this is an animation with several frames: send one still photo")


def _to_srgb(im: Image.Image) -> Image.Image:
    icc = im.info.get("icc_profile")
    if not icc or im.mode not in ("RGB", "CMYK"):
        return im
    try:
        src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        out = ImageCms.profileToProfile(im, src, ImageCms.createProfile("sRGB"), outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError):
        return im
    return out if out is not None else im


def _to_rgb(im: Image.Image) -> Image.Image:
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit grey: scale to 8 bits instead of clipping everything above 255 to white.
        extrema = im.getextrema()
        top = float(extrema[1]) if isinstance(extrema[1], (int, float)) else 255.0
        scale = 255 / max(top, 1.0)
        return im.point(lambda v: v * scale).convert("L").convert("RGB")
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return im.convert("RGB")


def clean_image(upload: IO[bytes]) -> CleanImage:
    """Read ``upload``, check it is one readable photo within the limits, and re-encode it.

    The orientation the camera recorded is applied to the pixels first; colours are converted to
    sRGB; the result is a JPEG with no EXIF, GPS, ICC, XMP or comment, and nothing after the
    picture (a file with something appended, such as a ZIP, loses it).
    """
    max_bytes, max_pixels, min_side = limits()
    data = _read(upload, max_bytes)
    im = _open(data, max_pixels)
    with im:
        _check_size(im, max_pixels, min_side)
        # Pillow's switch is process-wide, and WeasyPrint turns it on when imported: a cut-short photo
        # must still be refused, never completed with grey.
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            im.seek(0)
            im.load()
            upright = ImageOps.exif_transpose(im)
            rgb = _to_rgb(_to_srgb(upright))
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
            raise _refuse(f"the file is damaged or cut short: send {_READABLE} again") from None
    return _jpeg(rgb, quality=90)


def _jpeg(im: Image.Image, quality: int) -> CleanImage:
    # Pillow writes what ``info`` still holds from the source (a JPEG's comment, for one) unless told
    # otherwise: the info is dropped and the comment given empty, so only the pixels are written.
    im.info.clear()
    out = io.BytesIO()
    im.save(out, format="JPEG", quality=quality, optimize=True, comment=b"")
    blob = out.getvalue()
    return CleanImage(data=blob, sha256=hashlib.sha256(blob).hexdigest(), width=im.width, height=im.height)


def thumbnail(image: CleanImage) -> CleanImage:
    """A small copy of a cleaned photo for lists: at most :data:`THUMB_SIDE` pixels on its longer side, re-encoded."""
    with Image.open(io.BytesIO(image.data), formats=("JPEG",)) as im:
        small = im.convert("RGB")
        small.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    return _jpeg(small, quality=82)
