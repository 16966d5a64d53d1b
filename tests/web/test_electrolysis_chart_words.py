"""The electrolysis chart's dates in people's words: '8 Feb', never '08 Feb', and the year wherever it changes."""

from __future__ import annotations

import re

from django.urls import reverse

from tests.web.conftest import World
from tests.web.test_electrolysis import _course


def test_the_charts_dates_are_days_and_months_with_the_year_where_it_changes(world: World) -> None:
    course = _course(world)
    url = reverse("electrolysis:chart", args=[course.pk, "upper_lip"])
    svg = world.login(world.assistant).get(url).content.decode()
    labels = re.findall(r'text-anchor="middle" fill="#333">([^<]+)</text>', svg)
    start = course.start_on
    assert labels[0] == f"{start.day} {start:%b} {start.year}"
    assert len(labels) >= 4
    year = start.year
    for label in labels[1:]:
        assert re.fullmatch(r"[1-9]\d? [A-Z][a-z]{2}(?: \d{4})?", label), label
        if len(label.split()) == 3:
            assert int(label.split()[2]) == year + 1, labels
            year += 1
