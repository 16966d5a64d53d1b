"""Versioned consent templates per treatment, and signed consents with their text frozen."""
