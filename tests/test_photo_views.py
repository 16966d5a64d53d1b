"""Standard photo views (photos.toml) and core.photos: which views a zone gets, and what compares with what."""

from __future__ import annotations

import pytest

from pinpoint.core.errors import InputError, RefusedError, UnknownIdError
from pinpoint.core.photos import compare_key, photo_set, photo_sets, protocol, standard_view
from pinpoint.evidence.loader import load_evidence

FACE = ["frontal", "oblique_left", "oblique_right", "lateral_left", "lateral_right"]


def test_face_views_are_frontal_both_obliques_and_both_profiles() -> None:
    ev = load_evidence()
    s = photo_set(ev, "cheek", "microneedling")
    assert s.series == "face"
    assert [v.id for v in s.views] == FACE
    assert [v.angle_degrees for v in s.views] == [0.0, 45.0, 45.0, 90.0, 90.0]
    names = ["Front", "Left three-quarter", "Right three-quarter", "Left profile", "Right profile"]
    assert [v.name for v in s.views] == names


def test_oblique_angle_is_the_policy_in_force_with_its_sources() -> None:
    ev = load_evidence().with_policy({"photo_oblique_degrees": 30})
    v = standard_view(ev, "oblique_left")
    assert v.angle_degrees == 30.0
    assert "asps-photo-standards" in v.sources


def test_a_session_takes_a_shared_series_once_and_each_close_up_apart() -> None:
    ev = load_evidence()
    sets = photo_sets(ev, ["cheek", "forehead", "abdomen", "upper_arms", "hands"], "microneedling")
    assert [(s.series, s.zone, s.zones) for s in sets] == [
        ("face", "cheek", ("cheek", "forehead")),
        ("body", "abdomen", ("abdomen",)),
        ("limb_close_up", "upper_arms", ("upper_arms",)),
        ("limb_close_up", "hands", ("hands",)),
    ]
    assert len(sets[1].views) == 8
    assert [v.angle_degrees for v in sets[1].views] == [0, 45, 90, 135, 180, 225, 270, 315]


def test_hair_removal_sites_are_close_ups_compared_zone_by_zone() -> None:
    ev = load_evidence()
    s = photo_set(ev, "chin_jawline", "electrolysis")
    assert (s.series, [v.id for v in s.views], s.name) == ("hair_site", ["close_up"], "Marked area: Chin and jawline")
    chin = compare_key(ev, "hair_site", "close_up", "chin_jawline")
    assert chin != compare_key(ev, "hair_site", "close_up", "upper_lip")
    assert compare_key(ev, "face", "frontal", "cheek") == compare_key(ev, "face", "frontal", "full_face")


def test_every_zone_has_views_for_each_of_its_treatments() -> None:
    ev = load_evidence()
    for zid, zone in ev.zones.items():
        for t in zone.treatments:
            assert photo_set(ev, zid, t).views, (zid, t)


def test_bad_zone_view_and_unserved_pair_name_the_field() -> None:
    ev = load_evidence()
    with pytest.raises(UnknownIdError) as unknown:
        photo_set(ev, "chek", "microneedling")
    assert (unknown.value.field, str(unknown.value)) == ("zone", "unknown zone 'chek'; did you mean 'cheek'?")
    with pytest.raises(RefusedError) as refused:
        photo_set(ev, "upper_lip", "microneedling")
    assert refused.value.field == "zone"
    assert str(refused.value) == "no standard photo views are known for Upper lip in microneedling"
    with pytest.raises(InputError) as view:
        photo_set(ev, "cheek", "microneedling").view("top")
    assert view.value.field == "view"
    assert str(view.value).startswith("'top' is not a standard view here; take one of: Front (frontal), ")


def test_protocol_id_and_version() -> None:
    assert protocol(load_evidence()) == ("pinpoint-standard-views", "1")
