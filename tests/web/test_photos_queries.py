"""The photo timeline and the comparison page cost the same number of queries however many photos a client has."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pinpoint.web.photos.actions import PhotoInput, take_photo
from pinpoint.web.photos.demo import drawn_face
from pinpoint.web.photos.models import Photo
from tests.web.conftest import World

TIMELINE_QUERIES = 9
COMPARE_QUERIES = 8


def _more_photos(w: World, days: range) -> None:
    """Diary photos of every face view on each of ``days`` days before today."""
    actor = w.actor(w.practitioner)
    for d in days:
        on = w.today - dt.timedelta(days=d)
        for view in ("frontal", "oblique_left", "oblique_right", "lateral_left", "lateral_right"):
            data = PhotoInput(course=w.ada_course, zone="forehead", view=view, taken_on=on)
            take_photo(actor, data, io.BytesIO(drawn_face(view, 3, seed=d)))


def _count(get: Callable[[], int]) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        status = get()
    assert status == 200
    return len(ctx.captured_queries), status


def test_timeline_and_comparison_queries_do_not_grow_with_photos(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = world.login(world.practitioner)
    timeline = reverse("photos:client", args=[world.ada.pk])
    compare = reverse("photos:compare", args=[world.ada.pk]) + "?series=face&view=frontal&zone="
    client.get(timeline)  # the first request of a test signs in and warms the caches
    few = (_count(lambda: client.get(timeline).status_code)[0], _count(lambda: client.get(compare).status_code)[0])
    with django_capture_on_commit_callbacks(execute=True):  # committed, as outside a test: no file left pending
        _more_photos(world, range(3, 30, 3))
    assert Photo.objects.filter(client=world.ada).count() == 10 + 9 * 5
    many = (_count(lambda: client.get(timeline).status_code)[0], _count(lambda: client.get(compare).status_code)[0])
    assert few == many == (TIMELINE_QUERIES, COMPARE_QUERIES)
    body = client.get(compare).content.decode()
    assert body.count("<figure>") == 11  # the side-by-side row: one photo per date
