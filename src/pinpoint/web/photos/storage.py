"""Where photo files live: Django's ``photos`` storage (a private directory under the data directory by
default, an S3-compatible bucket when ``PINPOINT_PHOTO_STORAGE=s3``). Never served by URL: only
:func:`pinpoint.web.photos.views.photo_image` reads them back, after checking who asks."""

from __future__ import annotations

import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages

__all__ = ["new_key", "open_bytes", "photo_storage", "remove", "store"]


def photo_storage() -> Storage:
    """The storage configured as ``STORAGES["photos"]``."""
    return storages["photos"]


def new_key() -> str:
    """An unguessable key (256 random bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def store(key: str, data: bytes) -> str:
    """Save ``data`` under ``key``; the name the storage used (never an existing file's)."""
    return photo_storage().save(f"{key[:2]}/{key}.jpg", ContentFile(data))


def open_bytes(name: str) -> bytes:
    """The stored file ``name``."""
    with photo_storage().open(name, "rb") as fh:
        data: bytes = fh.read()
    return data


def remove(name: str) -> None:
    """Delete the stored file ``name`` (an upload whose record was not written)."""
    photo_storage().delete(name)
