"""The evidence base loads, every number is sourced or a policy, and bad data fails loudly."""

from __future__ import annotations

import os
import pickle
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from pinpoint.evidence import DATA_DIR, Evidence, EvidenceError, PolicyError, load_from

REQUIRED_ZONES = {
    "forehead",
    "periorbital",
    "nose",
    "cheek",
    "perioral",
    "chin_jawline",
    "full_face",
    "neck",
    "decolletage",
    "scalp",
    "abdomen",
    "flanks",
    "back",
    "buttocks",
    "upper_arms",
    "thighs",
    "hands",
}
REQUIRED_INDICATIONS = {
    "acne_scars",
    "striae",
    "fine_lines",
    "texture_pores",
    "hyperpigmentation",
    "androgenetic_alopecia",
    "product_absorption",
}


def test_required_zones_and_indications_present(ev: Evidence) -> None:
    assert set(ev.zones) >= REQUIRED_ZONES
    assert set(ev.indications) >= REQUIRED_INDICATIONS
    assert ev.zones["full_face"].parts == ("forehead", "periorbital", "nose", "cheek", "perioral", "chin_jawline")
    assert ev.zones["periorbital"].thin_skin is True


def test_standard_roller_geometry(ev: Evidence) -> None:
    roller = ev.devices["roller_192_150"]
    assert (roller.needles.value, roller.rings.value, roller.needles_per_ring.value) == (192, 8, 24)
    assert (roller.drum_diameter_mm.value, roller.drum_width_mm.value) == (20, 20)


def _numbers(node: Any, path: str) -> list[tuple[str, dict[str, Any] | None]]:
    """Every number in a raw TOML tree with the table that holds it."""
    out: list[tuple[str, dict[str, Any] | None]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                out.append((f"{path}.{key}", node))
            else:
                out.extend(_numbers(value, f"{path}.{key}"))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            if isinstance(item, (int, float)) and not isinstance(item, bool):
                out.append((f"{path}[{i}]", None))
            else:
                out.extend(_numbers(item, f"{path}[{i}]"))
    return out


# Numbers that are not clinical values: band limits of rules whose value table is sourced,
# Fitzpatrick types that select a warning, and a policy item's override bounds.
STRUCTURAL = re.compile(r"\.(depth_from_mm|depth_to_mm|skin_types\[\d\]|bounds\[\d\])$")


def test_every_clinical_number_has_a_source_or_is_policy() -> None:
    checked = 0
    for path in sorted(DATA_DIR.glob("*.toml")):
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        for where, table in _numbers(raw, path.stem):
            if STRUCTURAL.search(where):
                continue
            checked += 1
            assert table is not None, f"{where}: a bare number in a list"
            assert "unit" in table, f"{where}: number without a unit"
            sources = table.get("sources", [])
            assert sources, f"{where}: number without sources"
            if path.stem == "policy":
                assert "published" in table, f"{where}: policy default without the published views"
    assert checked > 150


def test_structural_numbers_sit_next_to_sourced_values() -> None:
    raw = tomllib.loads((DATA_DIR / "technique.toml").read_text(encoding="utf-8"))
    for band in raw["intervals"]:
        assert band["interval_days"]["sources"]


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_unknown_source_id_is_rejected(data_copy: Path) -> None:
    _edit(data_copy / "zones.toml", 'sources = ["drpen-net", "mnbeforeafter"] }', 'sources = ["drpen-nett"] }')
    with pytest.raises(EvidenceError) as err:
        load_from(data_copy)
    assert str(err.value) == (
        "zones.toml, entry 'nose', field 'depth_mm': unknown source id 'drpen-nett'; did you mean 'drpen-net'?"
    )


def test_number_without_unit_is_rejected(data_copy: Path) -> None:
    _edit(
        data_copy / "zones.toml",
        '[nose]\nname = "Nose"\nregion = "face"\ntreatments = ["microneedling"]\n'
        'area_cm2 = { value = 30, unit = "cm2",',
        '[nose]\nname = "Nose"\nregion = "face"\ntreatments = ["microneedling"]\narea_cm2 = { value = 30,',
    )
    with pytest.raises(EvidenceError, match=r"^zones\.toml, entry 'nose', field 'area_cm2\.unit': Field required$"):
        load_from(data_copy)


def test_wrong_unit_is_rejected(data_copy: Path) -> None:
    _edit(
        data_copy / "zones.toml",
        'depth_mm = { min = 0.13, max = 0.75, unit = "mm", sources = ["drpen-net", "mnbeforeafter"] }',
        'depth_mm = { min = 0.13, max = 0.75, unit = "cm", sources = ["drpen-net"] }',
    )
    with pytest.raises(
        EvidenceError, match=r"entry 'nose', field 'depth_mm': Value error, unit must be 'mm', got 'cm'"
    ):
        load_from(data_copy)


def test_inverted_range_is_rejected(data_copy: Path) -> None:
    _edit(data_copy / "indications.toml", "{ min = 3, max = 6, unit", "{ min = 6, max = 3, unit")
    with pytest.raises(EvidenceError) as err:
        load_from(data_copy)
    assert "indications.toml, entry 'acne_scars', field 'sessions'" in str(err.value)
    assert "inverted range: min 6.0 > max 3.0" in str(err.value)


def test_unknown_zone_id_is_rejected(data_copy: Path) -> None:
    _edit(
        data_copy / "indications.toml",
        'zones = ["abdomen", "flanks", "thighs"',
        'zones = ["abdomen", "flank", "thighs"',
    )
    with pytest.raises(
        EvidenceError, match=r"indications\.toml, entry 'striae'.*unknown zone id 'flank'; did you mean 'flanks'\?"
    ):
        load_from(data_copy)


def test_indication_depth_beyond_zone_range_is_rejected(data_copy: Path) -> None:
    _edit(
        data_copy / "indications.toml",
        'zones = ["periorbital"]\ndepth_mm = { min = 0.25, max = 0.5,',
        'zones = ["periorbital"]\ndepth_mm = { min = 0.25, max = 1.5,',
    )
    with pytest.raises(EvidenceError, match=r"1\.5 mm on 'periorbital' is outside the zone's 0\.13-0\.5 mm"):
        load_from(data_copy)


def test_home_rule_above_home_cap_is_rejected(data_copy: Path) -> None:
    _edit(
        data_copy / "indications.toml",
        'depth_mm = { min = 0.2, max = 0.3, unit = "mm", sources = ["carlypearce", "allure-marchbein", "drpen-uk"] }',
        'depth_mm = { min = 0.2, max = 0.5, unit = "mm", sources = ["drpen-uk"] }',
    )
    with pytest.raises(EvidenceError, match=r"home depth 0\.5 mm exceeds the home cap 0\.3 mm"):
        load_from(data_copy)


def test_unknown_key_is_rejected(data_copy: Path) -> None:
    _edit(
        data_copy / "devices.toml",
        "sterile = true\nneedles = { value = 14,",
        "sterile = true\nneedls = 14\nneedles = { value = 14,",
    )
    with pytest.raises(
        EvidenceError, match=r"devices\.toml, entry 'pen_14', field 'needls': Extra inputs are not permitted"
    ):
        load_from(data_copy)


def test_policy_override_is_applied_and_reported(ev: Evidence) -> None:
    strict = ev.with_policy({"home_depth_cap_mm": 0.25})
    assert strict.policy_value("home_depth_cap_mm") == 0.25
    assert strict.overridden()["home_depth_cap_mm"].overridden_from == 0.3
    assert ev.policy_value("home_depth_cap_mm") == 0.3  # the base is untouched
    assert ev.overridden() == {}


def test_policy_override_unknown_or_out_of_bounds(ev: Evidence) -> None:
    with pytest.raises(PolicyError, match=r"unknown policy 'home_depth_cap'; did you mean 'home_depth_cap_mm'\?"):
        ev.with_policy({"home_depth_cap": 0.2})
    with pytest.raises(PolicyError, match=r"'home_depth_cap_mm' = 1.5 mm is outside the allowed 0.1-1 mm"):
        ev.with_policy({"home_depth_cap_mm": 1.5})
    with pytest.raises(PolicyError, match="must be a number in days"):
        ev.with_policy({"isotretinoin_washout_days": "six months"})


def test_evidence_values_cannot_be_overridden(ev: Evidence) -> None:
    with pytest.raises(PolicyError, match="unknown policy 'passes_roller'"):
        ev.with_policy({"passes_roller": 5})


def _tables(node: Any, path: str) -> list[tuple[str, dict[str, Any]]]:
    """Every table (dict) in a raw TOML tree, with its path."""
    out: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        out.append((path, node))
        for key, value in node.items():
            out.extend(_tables(value, f"{path}.{key}"))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            out.extend(_tables(item, f"{path}[{i}]"))
    return out


def test_every_stand_in_for_a_missing_figure_says_why() -> None:
    """An estimate (``estimate = true``) carries a note; a policy default carries the published views."""
    estimates = policies = 0
    missing: list[str] = []
    for path in sorted(DATA_DIR.glob("*.toml")):
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        for where, table in _tables(raw, path.stem):
            if table.get("estimate") is True:
                estimates += 1
                if not str(table.get("note", "")).strip():
                    missing.append(f"{where}: estimate without a note")
        if path.stem == "policy":
            for key, item in raw.items():
                policies += 1
                if not str(item.get("published", "")).strip():
                    missing.append(f"policy.{key}: policy default without the published views")
    assert missing == []
    assert estimates > 40
    assert policies >= 9


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'adjacent = ["nose", "cheek", "chin_jawline"]\n\n[upper_lip]',
            'adjacent = ["nose", "cheek", "chin_jawline", "chek"]\n\n[upper_lip]',
            "zones.toml, entry 'perioral', field 'adjacent': unknown zone id 'chek'; did you mean 'cheek'?",
        ),
        (
            'adjacent = ["forehead", "periorbital"]',
            'adjacent = ["forehead", "periorbital", "nose"]',
            "zones.toml, entry 'eyebrows', field 'adjacent': 'nose' is listed, "
            "but 'nose' does not list 'eyebrows' back",
        ),
        (
            'adjacent = ["nose", "cheek", "chin_jawline"]\n\n[upper_lip]',
            'adjacent = ["nose", "cheek", "chin_jawline", "upper_lip"]\n\n[upper_lip]',
            "zones.toml, entry 'perioral', field 'adjacent': "
            "'upper_lip' is perioral's own part or whole, not a neighbour",
        ),
    ],
)
def test_zone_adjacency_is_checked(data_copy: Path, old: str, new: str, message: str) -> None:
    _edit(data_copy / "zones.toml", old, new)
    with pytest.raises(EvidenceError) as err:
        load_from(data_copy)
    assert str(err.value) == message


def test_every_catalog_device_offered_in_a_clinic_is_sterile_and_single_use(ev: Evidence) -> None:
    clinic = {k: (d.reuse, d.sterile) for k, d in ev.devices.items() if "clinic" in d.settings}
    assert set(clinic.values()) == {("single-use", True)}
    assert ev.devices["roller_192_020"].settings == ("home",)


def test_a_reusable_roller_listed_for_the_clinic_is_rejected_on_load(data_copy: Path) -> None:
    _edit(
        data_copy / "devices.toml",
        'kind = "roller"\nsettings = ["home"]',
        'kind = "roller"\nsettings = ["home", "clinic"]',
    )
    with pytest.raises(EvidenceError) as err:
        load_from(data_copy)
    assert str(err.value) == (
        "devices.toml, entry 'roller_192_020', field 'settings': 'clinic' takes only sterile single-use units "
        "(technique.toml, setting_devices), and this device is reusable, not sterile"
    )


def test_from_the_cache_each_topic_is_unpickled_when_first_read(tmp_path: Path) -> None:
    """A command that reads one topic (coverage) does not import the others' schema modules; what it
    reads is the validated data, the same object on every read, and the whole equals a fresh load."""
    code = (
        "import sys\n"
        "from pinpoint.evidence.loader import DATA_DIR, load_evidence, load_from\n"
        "ev = load_evidence()\n"
        "prefix = 'pinpoint.evidence.schema_'\n"
        "topics = lambda: sorted(m.removeprefix(prefix) for m in sys.modules if m.startswith(prefix))\n"
        "before = topics(); coverage = ev.extra['coverage']; after = topics()\n"
        "fresh = load_from(DATA_DIR)\n"
        "print(type(ev.extra).__name__, before, after, coverage is ev.extra['coverage'],"
        " sorted(ev.extra), ev == fresh, ev.extra['hair'] == fresh.extra['hair'])\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    env.pop("PINPOINT_NO_CACHE", None)
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert first.stdout.split()[0] == "dict"  # validated now, and written to the cache
    second = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert second.stdout.strip() == (
        "TopicData [] ['coverage'] True ['coverage', 'hair', 'interop', 'outcomes', 'photos'] True True"
    )


def test_topic_data_pickles_and_compares_as_its_topics(ev: Evidence) -> None:
    from pinpoint.evidence.loader import TopicData

    topics = TopicData.of(ev.extra)
    again = pickle.loads(pickle.dumps(topics))  # noqa: S301 - made just above
    assert dict(again) == dict(ev.extra) == dict(topics)
    assert again == ev.extra
    assert again.get("nothing") is None
    with pytest.raises(KeyError):
        again["nothing"]
