"""Exports (FHIR bundles, the full zip) and erasure; at the top of the web apps, imported by none of them."""
