"""An upload handler that keeps no more of an uploaded file than the photo check needs to refuse it.

Django writes an upload past 2.5 MB to a temporary file as it arrives, so a 2 GB body would fill the
disk before :func:`~pinpoint.web.photos.imaging.clean_photo` refused it by size. Listed first in
``FILE_UPLOAD_HANDLERS``, this handler passes on at most ``PINPOINT_PHOTO_MAX_BYTES`` + 1 bytes of
each file (one byte past the limit is how the check knows it is too large) and drops the rest. The
body is still read to its end (the answer names the limit beside the field); a front server's body
size limit is what stops it earlier.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import FileUploadHandler

from pinpoint.web.photos.imaging import limits


class CappedUploadHandler(FileUploadHandler):
    """Passes each file's first ``PINPOINT_PHOTO_MAX_BYTES`` + 1 bytes to the next handler; drops the rest."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.room = limits()[0] + 1

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        kept = raw_data[: max(self.room, 0)]
        self.room -= len(kept)
        return kept or None

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler makes the file
