"""The load benchmark's "afresh" pages (``benchmarks/web_bench_urls.py``) compute the page each time, as
the first view after a write does: they drop the very key the page is kept under, for every role."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.urls import clear_url_caches

from tests.web.conftest import World, queries_of

URLS = Path(__file__).parents[2] / "benchmarks" / "web_bench_urls.py"


@pytest.fixture
def bench_urls(settings: Any) -> Iterator[ModuleType]:
    """The benchmark's URL map in place of the product's."""
    spec = importlib.util.spec_from_file_location("web_bench_urls", URLS)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["web_bench_urls"] = module
    spec.loader.exec_module(module)
    settings.ROOT_URLCONF = "web_bench_urls"
    clear_url_caches()
    yield module
    sys.modules.pop("web_bench_urls", None)
    clear_url_caches()


@pytest.mark.parametrize("who", ["practitioner", "owner"])
def test_the_afresh_pages_compute_what_the_kept_pages_keep(world: World, bench_urls: ModuleType, who: str) -> None:
    c = world.login(getattr(world, who))
    timeline, dashboard = f"/clients/{world.ada.pk}/", "/"
    timeline_afresh = "/" + bench_urls.TIMELINE_AFRESH_PATH.replace("<int:pk>", str(world.ada.pk))
    dashboard_afresh = "/" + bench_urls.DASHBOARD_AFRESH_PATH
    for url in (timeline, dashboard):
        c.get(url)  # the screenings kept in the process, as in a warmed-up server
    world.ada.notes = "Prefers mornings"  # a write: both pages are computed on their next view
    world.ada.save()
    computed = (queries_of(c, timeline), queries_of(c, dashboard))
    kept = (queries_of(c, timeline), queries_of(c, dashboard))
    assert kept == (7, 3)
    assert computed == (13, 11)
    # each afresh page reads, besides the page, what it needs to name the key it drops:
    # the client and the data version (timeline), the data version (dashboard)
    assert (queries_of(c, timeline_afresh), queries_of(c, dashboard_afresh)) == (15, 12)
    assert (queries_of(c, timeline_afresh), queries_of(c, dashboard_afresh)) == (15, 12)  # every time
    assert (queries_of(c, timeline), queries_of(c, dashboard)) == kept  # and the page is kept again
