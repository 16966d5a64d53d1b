"""Writing a FHIR Bundle (type ``collection``) one entry at a time, so memory stays flat."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any, Protocol

from pinpoint.interop.fhir import Version, full_url, parse_resource

__all__ = ["BundleWriter"]


class _Text(Protocol):
    def write(self, text: str, /) -> int: ...


class BundleWriter:
    """Writes ``{"resourceType": "Bundle", "type": "collection", "entry": [...]}`` to ``out`` entry by entry.

    Each resource is parsed by fhir.resources first (``check=True``), so the file never holds
    one the library refuses. ``timestamp`` is the moment of the export (timezone-aware).
    """

    def __init__(
        self, out: _Text, version: Version, *, bundle_id: str, timestamp: dt.datetime, check: bool = True
    ) -> None:
        self.out = out
        self.version = version
        self.check = check
        self.count = 0
        head = {
            "resourceType": "Bundle",
            "id": bundle_id,
            "meta": {"tag": [{"code": f"fhir-{version.value.lower()}"}]},
            "type": "collection",
            "timestamp": timestamp.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        }
        out.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "entry": [\n')

    def add(self, resource: Mapping[str, Any] | None) -> None:
        """Append one resource (``None`` is skipped)."""
        if resource is None:
            return
        if self.check:
            parse_resource(self.version, resource)
        entry = {"fullUrl": full_url(str(resource["resourceType"]), str(resource["id"])), "resource": resource}
        self.out.write(("" if self.count == 0 else ",\n") + json.dumps(entry, ensure_ascii=False))
        self.count += 1

    def close(self) -> None:
        """End the entry list and the bundle."""
        self.out.write("\n]}\n")
