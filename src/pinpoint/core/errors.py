"""Typed errors of the core: each carries the input field it is about and a message a person can act on."""

from __future__ import annotations

from collections.abc import Iterable

from pinpoint.evidence.loader import suggest

__all__ = ["InputError", "PinpointError", "RefusedError", "ScreeningBlockedError", "UnknownIdError"]


class PinpointError(ValueError):
    """Base of every error Pinpoint reports to a user; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class InputError(PinpointError):
    """An input value is malformed or impossible."""


class UnknownIdError(PinpointError):
    """An id (zone, indication, device, ...) is not in the evidence base."""

    def __init__(self, field: str, kind: str, value: str, choices: Iterable[str]) -> None:
        super().__init__(field, f"unknown {kind} '{value}'{suggest(value, sorted(choices))}")
        self.value = value


class RefusedError(PinpointError):
    """The evidence or the policy in force forbids what was asked (e.g. a clinic depth at home)."""


class ScreeningBlockedError(PinpointError):
    """Screening gave a blocking verdict, so no plan is made."""
