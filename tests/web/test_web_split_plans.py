"""The web books one visit per session: a plan core splits into visits (or a zone into parts) is refused
beside the zones, in people's words, and nothing is saved."""

from __future__ import annotations

import datetime as dt

import pytest

from pinpoint.core.errors import InputError
from pinpoint.web.treatments.actions import CourseData, create_course
from pinpoint.web.treatments.models import Course
from tests.web.conftest import World


def test_a_zone_needled_in_parts_is_refused_with_its_parts(world: World) -> None:
    before = Course.objects.count()
    data = CourseData(
        indication="striae",
        zones=("thighs", "flanks"),
        setting="clinic",
        start_on=world.today + dt.timedelta(days=30),
    )
    with pytest.raises(InputError) as exc:
        create_course(world.actor(world.practitioner), world.ada, data)
    assert (exc.value.field, exc.value.message) == (
        "zones",
        "each session of this plan needs 5 visits to keep the anaesthetic within its label (Thighs, part 1 of 4 "
        "(about 893 cm²); Thighs, part 2 of 4 (about 893 cm²); Thighs, part 3 of 4 (about 893 cm²); Thighs, part 4 "
        "of 4 (about 893 cm²); Flanks): the web app books one visit per session, so plan each visit's zones as "
        "their own course; a zone needled in parts on separate visits cannot be booked here yet",
    )
    assert Course.objects.count() == before
