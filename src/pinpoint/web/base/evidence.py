"""The evidence base in force for an organization: the packaged data with its policy overrides."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pinpoint.evidence.loader import Evidence, PolicyError, load_evidence

if TYPE_CHECKING:
    from pinpoint.web.accounts.models import Organization

__all__ = ["evidence_for", "stale_overrides"]


def _valid(overrides: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    base = load_evidence()
    good: dict[str, Any] = {}
    bad: dict[str, str] = {}
    for key, value in overrides.items():
        try:
            base.with_policy({key: value})
        except PolicyError as exc:
            bad[key] = str(exc)
        else:
            good[key] = value
    return good, bad


def evidence_for(organization: Organization) -> Evidence:
    """The evidence with the organization's policy overrides (each one is shown wherever it applies).

    Overrides were validated when saved; one that a newer evidence release no longer accepts is
    left out here and listed by :func:`stale_overrides` on the settings page.
    """
    overrides = organization.policy_overrides or {}
    if not overrides:
        return load_evidence()
    try:
        return load_evidence().with_policy(overrides)
    except PolicyError:
        good, _ = _valid(overrides)
        return load_evidence().with_policy(good)


def stale_overrides(organization: Organization) -> dict[str, str]:
    """Saved overrides the evidence in force refuses, with the reason."""
    _, bad = _valid(organization.policy_overrides or {})
    return bad
