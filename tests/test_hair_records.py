"""Electrolysis session records: limits by modality and area, their sources, and the course forecast."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from pinpoint.core.errors import InputError, UnknownIdError
from pinpoint.core.hair_course import StartCount, learned_forecast, plan_forecast, start_density
from pinpoint.core.hair_records import (
    AreaEntry,
    check_area_entry,
    check_every_area_recorded,
    probe_size_choices,
    probe_type_choices,
    reaction_choices,
    record_limits,
    require_area_entry,
)
from pinpoint.evidence.loader import load_evidence

EV = load_evidence()
GOOD = AreaEntry(
    area="upper_lip",
    modality="blend",
    probe_type="insulated",
    probe_size="F3",
    current_ma=0.5,
    intensity_w=2.0,
    seconds_per_insertion=8,
    insertions=120,
    hairs_removed=110,
    minutes=25,
    reaction="erythema",
    aftercare_given=True,
    window_cm2=1.0,
    hairs_seen=40,
)


def test_vocabularies_are_the_issue_words() -> None:
    assert [k for k, _ in probe_type_choices(EV)] == ["one_piece", "two_piece", "insulated", "gold_plated"]
    assert [k for k, _ in reaction_choices(EV)] == ["none", "erythema", "oedema", "whealing", "blanching", "crusting"]
    assert probe_size_choices(EV)[1] == ("F3", "F3 (0.076 mm)")


def test_a_record_within_limits_has_no_breach() -> None:
    assert check_area_entry(EV, GOOD, visit=1) == ()


def test_limits_by_modality_with_sources() -> None:
    galvanic = record_limits(EV, "legs", "galvanic", 9)
    assert set(galvanic) == {"current_ma", "seconds_per_insertion"}
    assert (galvanic["current_ma"].low, galvanic["current_ma"].high) == (0.1, 2.0)
    assert galvanic["current_ma"].sources == ("wiki-electrolysis", "dermaskin-course")
    blend = record_limits(EV, "upper_lip", "blend", 1)
    assert set(blend) == {"current_ma", "intensity_w", "seconds_per_insertion", "minutes"}
    assert blend["minutes"].high == 30
    assert blend["minutes"].sources == ("dermaskin-course",)
    assert "minutes" not in record_limits(EV, "upper_lip", "blend", 4)
    flash = record_limits(EV, "chin_jawline", "flash", 1)
    assert (flash["seconds_per_insertion"].low, flash["seconds_per_insertion"].high) == (0.001, 1.0)
    # an area without its own first-visit figure takes the policy default
    assert flash["minutes"].high == 60
    assert "jillheath" in flash["minutes"].sources


def test_current_above_the_limit_names_field_limit_and_source() -> None:
    with pytest.raises(InputError) as err:
        require_area_entry(EV, dataclasses.replace(GOOD, current_ma=2.5), visit=1)
    assert err.value.field == "current_ma"
    assert err.value.message == (
        "current 2.5 mA is outside the limit for Blend (direct current and radio frequency): "
        "0.1-2 mA [wiki-electrolysis, dermaskin-course, pinpoint-electrolysis-limits]"
    )


def test_first_upper_lip_visit_capped_at_30_minutes_then_not() -> None:
    long = dataclasses.replace(GOOD, minutes=45)
    (breach,) = check_area_entry(EV, long, visit=2)
    assert (breach.field, breach.limit and breach.limit.high) == ("minutes", 30)
    assert (
        breach.message
        == "minutes 45 min is outside the limit for first visits on this area: at most 30 min [dermaskin-course]"
    )
    assert check_area_entry(EV, long, visit=4) == ()


def test_time_per_insertion_and_settings_the_modality_does_not_use() -> None:
    fields = [
        b.field
        for b in check_area_entry(
            EV,
            dataclasses.replace(
                GOOD, modality="thermolysis", seconds_per_insertion=25, insertions=50, hairs_removed=40
            ),
            visit=5,
        )
    ]
    assert fields == ["current_ma", "seconds_per_insertion"]
    missing = check_area_entry(EV, dataclasses.replace(GOOD, intensity_w=None), visit=5)
    assert [b.field for b in missing] == ["intensity_w"]


def test_counts_that_cannot_be() -> None:
    more = check_area_entry(EV, dataclasses.replace(GOOD, hairs_removed=121), visit=5)
    assert [b.message for b in more] == ["121 hairs removed is more than the 120 insertions"]
    busy = check_area_entry(EV, dataclasses.replace(GOOD, insertions=400, hairs_removed=10), visit=5)
    assert busy[0].field == "insertions"
    assert busy[0].message == "400 insertions of 8 s are 53 minutes of current, more than the 25 minutes recorded"
    full = check_area_entry(EV, dataclasses.replace(GOOD, hairs_seen=501), visit=5)
    assert full[0].field == "hairs_seen"
    assert "at most 500" in full[0].message


def test_unknown_words_are_named() -> None:
    fields = [
        b.field
        for b in check_area_entry(EV, dataclasses.replace(GOOD, probe_type="x", reaction="y", probe_size="Z"), visit=5)
    ]
    assert fields == ["probe_type", "reaction", "probe_size"]
    with pytest.raises(UnknownIdError):
        check_area_entry(EV, dataclasses.replace(GOOD, modality="laser"), visit=1)


def test_start_density_by_window_estimate_and_default() -> None:
    w = start_density(EV, "upper_lip", StartCount("window", window_cm2=2.0, hairs_seen=100))
    assert (w.value, round(w.low, 2), round(w.high, 2)) == (50.0, 40.2, 59.8)
    e = start_density(EV, "upper_lip", StartCount("estimate", hairs_estimate=300, uncertainty_percent=20))
    area = EV.zones["upper_lip"].area_cm2.value
    assert (e.value, e.low, e.high) == (300 / area, 300 / area * 0.8, 300 / area * 1.2)
    d = start_density(EV, "upper_lip", StartCount())
    assert (d.low, d.high) == (60, 92)
    with pytest.raises(InputError) as err:
        start_density(EV, "upper_lip", StartCount("window", window_cm2=1.0, hairs_seen=900))
    assert err.value.field == "hairs_seen"


def test_plan_band_brackets_the_middle() -> None:
    f = plan_forecast(EV, "upper_lip", "blend", start=dt.date(2026, 1, 5), count=StartCount("window", 1.0, 40))
    assert f.low.hours_total < f.plan.hours_total < f.high.hours_total
    assert f.plan.schedule[0] == dt.date(2026, 1, 5)


def test_learned_forecast_without_counts_keeps_the_plan() -> None:
    learned = learned_forecast(EV, "upper_lip", "blend", [])
    assert not learned.fit.converged
    assert learned.reforecast is None


def test_signing_needs_every_area_of_the_course_recorded_named_in_words() -> None:
    check_every_area_recorded(EV, ["upper_lip", "chin_jawline"], ["chin_jawline", "upper_lip"])
    with pytest.raises(InputError) as refused:
        check_every_area_recorded(EV, ["upper_lip", "chin_jawline"], ["chin_jawline"])
    assert (refused.value.field, refused.value.message) == (
        "areas",
        f"record every area before signing: {EV.zones['upper_lip'].name} not recorded",
    )
    with pytest.raises(InputError) as both:
        check_every_area_recorded(EV, ["upper_lip", "chin_jawline"], [])
    assert both.value.message == "record every area before signing: Upper lip, Chin and jawline not recorded"
