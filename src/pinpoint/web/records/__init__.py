"""Reads that join several apps: a client's timeline and change history, the client list with each
client's next session, the sessions that used a device unit, and ``pinpoint verify``'s walk over
every sealed table.

It sits above every app whose records it reads (ADR 0008), so those apps import nothing above
their own layer; it has no models of its own.
"""
