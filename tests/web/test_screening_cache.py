"""A screening is computed once per (answers, plan, date, evidence version, policy) in a process."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from pinpoint.web.clients import selectors
from pinpoint.web.clients.selectors import screening_for, screenings_on
from pinpoint.web.treatments.selectors import course_plans, plan_ref
from tests.web.conftest import World


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Each answers parse that screening_for does (a cache hit does none)."""
    seen: list[Any] = []
    real = selectors.parse_answers

    def counting(raw: Any, evidence: Any) -> Any:
        seen.append(raw)
        return real(raw, evidence)

    monkeypatch.setattr(selectors, "parse_answers", counting)
    monkeypatch.setattr(selectors, "_screenings", type(selectors._screenings)())
    monkeypatch.setattr(selectors, "_plans", type(selectors._plans)())
    return seen


class Loads:
    """A plan loader that counts which plans it was asked for."""

    def __init__(self, actor: Any) -> None:
        self.asked: list[set[Any]] = []
        self.actor = actor

    def __call__(self, keys: Any) -> Any:
        self.asked.append(set(keys))
        return course_plans(self.actor, keys)


def test_the_same_screening_is_computed_once(world: World, parses: list[Any]) -> None:
    actor = world.actor(world.practitioner)
    session, course = world.today_session, world.ada_course
    key = (course.pk, course.created_at)
    first = screening_for(actor, world.ada, session.scheduled_on, course.plan_obj(), plan_key=key)
    again = screening_for(actor, world.ada, session.scheduled_on, course.plan_obj(), plan_key=key)
    assert len(parses) == 1
    assert again.screening is first.screening
    assert again.screening is not None and again.screening.verdict == first.screening.verdict  # type: ignore[union-attr]


def test_another_date_plan_or_policy_is_screened_afresh(world: World, parses: list[Any]) -> None:
    actor = world.actor(world.practitioner)
    session, course = world.today_session, world.ada_course
    key = (course.pk, course.created_at)
    on = session.scheduled_on
    screening_for(actor, world.ada, on, course.plan_obj(), plan_key=key)
    screening_for(actor, world.ada, on + dt.timedelta(days=1), course.plan_obj(), plan_key=key)
    screening_for(actor, world.ada, on, None)  # no plan: another screening
    screening_for(actor, world.ada, on, course.plan_obj())  # a plan without its key: never cached
    screening_for(actor, world.ada, on, course.plan_obj())
    assert len(parses) == 5
    world.clinic.policy_overrides = {"home_depth_cap_mm": 1.0}
    world.clinic.save(update_fields=["policy_overrides"])
    actor = world.actor(world.practitioner)
    screening_for(actor, world.ada, on, course.plan_obj(), plan_key=key)
    assert len(parses) == 6


def test_the_cache_is_bounded(world: World, parses: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selectors, "SCREENING_CACHE_SIZE", 3)
    actor = world.actor(world.practitioner)
    for day in range(5):
        screening_for(actor, world.ada, world.today + dt.timedelta(days=day), None)
    assert len(selectors._screenings) == 3


def test_a_named_plan_is_read_only_to_screen_afresh(world: World, parses: list[Any]) -> None:
    actor = world.actor(world.practitioner)
    course, on = world.ada_course, world.today_session.scheduled_on
    loads = Loads(actor)
    named = screening_for(actor, world.ada, on, plan_ref(course), load_plans=loads)
    again = screening_for(actor, world.ada, on, plan_ref(course), load_plans=loads)
    assert loads.asked == [{plan_ref(course).key}]
    assert len(parses) == 1
    assert again.screening is named.screening
    parsed = screening_for(actor, world.ada, on, course.plan_obj())  # the plan itself, never kept
    assert named.screening is not None and parsed.screening is not None
    assert named.screening.model_dump() == parsed.screening.model_dump()
    assert named.questionnaire == parsed.questionnaire == world.questionnaire


def test_many_screenings_read_each_plan_once_and_keep_each_screening(world: World, parses: list[Any]) -> None:
    actor = world.actor(world.practitioner)
    course, ref = world.ada_course, plan_ref(world.ada_course)
    days = [world.today + dt.timedelta(days=d) for d in (0, 0, 1, 2)]
    loads = Loads(actor)
    first = screenings_on(actor, [(world.ada.pk, d, ref) for d in days], loads)
    assert loads.asked == [{ref.key}]
    assert len(parses) == 3  # one a day: the same day twice is screened once
    assert [r.on for r in first] == days
    assert {r.questionnaire_id for r in first} == {world.questionnaire.pk}
    again = screenings_on(actor, [(world.ada.pk, d, ref) for d in days], loads)
    assert len(parses) == 3
    assert loads.asked == [{ref.key}]
    assert [r.screening for r in again] == [r.screening for r in first]
    later = screenings_on(actor, [(world.ada.pk, world.today + dt.timedelta(days=9), ref)], loads)
    assert len(parses) == 4  # a new day is screened afresh, from the plan kept
    assert loads.asked == [{ref.key}]
    assert later[0].screening is not None
    expected = screening_for(actor, world.ada, days[2], course.plan_obj())  # what the plan itself screens
    assert first[2].screening is not None and expected.screening is not None
    assert first[2].screening.model_dump() == expected.screening.model_dump()


def test_many_screenings_say_when_no_questionnaire_was_taken(world: World, parses: list[Any]) -> None:
    actor = world.actor(world.practitioner)
    ref = plan_ref(world.ada_course)
    before = world.questionnaire.taken_on - dt.timedelta(days=1)
    (result,) = screenings_on(actor, [(world.ada.pk, before, ref)], Loads(actor))
    assert (result.screening, result.questionnaire_id) == (None, None)
    assert result.error == "no microneedling questionnaire taken by this date"
    assert parses == []
