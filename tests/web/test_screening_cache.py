"""A screening is computed once per (answers, plan, date, evidence version, policy) in a process."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from pinpoint.web.clients import selectors
from pinpoint.web.clients.selectors import screening_for
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
    return seen


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
