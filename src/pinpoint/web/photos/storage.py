"""Where photo files live: Django's ``photos`` storage (a private directory under the data directory by
default, an S3-compatible bucket when ``PINPOINT_PHOTO_STORAGE=s3``). Never served by URL: only
:func:`pinpoint.web.photos.views.photo_image` reads them back, after checking who asks.

A file is stored before its row is written. When the row's transaction is the outermost one, a
failure removes the file at once. When the photo is taken inside an outer transaction (a caller's
``atomic`` block), the row may still be rolled back after the photo's own block has ended: such a
file is *pending* until the outer transaction commits (``transaction.on_commit`` drops it from the
pending list). :func:`discard_rolled_back` removes every pending file whose row is not in the
database, once no transaction of its connection is open any more (or when its row is gone); it
runs at the end of every request (``request_finished``) and before each new photo is stored.
"""

from __future__ import annotations

import secrets
import threading
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import DEFAULT_DB_ALIAS, connections, transaction

__all__ = [
    "discard_rolled_back",
    "new_key",
    "open_bytes",
    "pending_names",
    "photo_storage",
    "remember_until_commit",
    "remove",
    "store",
]

_pending = threading.local()


def photo_storage() -> Storage:
    """The storage configured as ``STORAGES["photos"]``."""
    return storages["photos"]


def new_key() -> str:
    """An unguessable key (256 random bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def store(key: str, data: bytes, suffix: str = "") -> str:
    """Save ``data`` under ``key`` (``suffix`` for a derived file such as ``.thumb``); the name the storage used."""
    return photo_storage().save(f"{key[:2]}/{key}{suffix}.jpg", ContentFile(data))


def open_bytes(name: str) -> bytes:
    """The stored file ``name``."""
    with photo_storage().open(name, "rb") as fh:
        data: bytes = fh.read()
    return data


def remove(name: str) -> None:
    """Delete the stored file ``name`` (an upload whose record was not written)."""
    photo_storage().delete(name)


def _registry() -> dict[str, set[str]]:
    reg: dict[str, set[str]] | None = getattr(_pending, "names", None)
    if reg is None:
        reg = {}
        _pending.names = reg
    return reg


def pending_names(using: str = DEFAULT_DB_ALIAS) -> frozenset[str]:
    """The stored files of this thread whose rows are not committed yet on connection ``using``."""
    return frozenset(_registry().get(using, set()))


def remember_until_commit(names: tuple[str, ...], using: str = DEFAULT_DB_ALIAS) -> None:
    """Keep ``names`` pending until the current transaction commits (then forgotten); see the module docstring."""
    if not connections[using].in_atomic_block:
        return
    reg = _registry().setdefault(using, set())
    reg.update(names)

    def committed() -> None:
        reg.difference_update(names)

    transaction.on_commit(committed, using=using)


def discard_rolled_back(stored: Any, using: str = DEFAULT_DB_ALIAS) -> int:
    """Remove the pending files whose rows the database no longer has; how many were removed.

    ``stored(names)`` answers which of ``names`` still belong to a row (one query). A pending file
    whose row exists stays pending while a transaction is open (it may still roll back) and is
    forgotten once none is.
    """
    reg = _registry().get(using)
    if not reg:
        return 0
    names = set(reg)
    kept = set(stored(names))
    gone = names - kept
    for name in gone:
        remove(name)
    reg.difference_update(gone)
    if not connections[using].in_atomic_block:
        reg.clear()
    return len(gone)
