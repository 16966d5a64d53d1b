"""What erasing a client keeps and what it blanks, on plain values (ADR 0010).

An erasure pseudonymises the client (the name becomes :func:`pseudonym`, birth date and contact
details go) and blanks every free text written about them (notes, reasons, addendum text, the
typed signature), while the structured clinical record stays: dates, zones, depths, devices and
lots, yes/no and choice answers, screening findings. The sealed records keep verifying through
the field digests the erasure records (:func:`pinpoint.core.seals.erasure_entry`).

Pure functions: no Django, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pinpoint.core.answers import ANSWER_FIELDS

__all__ = [
    "PERSONAL_ANSWERS",
    "PERSONAL_DETAIL_KEYS",
    "PSEUDONYM_PREFIX",
    "deleted_files",
    "erase_answers",
    "erase_detail",
    "file_entry",
    "pseudonym",
]

PSEUDONYM_PREFIX = "Erased client "
"""An erased client's name is this prefix followed by the client's number."""

PERSONAL_ANSWERS: frozenset[str] = frozenset({"birth_date"})
"""Answers that identify the person rather than describe their skin or health (blanked to ``null``)."""

PERSONAL_DETAIL_KEYS: frozenset[str] = frozenset({"reason", "email", "name", "notes", "text", "user"})
"""Keys of an audit event's details that hold free text or a person's identity (blanked to ``""``)."""


def pseudonym(client_id: int) -> str:
    """The name an erased client is shown under: ``Erased client 12``."""
    return f"{PSEUDONYM_PREFIX}{client_id}"


def erase_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    """A questionnaire's answers with the identifying ones blanked.

    :data:`PERSONAL_ANSWERS` become ``null``; keys outside the answers contract (which could hold
    free text) are dropped; every other answer (yes/no, choices, zones, clinical dates) is kept.
    """
    out: dict[str, Any] = {}
    for name, value in answers.items():
        if name not in ANSWER_FIELDS:
            continue
        out[name] = None if name in PERSONAL_ANSWERS else value
    return out


def erase_detail(detail: Mapping[str, Any]) -> dict[str, Any]:
    """An audit event's details with free text and identities (:data:`PERSONAL_DETAIL_KEYS`) blanked."""
    return {k: ("" if k in PERSONAL_DETAIL_KEYS and v not in (None, "") else v) for k, v in detail.items()}


def file_entry(*, table: str, record_id: int, what: str, name: str, sha256: str) -> dict[str, Any]:
    """An erasure's entry for a stored file it deletes (a photo's image or thumbnail).

    ``what`` names the file of the row (``image``, ``thumbnail``), never a column, so no database
    guard reads it as a field that may change; ``name`` and ``sha256`` say which file was deleted.
    """
    return {"table": table, "record": record_id, "field": what, "kind": None, "file": name, "sha256": sha256}


def deleted_files(entries: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """The stored files erasure ``entries`` deleted: file name -> its SHA-256 when deleted."""
    return {str(e["file"]): str(e.get("sha256", "")) for e in entries if e.get("file")}
