"""The session guide: order of steps, anaesthetic timing, device hygiene at home."""

from __future__ import annotations

import itertools

from pinpoint.core import guide
from pinpoint.core.guide import STEP_KINDS
from pinpoint.evidence import Evidence


def kinds(g: object) -> list[str]:
    return [s.kind for s in g.steps]  # type: ignore[attr-defined]


def test_anaesthetic_goes_on_before_and_comes_off_before_antisepsis_and_needling(ev: Evidence) -> None:
    g = guide(ev, "acne_scars", ("cheek", "forehead"), "clinic", device="pen_14")
    k = kinds(g)
    assert g.anaesthetic == "lmx4"
    assert k.index("anaesthetic-apply") < k.index("anaesthetic-remove") < k.index("antisepsis") < k.index("needling")
    assert k.count("anaesthetic-apply") == 1
    apply = g.steps[k.index("anaesthetic-apply")]
    assert (apply.minutes.min, apply.minutes.max) == (30, 30) if apply.minutes else False
    assert "lmx4-smpc" in apply.sources
    assert k == [
        "consent",
        "screening",
        "photo",
        "cleanse",
        "anaesthetic-apply",
        "anaesthetic-remove",
        "device-check",
        "antisepsis",
        "needling",
        "endpoint-check",
        "needling",
        "endpoint-check",
        "post-care",
        "device-dispose",
        "aftercare-handout",
    ]
    assert [s.zones for s in g.steps if s.kind == "needling"] == [("cheek",), ("forehead",)]


def test_no_anaesthetic_step_ever_follows_needling(ev: Evidence) -> None:
    checked = 0
    for (ind_id, ind), setting in itertools.product(ev.indications.items(), ("home", "clinic")):
        for zone in ind.zones:
            try:
                g = guide(ev, ind_id, (zone,), setting)
            except ValueError:
                continue
            k = kinds(g)
            assert set(k) <= set(STEP_KINDS)
            first_needle = k.index("needling")
            assert not any(x.startswith("anaesthetic") for x in k[first_needle:])
            if "anaesthetic-apply" in k:
                assert k.index("anaesthetic-remove") == k.index("anaesthetic-apply") + 1
            checked += 1
    assert checked > 40


def test_shallow_and_home_sessions_use_no_anaesthetic(ev: Evidence) -> None:
    assert (
        guide(ev, "fine_lines", ("cheek",), "clinic").anaesthetic is None
    )  # 0.5-1.0 mm: numbing not needed up to 1 mm
    assert guide(ev, "texture_pores", ("cheek",), "clinic").anaesthetic is None
    assert guide(ev, "fine_lines", ("cheek",), "home").anaesthetic is None


def test_home_guide_disinfects_the_roller_before_and_after_and_counts_uses(ev: Evidence) -> None:
    g = guide(ev, "fine_lines", ("cheek",), "home", device="roller_192_025_home")
    k = kinds(g)
    cleans = [i for i, x in enumerate(k) if x == "device-clean"]
    assert len(cleans) == 2
    assert cleans[0] < k.index("needling") < cleans[1]
    for i in cleans:
        assert "70% isopropyl alcohol" in g.steps[i].title
    log = g.steps[k.index("device-log")]
    assert "replace after 10 uses or 42 days" in log.detail
    assert "consent" not in k and "device-dispose" not in k and "anaesthetic-apply" not in k


def test_aftercare_items_are_sourced_and_timed(ev: Evidence) -> None:
    g = guide(ev, "acne_scars", ("cheek",), "clinic")
    texts = {a.text: a for a in g.aftercare}
    sun = texts["From 24 h: broad-spectrum mineral sunscreen SPF 30 or more, every day"]
    assert sun.kind == "do"
    assert sun.hours is not None
    assert (sun.hours.min, sun.hours.max) == (24, 336)
    assert all(a.sources for a in g.aftercare)
    assert any(a.kind == "expect" and "scabs" in a.text for a in g.aftercare)  # 1.0 mm and deeper
    shallow = guide(ev, "fine_lines", ("cheek",), "home")
    assert not any("scabs" in a.text for a in shallow.aftercare)
