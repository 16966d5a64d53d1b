"""The electrolysis story in chromium against a real ``pinpoint serve``: a practitioner plans an upper-lip
course for Hedy Lamarr from a window count, runs and signs two sessions with their counts (the first
on the course's first day, recorded afterwards), and sees the forecast learn from them: no fit after
one count, a fit and new 80 % and 95 % dates after the second. Every page is saved at 1280×800 and
390×844 to var/screenshots/ (never wider than the phone).
"""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from pinpoint.evidence import load_evidence
from pinpoint.web.demo import DEMO_PASSWORD, LOGINS
from tests.browser.conftest import Server
from tests.browser.pages import answer_questionnaire, form_date, phone_shot, shot, sign_in

pytestmark = pytest.mark.browser

PRACTITIONER = LOGINS[1]
# what each session records on the upper lip: the window's count and what was done
SESSIONS = (
    {"hairs_seen": "30", "insertions": "120", "hairs_removed": "115", "minutes": "25"},
    {"hairs_seen": "10", "insertions": "60", "hairs_removed": "58", "minutes": "15"},
    {"hairs_seen": "6", "insertions": "40", "hairs_removed": "40", "minutes": "10"},
)


IMAGES_LOADED = "[...document.images].every(i => i.complete && i.naturalWidth > 0)"


def _images(page: Any, seconds: float = 10.0) -> None:
    """Every image (the charts) loaded; polled here, as the Content-Security-Policy forbids wait_for_function."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(IMAGES_LOADED):
        assert time.monotonic() < deadline, f"images of {page.url} did not load within {seconds:.0f} s"
        time.sleep(0.05)


def _both(context: Any, page: Any, folder: Path, name: str) -> None:
    _images(page)
    shot(page, folder, f"electrolysis_{name}")
    phone_shot(context, page.url, folder, f"phone_electrolysis_{name}")


def _run_session(
    context: Any, page: Any, folder: Path, on: dt.date, values: dict[str, str], n: int, prefix: str = ""
) -> None:
    page.locator("#id_on").fill(on.isoformat())
    page.locator("#el-start").click()
    expect(page.locator("h1")).to_contain_text(f"Electrolysis session {n}: ")
    p = "#id_area-upper_lip-"
    page.locator(p + "probe_type").select_option("insulated")
    page.locator(p + "probe_size").select_option("F3")
    page.locator(p + "current_ma").fill("0.4")
    if page.locator(p + "intensity_w").count():
        page.locator(p + "intensity_w").fill("1.5")
    page.locator(p + "seconds_per_insertion").fill(values.get("seconds", "8"))
    for field in ("insertions", "hairs_removed", "minutes", "hairs_seen"):
        page.locator(p + field).fill(values[field])
    page.locator(p + "window_cm2").fill("4")
    page.locator(p + "reaction").select_option("erythema")
    page.locator(p + "aftercare_given").check()
    page.locator("#save-upper_lip").click()
    expect(page.locator("#area-upper_lip .badge")).to_have_text("recorded")
    if n == 1:
        _both(context, page, folder, f"{prefix}runner")
    page.locator("#id_confirm").check()
    page.locator("#sign").click()
    expect(page.locator("body")).to_contain_text("Seal verified")
    if n == 1:
        _both(context, page, folder, f"{prefix}record")
    page.get_by_role("link", name="the course").first.click()


def test_electrolysis_story(server: Server, open_browser: Any, shots_dir: Path) -> None:
    """Plan an upper-lip course, run and sign two counted sessions, see the re-forecast change."""
    ((hedy,),) = server.query("SELECT id FROM clients_client WHERE full_name = 'Hedy Lamarr'")
    context = open_browser("UTC")
    page = context.new_page()
    sign_in(page, server.url, PRACTITIONER[0], DEMO_PASSWORD)

    page.goto(f"{server.url}/electrolysis/clients/{hedy}/courses/new/")
    today = form_date(page, "id_start_on")
    start = today - dt.timedelta(days=14)
    page.locator("input[name=areas][value=upper_lip]").check()
    page.locator("#id_modality").select_option("blend")
    page.locator("#id_start_on").fill(start.isoformat())
    page.locator("input[name=count_kind][value=window]").check()
    page.locator("#id_window_cm2").fill("4")
    page.locator("#id_hairs_seen").fill("30")
    _both(context, page, shots_dir, "plan")
    page.locator("#el-course-create").click()
    expect(page.locator("h1")).to_contain_text("Electrolysis, Blend")
    course = int(re.search(r"/electrolysis/courses/(\d+)/", page.url)[1])  # type: ignore[index]
    expect(page.locator("#el-fit-upper_lip")).to_contain_text("needs at least two counted sessions")
    planned = page.locator("#el-plan-upper_lip").inner_text()
    _both(context, page, shots_dir, "course_planned")

    _run_session(context, page, shots_dir, start, SESSIONS[0], 1)
    expect(page.locator("#el-fit-upper_lip")).to_contain_text("The fit needs at least two counted sessions")
    expect(page.locator("#el-reforecast-upper_lip")).to_have_count(0)

    _run_session(context, page, shots_dir, start + dt.timedelta(days=7), SESSIONS[1], 2)
    expect(page.locator("#el-fit-upper_lip")).to_contain_text("Fitted to 2 counted sessions")
    again = page.locator("#el-reforecast-upper_lip").inner_text()
    assert re.search(r"80 % cleared: \d{1,2} \w{3} \d{4}", again), again
    assert re.search(r"95 % cleared: \d{1,2} \w{3} \d{4}", again), again
    assert page.locator("#el-plan-upper_lip").inner_text() == planned  # the plan stays; the re-forecast is new
    assert page.locator("#el-counts-upper_lip tbody tr").count() == 2
    assert page.locator("#el-hours-upper_lip tbody tr").count() == 2
    _both(context, page, shots_dir, "course_learned")

    # A third counted session moves the re-forecast again.
    _run_session(context, page, shots_dir, start + dt.timedelta(days=14), SESSIONS[2], 3)
    expect(page.locator("#el-fit-upper_lip")).to_contain_text("Fitted to 3 counted sessions")
    assert page.locator("#el-reforecast-upper_lip").inner_text() != again

    rows = server.query(
        "SELECT number, performed_on, status FROM electrolysis_session WHERE course_id = ? ORDER BY number", course
    )
    assert rows == [(n + 1, (start + dt.timedelta(days=7 * n)).isoformat(), "signed") for n in range(3)]
    counts = server.query(
        "SELECT a.hairs_seen, a.window_cm2 FROM electrolysis_arearecord a JOIN electrolysis_session s"
        " ON s.id = a.session_id WHERE s.course_id = ? ORDER BY s.number",
        course,
    )
    assert counts == [(30, 4.0), (10, 4.0), (6, 4.0)]


# What a page may not say to a person tracking their own hair removal (the people's-words crawler's rule).
CLINIC_WORDS = re.compile(r"\bclients?\b|\bAudit\b|Aftercare to hand over|Aftercare to give", re.IGNORECASE)


def test_home_electrolysis_story(server: Server, open_browser: Any, shots_dir: Path) -> None:
    """A person with a home device: personal space, the electrolysis questionnaire, a galvanic upper-lip course
    from an estimate by eye, two sessions logged with their counts, the forecast fitted; no clinic words."""
    evidence = load_evidence()
    context = open_browser("UTC")
    page = context.new_page()
    base = server.url
    email = f"nora-{time.time_ns()}@example.org"
    page.goto(base + "/accounts/login/")
    page.get_by_role("link", name="Create a personal space").click()
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Email me the link").click()
    page.goto(server.mail_link(email, "/accounts/signup/"))
    page.get_by_label("Your name").fill("Nora Home")
    page.locator("#id_password1").fill("correct horse battery")
    page.locator("#id_password2").fill("correct horse battery")
    page.get_by_label("Your date of birth").fill("1990-06-02")
    page.get_by_role("button", name="Create").click()
    expect(page).to_have_url(base + "/")
    seen: dict[str, str] = {}

    # The dashboard offers electrolysis; planning before the questionnaire says what to do, in her words.
    expect(page.locator("#step-electrolysis")).to_contain_text("home electrolysis device")
    page.locator("#step-electrolysis-plan").click()
    expect(page.locator("#no-questionnaire")).to_contain_text("Take the electrolysis questionnaire first")
    plan_url = page.url
    page.locator("input[name=areas][value=upper_lip]").check()
    page.locator("#el-course-create").click()
    expect(page.locator("main")).to_contain_text("answer your electrolysis questionnaire before planning a course")
    seen["refused"] = page.locator("main").inner_text()

    page.locator("#no-questionnaire a").click()
    page.locator("#id_treatment").select_option("electrolysis")
    answer_questionnaire(page, evidence, ("upper_lip",), skin_type=2)
    page.get_by_role("button", name="Save questionnaire").click()

    page.goto(plan_url)
    today = form_date(page, "id_start_on")
    start = today - dt.timedelta(days=7)
    page.locator("input[name=areas][value=upper_lip]").check()
    page.locator("#id_modality").select_option("galvanic")
    page.locator("#id_start_on").fill(start.isoformat())
    page.locator("input[name=count_kind][value=estimate]").check()
    page.locator("#id_hairs_estimate").fill("400")
    page.locator("#id_uncertainty_percent").fill("30")
    seen["plan"] = page.locator("main").inner_text()
    _both(context, page, shots_dir, "home_plan")
    page.locator("#el-course-create").click()
    expect(page.locator("h1")).to_contain_text("Electrolysis, Galvanic")
    expect(page.locator("h1")).to_contain_text("Nora Home")
    home = {"insertions": "80", "hairs_removed": "80", "minutes": "20", "seconds": "15"}
    _run_session(context, page, shots_dir, start, home | {"hairs_seen": "16"}, 1, prefix="home_")
    seen["course_one"] = page.locator("main").inner_text()
    _run_session(context, page, shots_dir, today, home | {"hairs_seen": "5"}, 2, prefix="home_")
    expect(page.locator("#el-fit-upper_lip")).to_contain_text("Fitted to 2 counted sessions")
    expect(page.locator("#el-reforecast-upper_lip")).to_contain_text("95 % cleared")
    assert page.locator("#el-hours-upper_lip tbody tr").count() == 2
    seen["course"] = page.locator("main").inner_text()
    _both(context, page, shots_dir, "home_course")
    page.locator("#el-session-link-2").click()
    seen["record"] = page.locator("main").inner_text()
    page.get_by_role("link", name="My treatment").click()
    seen["dashboard"] = page.locator("main").inner_text()
    for name, text in seen.items():
        assert not CLINIC_WORDS.search(text), f"{name}: {CLINIC_WORDS.search(text)!r} in {text[:2000]}"
