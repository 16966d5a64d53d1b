"""Courses planned by core, booked sessions, the session record, signing and addenda."""
