"""Interoperability: Pinpoint's records in standard shapes (FHIR R4B and R5).

This package sits beside :mod:`pinpoint.core`, below the interfaces: it maps plain typed
records (:mod:`pinpoint.interop.records`) to FHIR resources and writes them as a Bundle, one
entry at a time. It imports neither Django nor an interface; the web side reads the rows and
feeds it.
"""
