"""Vocabularies are defined once (core.vocab, the evidence schema) and the CLI offers exactly them."""

from __future__ import annotations

import dataclasses
from typing import get_args

import pytest

from pinpoint.cli import main as cli_main
from pinpoint.core.answers import parse_skin_type
from pinpoint.core.errors import InputError
from pinpoint.core.guide import STEP_KINDS
from pinpoint.core.planning import plan
from pinpoint.core.screening import VERDICTS
from pinpoint.core.vocab import (
    SETTINGS,
    TREATMENTS,
    check_setting,
    check_treatment,
    default_device_kind,
    setting_choices,
    skin_type_choices,
    treatment_choices,
)
from pinpoint.evidence.loader import Evidence, EvidenceError, _check_setting_devices, load_evidence
from pinpoint.evidence.schema import Setting, StepKind, Treatment, Verdict


@pytest.fixture(scope="module")
def ev() -> Evidence:
    return load_evidence()


def test_each_vocabulary_is_the_schema_literal_with_a_label_for_every_value() -> None:
    assert SETTINGS == get_args(Setting) == ("home", "clinic")
    assert TREATMENTS == get_args(Treatment) == ("microneedling", "electrolysis")
    assert VERDICTS == get_args(Verdict) == ("proceed", "caution", "defer", "refer", "contraindicated")
    assert STEP_KINDS[0] == "consent"
    assert len(STEP_KINDS) == len(get_args(StepKind)) == 15
    assert setting_choices() == (("home", "At home"), ("clinic", "In a clinic"))
    assert treatment_choices() == (("microneedling", "Microneedling"), ("electrolysis", "Needle electrolysis"))
    assert [parse_skin_type(v) for v, _ in skin_type_choices()] == [1, 2, 3, 4, 5, 6]


def test_a_bad_setting_or_treatment_is_refused_with_one_message_naming_the_field() -> None:
    with pytest.raises(InputError, match=r"^--setting must be 'home' or 'clinic', got 'spa'$") as exc:
        check_setting("spa", "--setting")
    assert exc.value.field == "--setting"
    with pytest.raises(InputError, match=r"^treatment must be 'microneedling' or 'electrolysis', got 'laser'$"):
        check_treatment("laser")
    assert check_setting("clinic") == "clinic"


def test_the_default_device_kind_by_setting_is_evidence_data(ev: Evidence) -> None:
    assert (default_device_kind(ev, "home"), default_device_kind(ev, "clinic")) == ("roller", "pen")
    assert plan(ev, "fine_lines", ("cheek",), "home").device_kind == "roller"
    assert plan(ev, "fine_lines", ("cheek",), "clinic").device_kind == "pen"
    # the planner reads it from technique.toml: flip it there and the plan follows (passes too)
    rules = tuple(r.model_copy(update={"default_kind": "pen"}) for r in ev.technique.setting_devices)
    flipped = dataclasses.replace(ev, technique=ev.technique.model_copy(update={"setting_devices": rules}))
    home = plan(flipped, "fine_lines", ("cheek",), "home")
    assert home.device_kind == "pen"
    assert (home.zones[0].passes.min, home.zones[0].passes.max) == (
        ev.technique.passes_pen.min,
        ev.technique.passes_pen.max,
    )


def test_every_setting_needs_exactly_one_setting_devices_entry(ev: Evidence) -> None:
    only_clinic = tuple(r for r in ev.technique.setting_devices if r.setting == "clinic")
    broken = dataclasses.replace(ev, technique=ev.technique.model_copy(update={"setting_devices": only_clinic}))
    with pytest.raises(EvidenceError, match="setting 'home' has 0 entries, needs exactly one"):
        _check_setting_devices(broken)


def test_cli_options_offer_core_vocabularies() -> None:
    assert cli_main.SKIN_HELP == "Fitzpatrick I..VI."
    setting_help = cli_main.SettingOpt.__metadata__[0].help
    assert setting_help == "home or clinic."
