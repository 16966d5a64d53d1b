"""The evidence base: sourced clinical data in ``data/*.toml``, a typed schema and a validating loader."""

from pinpoint.evidence.loader import DATA_DIR, Evidence, EvidenceError, PolicyError, load_evidence, load_from

__all__ = ["DATA_DIR", "Evidence", "EvidenceError", "PolicyError", "load_evidence", "load_from"]
