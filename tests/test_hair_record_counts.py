"""Impossible counts and times in an electrolysis area record: more hairs removed than the area has
follicles, or a session longer than a day; a starting count given for more than one area."""

from __future__ import annotations

import dataclasses

import pytest

from pinpoint.core.errors import InputError
from pinpoint.core.hair_course import StartCount, check_count_areas
from pinpoint.core.hair_records import MINUTES_A_DAY, AreaEntry, check_area_entry
from pinpoint.evidence.loader import load_evidence

EV = load_evidence()
# flash thermolysis: a hundredth of a second an insertion, so the current-on time never catches a huge count
FLASH = AreaEntry(
    area="upper_lip",
    modality="flash",
    probe_type="insulated",
    probe_size="F3",
    current_ma=None,
    intensity_w=2.0,
    seconds_per_insertion=0.01,
    insertions=200,
    hairs_removed=200,
    minutes=20,
    reaction="erythema",
    aftercare_given=True,
    window_cm2=None,
    hairs_seen=None,
)


def _messages(entry: AreaEntry) -> list[tuple[str, str]]:
    return [(b.field, b.message) for b in check_area_entry(EV, entry, visit=5)]


def test_hairs_removed_up_to_the_areas_follicles_are_kept_more_are_refused_with_the_source() -> None:
    follicles = int(EV.zones["upper_lip"].area_cm2.value * 500)
    assert follicles == 10_000
    at_most = dataclasses.replace(FLASH, insertions=follicles, hairs_removed=follicles)
    assert _messages(at_most) == []
    over = dataclasses.replace(FLASH, insertions=50_000, hairs_removed=follicles + 1)
    assert _messages(over) == [
        (
            "hairs_removed",
            "10001 hairs removed is impossible on the upper lip: it has at most 10000 follicles "
            "(500 per cm² on 20 cm²) [richards-meharg-1991, olsen1999]",
        )
    ]


@pytest.mark.parametrize(("minutes", "refused"), [(0, True), (MINUTES_A_DAY, False), (MINUTES_A_DAY + 1, True)])
def test_minutes_are_more_than_none_and_at_most_a_day(minutes: float, refused: bool) -> None:
    found = _messages(dataclasses.replace(FLASH, minutes=minutes))
    assert found == ([("minutes", "minutes must be more than 0 and at most 1440 (a day)")] if refused else [])


@pytest.mark.parametrize(
    "count",
    [
        StartCount("window", window_cm2=2.0, hairs_seen=50),
        StartCount("estimate", hairs_estimate=300, uncertainty_percent=20),
    ],
)
def test_a_starting_count_describes_one_area(count: StartCount) -> None:
    check_count_areas(("upper_lip",), count)
    check_count_areas(("upper_lip", "chin_jawline"), StartCount())  # no count: each area's usual density
    with pytest.raises(InputError) as refused:
        check_count_areas(("upper_lip", "chin_jawline"), count)
    assert (refused.value.field, refused.value.message) == (
        "count_kind",
        "a starting count describes one area: plan a course for each counted area, or choose no count",
    )
