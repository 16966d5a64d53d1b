"""Whether a photo's stored files are still the ones taken: their SHA-256 against the sealed row.

The row's seal covers ``sha256`` and ``thumb_sha256`` (kind ``photo``), so comparing the files'
digests with the row's is what lets ``pinpoint verify`` catch a file swapped or lost in the storage.
A file the client's sealed erasure record lists as deleted, with the same digest, is absent by design.
"""

from __future__ import annotations

import hashlib

from pinpoint.web.audit.erasures import erased_files
from pinpoint.web.photos import storage
from pinpoint.web.photos.models import Photo

__all__ = ["stored_files_problem"]


def _digest(name: str) -> str | None:
    try:
        return hashlib.sha256(storage.open_bytes(name)).hexdigest()
    except (OSError, FileNotFoundError):
        return None


def stored_files_problem(photo: Photo) -> str | None:
    """What is wrong with the photo's stored image or thumbnail, in words; ``None`` when both are as taken."""
    files = (("image", photo.stored_name, photo.sha256), ("thumbnail", photo.thumb_name, photo.thumb_sha256))
    for what, name, sha in files:
        if not name:
            continue  # a photo taken before thumbnails were made has none
        got = _digest(name)
        if got is None and erased_files(photo.organization_id, photo.client_id).get(name) == sha:
            continue  # deleted by the client's erasure, which lists it
        if got is None:
            return f"the photo's stored {what} is missing"
        if got != sha:
            return f"the photo's stored {what} differs from the one taken (SHA-256 {got[:12]}…, sealed {sha[:12]}…)"
    return None
