"""The article the project started from, error by error: what Pinpoint says instead, and that it never repeats one.

Each test names one error of the article (docs/claims-audit.md) and asserts what Pinpoint's own
guide, plan, aftercare, procedure data or docs say in its place, with exact values; the last
test checks that no output of any plan or guide, and no data file, repeats the error's wording.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest

from pinpoint.core import guide, plan
from pinpoint.core.guide import Guide
from pinpoint.evidence import DATA_DIR, Evidence

AUDIT = Path(__file__).resolve().parents[1] / "docs" / "claims-audit.md"

FORBIDDEN = {
    "hollow needles": re.compile(r"hollow", re.I),
    "injected collagen": re.compile(r"inject\w*\s+(collagen|elastin)", re.I),
    "collagen reduced": re.compile(r"reduc\w*\s+(the\s+)?(amount\s+of\s+)?(collagen|elastin)", re.I),
    "released collagen": re.compile(
        r"(collagen|elastin)\s+(\w+\s+)?(is\s+|are\s+|to\s+be\s+)?released|releas\w*\s+(the\s+)?(collagen|elastin)",
        re.I,
    ),
    "numbing after": re.compile(
        r"(numbing|anaesthetic|anesthetic)\s+(cream\s+)?(is\s+)?(applied|put on|goes on)\s+after", re.I
    ),
    "after each puncture": re.compile(r"after\s+each\s+(puncture|microtrauma)", re.I),
    "creams designed for it": re.compile(r"designed\s+specifically", re.I),
    "booths": re.compile(r"booth", re.I),
    "loofa": re.compile(r"loofa", re.I),
    "no need for a needle": re.compile(r"no\s+need\s+for\s+a\s+needle", re.I),
    "no area untreated": re.compile(r"no\s+area\s+that\s+is\s+not\s+receiving", re.I),
    "shower cap": re.compile(r"shower\s*cap|(whole|entire)\s+body", re.I),
    "aloe": re.compile(r"aloe", re.I),
    "striae become scars": re.compile(r"(stretch marks|striae)[^.;]*\b(form|become|turn into)\s+scars", re.I),
    "make-up interferes": re.compile(r"interfere\w*\s+with\s+the\s+treatment", re.I),
}


@pytest.fixture(scope="module")
def clinic_guide(ev: Evidence) -> Guide:
    return guide(ev, "acne_scars", ("cheek",), "clinic")


def _kinds(g: Guide) -> list[str]:
    return [s.kind for s in g.steps]


def _title(g: Guide, kind: str) -> str:
    (title,) = {s.title for s in g.steps if s.kind == kind}
    return title


def _audit_row(number: str) -> list[str]:
    for line in AUDIT.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and cells[0] == number:
            return cells
    raise AssertionError(f"claims audit has no row {number}")


def test_needles_are_solid_and_only_puncture_nothing_is_injected(ev: Evidence, clinic_guide: Guide) -> None:
    """Article: hollow needles inject collagen or elastin."""
    assert _title(clinic_guide, "needling") == (
        "Needle the zone: skin stretched, light even pressure, passes in crossing directions"
    )
    assert not any("inject" in s.title.lower() for s in clinic_guide.steps)
    rollers = {k: d for k, d in ev.devices.items() if d.kind == "roller"}
    assert {d.needles.value for d in rollers.values()} == {192}
    row = _audit_row("1")
    assert row[2] == "**False**"
    assert "solid steel or silicon needles that only puncture the skin; nothing is injected" in row[3]


def test_needling_starts_new_collagen_so_results_take_months(ev: Evidence) -> None:
    """Article: the aim is to reduce collagen and elastin; each puncture releases them."""
    acne = plan(ev, "acne_scars", ("cheek",), "clinic")
    assert (acne.visible_result_days.min, acne.visible_result_days.max) == (180, 180)  # type: ignore[union-attr]
    assert ev.indications["acne_scars"].visible_result_days.sources == ("alam2014",)  # type: ignore[union-attr]
    (zone,) = acne.zones
    assert (zone.interval_days.min, zone.interval_days.max) == (28, 42)
    deepest = ev.technique.intervals[-1]
    assert deepest.interval_days.note == "median 4 weeks across acne-scar studies; new collagen takes about 6 weeks"
    assert _audit_row("3")[2] == "**False**"
    assert "lays down new collagen over weeks to months" in _audit_row("3")[3]
    assert "fibroblasts" in _audit_row("6")[3] and _audit_row("6")[2] == "**False**"


def test_the_anaesthetic_goes_on_intact_skin_before_needling_and_comes_off(clinic_guide: Guide) -> None:
    """Article: numbing cream after each puncture."""
    kinds = _kinds(clinic_guide)
    order = ["anaesthetic-apply", "anaesthetic-remove", "antisepsis", "needling"]
    assert [kinds.index(k) for k in order] == sorted(kinds.index(k) for k in order)
    assert kinds.count("anaesthetic-apply") == 1
    assert kinds.index("anaesthetic-apply") < kinds.index("needling")
    assert _title(clinic_guide, "anaesthetic-apply") == "Apply the topical anaesthetic to intact skin and wait"
    assert _title(clinic_guide, "anaesthetic-remove") == "Wipe the anaesthetic off completely and cleanse again"
    (apply,) = [s for s in clinic_guide.steps if s.kind == "anaesthetic-apply"]
    assert (apply.minutes.min, apply.minutes.max) == (30, 30)  # LMX4, the default: about 30 minutes


def test_no_numbing_cream_is_made_for_needled_skin(ev: Evidence) -> None:
    """Article: some creams have been designed specifically for this purpose."""
    assert set(ev.anaesthetics) == {"lmx4", "emla", "lidocaine_tetracaine_7_7", "blt_compounded"}
    assert ev.anaesthetics["blt_compounded"].approved is False
    for agent in ev.anaesthetics.values():
        assert "not from this cream's label" in agent.note or "It has no label at all" in agent.note
    row = _audit_row("7a")
    assert row[2] == "**False**"
    assert row[3].startswith("No topical anaesthetic is approved or labelled for microneedling or for needled skin.")
    assert {"emla-csp-2010", "lmx4-smpc", "pliaglis-us-pi", "fda-numbing-2024"} <= set(ev.sources)


def test_what_needs_care_is_the_needle_unit_not_a_booth(clinic_guide: Guide) -> None:
    """Article: micro needling booths must be professionally cleaned."""
    assert _title(clinic_guide, "device-check").startswith(
        "Open a sealed sterile single-use needle unit (roller or cartridge); check it is intact and in date"
    )
    assert _title(clinic_guide, "device-dispose").startswith(
        "Dispose of the needle unit in a sharps container, never reuse it on anyone"
    )
    assert _audit_row("10")[2] == "**Unsupported**"


def test_a_roller_is_a_drum_of_needles_not_a_loofa(ev: Evidence) -> None:
    """Article: derma rollers are like tiny loofas, with no need for a needle."""
    for roller in (d for d in ev.devices.values() if d.kind == "roller"):
        assert (roller.needles.value, roller.rings.value, roller.needles_per_ring.value) == (192, 8, 24)
        assert roller.needle_length_mm.value >= 0.2
    assert ev.devices["roller_192_020"].needle_length_mm.value == 0.2
    assert _audit_row("8")[2] == "**False**"


def test_aftercare_is_local_and_no_shower_cap(clinic_guide: Guide) -> None:
    """Article: the whole body is covered with a powder-free shower cap."""
    texts = [a.text for a in clinic_guide.aftercare]
    assert "Gentle cleanser, then a bland fragrance-free moisturiser or hyaluronic-acid gel" in texts
    assert "Sleep on a clean pillowcase; do not touch, pick or scrub the treated skin" in texts
    assert not any(FORBIDDEN["shower cap"].search(t) for t in texts)
    assert _audit_row("14")[2] == "**Unsupported**"


def test_the_finish_is_a_sterile_hydrogel_not_aloe(ev: Evidence, clinic_guide: Guide) -> None:
    """Article: finish with an aloe vera cream."""
    assert _title(clinic_guide, "post-care") == (
        "Cleanse with sterile saline; apply a bland sterile hydrogel or hyaluronic-acid gel only"
    )
    kinds = _kinds(clinic_guide)
    assert kinds.index("post-care") > kinds.index("endpoint-check")
    (channels,) = [a for a in clinic_guide.aftercare if a.text.startswith("Nothing scented")]
    assert channels.text == (
        "Nothing scented, non-sterile or not made for broken skin while the channels are open: "
        "it is pushed in and can cause granulomas"
    )
    assert (channels.hours.min, channels.hours.max) == (12, 48)


def test_make_up_waits_for_the_channels_to_close_not_because_it_interferes(clinic_guide: Guide) -> None:
    """Article: no make-up, because some make-up can interfere with the treatment."""
    (makeup,) = [a for a in clinic_guide.aftercare if "make-up" in a.text]
    assert (makeup.kind, makeup.text) == (
        "avoid",
        "No make-up; mineral make-up applied with clean fingers is the first to come back",
    )
    assert (makeup.hours.min, makeup.hours.max) == (6, 48)
    row = _audit_row("15")
    assert row[2] == "**Advice supported, reason wrong**"
    assert "the needle channels stay open for about 12–48 h" in row[3]


def test_stretch_marks_already_are_dermal_scars(ev: Evidence) -> None:
    """Article: stretch marks left untreated form scars."""
    striae = plan(ev, "striae", ("flanks",), "clinic")
    assert (
        "stretch marks are not an FDA-authorised use (facial acne scars, facial and neck wrinkles, abdominal scars "
        "are); red (rubra) striae respond better than white (alba)"
    ) in striae.warnings
    row = _audit_row("4a")
    assert row[2] == "**False**"
    assert "they already are scars of the dermis" in row[3]


def test_home_rollers_are_not_epidermal_only(ev: Evidence) -> None:
    """A correction of Pinpoint's own earlier wording: 0.2-0.3 mm needles outreach a 66-123 um epidermis."""
    home = guide(ev, "fine_lines", ("cheek",), "home", device="roller_192_025_home")
    (warning,) = [w for w in home.warnings if "epidermal" in w]
    assert "facial epidermis is 66-123 micrometres thick, so even 0.2-0.3 mm needles can reach living skin" in warning
    assert "reach the epidermis only" not in AUDIT.read_text(encoding="utf-8")


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
    for claim, pattern in FORBIDDEN.items():
        assert not pattern.search(blob), claim


@pytest.mark.parametrize("claim", sorted(FORBIDDEN))
def test_each_pattern_catches_the_article_s_wording(claim: str) -> None:
    """The patterns above would fail the output check on the article's own sentences (or their gist)."""
    article = {
        "hollow needles": "small, hollow needles",
        "injected collagen": "to inject collagen or elastin",
        "collagen reduced": "to reduce the amount of collagen and elastin being produced",
        "released collagen": "which causes the collagen and elastin to be released",
        "numbing after": "numbing cream is applied after needling",
        "after each puncture": "After each microtrauma, the surgeon will apply a small amount of numbing cream",
        "creams designed for it": "Some creams have been designed specifically for this purpose",
        "booths": "Micro needling booths, however, must be professionally cleaned",
        "loofa": "Derma rollers resemble tiny hand-held loofas",
        "no need for a needle": "there is no need for a needle",
        "no area untreated": "there is no area that is not receiving treatment",
        "shower cap": "cover the entire body with a large, powder-free shower cap",
        "aloe": "a cream that contains aloe vera",
        "striae become scars": "Stretch marks, when left untreated, can form scars on the abdomen",
        "make-up interferes": "some makeup products can interfere with the treatment",
    }[claim]
    assert FORBIDDEN[claim].search(article)
