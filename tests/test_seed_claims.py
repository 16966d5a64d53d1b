"""Nothing Pinpoint prints repeats an error of the article the project started from."""

from __future__ import annotations

import itertools
import json
import re

from pinpoint.core import guide, plan
from pinpoint.evidence import DATA_DIR, Evidence

FORBIDDEN = [
    re.compile(r"reduc\w*\s+(the\s+)?(amount\s+of\s+)?(collagen|elastin)", re.I),
    re.compile(r"shower\s*cap", re.I),
    re.compile(r"(numbing|anaesthetic|anesthetic)\s+(cream\s+)?(is\s+)?(applied|put on|goes on)\s+after", re.I),
    re.compile(r"after\s+each\s+puncture", re.I),
    re.compile(r"inject\w*\s+(collagen|elastin)", re.I),
    re.compile(r"no\s+area\s+that\s+is\s+not\s+receiving", re.I),
]


def test_no_output_repeats_a_seed_error(ev: Evidence) -> None:
    texts = []
    for (ind_id, ind), setting in itertools.product(ev.indications.items(), ("home", "clinic")):
        for zone in ind.zones:
            try:
                texts.append(plan(ev, ind_id, (zone,), setting).model_dump_json())
                texts.append(guide(ev, ind_id, (zone,), setting).model_dump_json())
            except ValueError:
                continue
    texts.extend(p.read_text(encoding="utf-8") for p in DATA_DIR.glob("*.toml") if p.stem != "sources")
    blob = json.dumps(texts)
    assert len(texts) > 80
    for pattern in FORBIDDEN:
        assert not pattern.search(blob), pattern.pattern
