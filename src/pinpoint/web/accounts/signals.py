"""What the accounts app announces to the apps above it, which it does not import (ADR 0008)."""

from __future__ import annotations

from django.dispatch import Signal

__all__ = ["organization_created"]

organization_created = Signal()
"""Sent inside the transaction that creates an organization, with ``actor`` (its owner acting in it),
``organization`` and ``birth_date`` (the owner's, given for a personal space; else ``None``).
A receiver's error rolls the creation back."""
