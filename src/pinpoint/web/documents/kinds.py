"""The documents Pinpoint prints and the paper sizes, checked before anything (Django included) is loaded."""

from __future__ import annotations

from pinpoint.core.errors import InputError, UnknownIdError

__all__ = ["KINDS", "RECORDS", "SIZES", "check_kind", "check_size"]

# kind -> what a person calls it
KINDS: dict[str, str] = {
    "plan": "course plan",
    "consent": "signed consent",
    "record": "signed session record",
    "aftercare": "aftercare handout",
    "electrolysis-plan": "electrolysis course plan",
    "electrolysis-record": "signed electrolysis session record",
    "electrolysis-aftercare": "electrolysis aftercare handout",
}
# kind -> the record its id names
RECORDS: dict[str, str] = {
    "plan": "course",
    "consent": "consent",
    "record": "session",
    "aftercare": "session",
    "electrolysis-plan": "electrolysis course",
    "electrolysis-record": "electrolysis session",
    "electrolysis-aftercare": "electrolysis session",
}
# size -> (CSS page size, what a person calls it)
SIZES: dict[str, tuple[str, str]] = {"a4": ("A4", "A4"), "letter": ("letter", "US Letter")}


def check_kind(kind: str) -> str:
    """``kind`` when it is a document Pinpoint prints, else :class:`UnknownIdError` naming the choices."""
    if kind not in KINDS:
        raise UnknownIdError("kind", "document", kind, KINDS)
    return kind


def check_size(size: str) -> str:
    """``size`` (``a4`` or ``letter``, any case) in lower case, else :class:`InputError` naming the field."""
    wanted = size.strip().lower()
    if wanted not in SIZES:
        raise InputError("size", f"size must be a4 or letter, got '{size}'")
    return wanted
