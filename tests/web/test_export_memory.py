"""The full export streams: the zip writer's peak memory does not grow with the number of rows.

A course carries its plan (about 11 kB of JSON), so a fetch of 2,000 courses held tens of MB at
once and the peak grew with the organization until it had 2,000 courses. The clinic is exported
with 100 and then with 700 copies of a course added; Python's peak allocation (tracemalloc)
during the second export stays within 1 MB of the first, where reading all courses in one fetch
held 600 more plans at once (2.6 MB more on SQLite).
"""

from __future__ import annotations

import datetime as dt
import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from pinpoint.web.audit.models import Seal
from pinpoint.web.exports.archive import CHUNK, WIDE_CHUNK, chunk_size, write_zip
from pinpoint.web.treatments.models import Course, Session

NOW = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)
MARGIN = 1_000_000
"""Bytes the second peak may exceed the first by (600 more plans held at once: 2.6 MB on SQLite)."""


def _add_courses(template: Course, n: int) -> None:
    fields = {f.attname: getattr(template, f.attname) for f in Course._meta.concrete_fields if not f.primary_key}
    Course.objects.bulk_create([Course(**fields) for _ in range(n)])


def _peak(path: Path, org: Any) -> int:
    tracemalloc.start()
    try:
        write_zip(path, org, now=NOW)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_wide_tables_are_read_in_small_fetches() -> None:
    assert chunk_size(Course) == WIDE_CHUNK == 100  # its plan is JSON
    assert chunk_size(Session) == WIDE_CHUNK  # its notes, checklist and signed content
    assert chunk_size(Seal) == CHUNK == 2000  # ids, numbers and digests only


@pytest.mark.django_db
def test_zip_peak_memory_is_flat_as_courses_grow(world: Any, tmp_path: Path) -> None:
    template = Course.objects.get(pk=world.ada_course.pk)
    assert len(json.dumps(template.plan)) > 5_000  # plans are large rows
    write_zip(tmp_path / "warm.zip", world.clinic, now=NOW)  # imports and caches, outside the measure
    _add_courses(template, 100)
    small = _peak(tmp_path / "small.zip", world.clinic)
    _add_courses(template, 600)
    large = _peak(tmp_path / "large.zip", world.clinic)
    assert Course.objects.filter(organization=world.clinic).count() >= 700
    print(f"peaks {small} and {large} bytes")
    assert large - small < MARGIN, f"peak grew by {(large - small) / 1e6:.1f} MB for 600 more courses"
