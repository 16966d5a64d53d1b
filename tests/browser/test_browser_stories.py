"""The two stories of the web app, end to end in chromium against a real ``pinpoint serve``.

Clinic: sign in, new client, questionnaire, consent, plan a course, book, run the session with
the anaesthetic countdown, sign, see the signed record. Home: create a personal space, answer
the questionnaire, plan (never deeper than the home cap), run a session, the roller's use counted.
The values the pages must show are worked out here from the evidence base and core, never read
back from the page under test. Each main page is saved to var/screenshots/
(docs/screenshots/ with ``make screenshots``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from pinpoint.core.answers import parse_answers
from pinpoint.core.errors import PinpointError
from pinpoint.core.guide import guide_for_plan
from pinpoint.core.planning import Plan, plan
from pinpoint.core.records import check_zone_record
from pinpoint.core.screening import screen
from pinpoint.evidence import Evidence, load_evidence
from pinpoint.web.demo import DEMO_PASSWORD, LOGINS
from tests.browser.conftest import Server
from tests.browser.pages import (
    answer_questionnaire,
    cells,
    countdown_seconds,
    day,
    form_date,
    phone_shot,
    shot,
    sign_in,
    span,
)
from tests.conftest import SAFE_ANSWERS

pytestmark = pytest.mark.browser

OWNER, PRACTITIONER = LOGINS[0], LOGINS[1]


@pytest.fixture(scope="module")
def evidence() -> Evidence:
    """The packaged evidence base (the demo organizations override no policy)."""
    return load_evidence()


def open_zone(page: Page, zone: str) -> Any:
    """The runner's card of ``zone``, opened (the runner shows one zone at a time)."""
    section = page.locator(f"#zone-{zone}")
    if section.get_attribute("open") is None:
        section.locator("summary").click()
    expect(section).to_have_attribute("open", "")
    return section


def tick_all(section: Any) -> None:
    """Tick every step box in ``section`` of the runner."""
    for box in section.locator("input[name=checklist]").all():
        box.check()


def ordered(evidence: Evidence, zones: tuple[str, ...]) -> tuple[str, ...]:
    """Zones in the order the forms list them (the evidence base's order)."""
    order = list(evidence.zones)
    return tuple(sorted(zones, key=order.index))


def refused(evidence: Evidence, course_plan: Plan, zone: str, depth_mm: float, passes: int, device: str) -> str:
    """Core's message refusing ``depth_mm`` on ``zone``: what the runner must show beside the field."""
    with pytest.raises(PinpointError) as err:
        check_zone_record(evidence, course_plan, zone, depth_mm=depth_mm, passes=passes, device=device)
    return err.value.message


def check_plan_table(page: Page, root: str, expected: Plan, evidence: Evidence) -> None:
    """The plan table and schedule on the page are core's plan, zone by zone (by name) and date by date."""
    rows = cells(page, f"{root} #plan-zones tbody tr")
    assert [r[:5] for r in rows] == [
        [
            evidence.zones[z.zone].name,
            span(z.depth_mm.min, z.depth_mm.max, "mm"),
            span(z.passes.min, z.passes.max),
            span(z.interval_days.min, z.interval_days.max, "days"),
            span(z.sessions.min, z.sessions.max),
        ]
        for z in expected.zones
    ]
    schedule = " · ".join(f"{s.session}: {day(s.date)}" for s in expected.schedule)
    expect(page.locator(f"{root} #plan-schedule")).to_have_text(schedule)


# --------------------------------------------------------------------------------------------------
# The clinic
# --------------------------------------------------------------------------------------------------


def test_clinic_story(server: Server, open_browser: Any, shots_dir: Path, evidence: Evidence) -> None:
    """A practitioner registers a client and takes her from questionnaire to a signed, verified session."""
    context = open_browser("UTC")
    page = context.new_page()
    base = server.url

    page.goto(base + "/accounts/login/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    shot(page, shots_dir, "sign_in")
    phone_shot(context, base + "/accounts/login/", shots_dir, "phone_sign_in")

    # Dashboard of the demo clinic: Grace's session today is flagged by her new anticoagulant.
    sign_in(page, base, PRACTITIONER[0], DEMO_PASSWORD)
    expect(page.locator("#today-sessions")).to_contain_text("Grace Hopper: session 1")
    grace = parse_answers(SAFE_ANSWERS | {"birth_date": "1976-12-09", "anticoagulants": True}, evidence)
    clinic_today = dt.datetime.now(dt.UTC).date()  # the demo clinic's time zone is UTC
    grace_screening = screen(grace, clinic_today, evidence)
    alert = page.locator("#screening-alerts p", has_text="Grace Hopper, session 1")
    expect(alert.locator(".verdict")).to_have_text(grace_screening.verdict)
    expect(alert).to_contain_text(grace_screening.findings[0].message)
    shot(page, shots_dir, "dashboard")

    # New client.
    page.get_by_role("link", name="Clients", exact=True).click()
    expect(page.get_by_role("heading", name="Clients")).to_be_visible()
    shot(page, shots_dir, "clients")
    page.get_by_role("link", name="New client").click()
    page.get_by_label("Full name").fill("Rosalind Franklin")
    page.get_by_label("Date of birth").fill("1980-07-25")
    page.get_by_label("Email").fill("rosalind@example.org")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#client-name")).to_have_text("Rosalind Franklin")
    expect(page.locator("#screening-today #screening-verdict")).to_have_text("no screening")
    client_url = page.url

    # Questionnaire: nothing to report, forehead and cheeks, type III; screened by core.
    zones = ordered(evidence, ("cheek", "forehead"))
    page.get_by_role("link", name="New questionnaire").click()
    today = form_date(page, "id_taken_on")
    expect(page.locator("#id_setting")).to_have_value("clinic")
    expect(page.locator("#id_birth_date")).to_have_value("1980-07-25")
    answer_questionnaire(page, evidence, zones, skin_type=3)
    shot(page, shots_dir, "questionnaire")
    page.get_by_role("button", name="Save questionnaire").click()
    answers = SAFE_ANSWERS | {"zones": list(zones), "birth_date": "1980-07-25", "skin_type": "III"}
    screening = screen(parse_answers(answers, evidence), today, evidence)
    expect(page.locator("#screening #screening-verdict")).to_have_text(screening.verdict)
    assert screening.verdict == "proceed"
    expect(page.locator("#screening")).to_contain_text("No finding.")
    expect(page.locator("#answers")).to_contain_text("anticoagulants")
    shot(page, shots_dir, "questionnaire_screening")

    # Consent: the template's text, a typed name, photo consents as two separate answers.
    page.goto(client_url)
    page.get_by_role("link", name="Sign consent").click()
    title = page.locator("#consent-title").inner_text().split(" (version ")[0]
    text = page.locator("#consent-text").inner_text()
    page.get_by_label("Signer's full name, typed").fill("Rosalind Franklin")
    page.locator("#id_photo_clinical").get_by_label("Yes").check()
    page.locator("#id_photo_marketing").get_by_label("No").check()
    page.get_by_label("I have read the text above").check()
    shot(page, shots_dir, "consent_signing")
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.locator("#consent-text")).to_have_text(text)
    expect(page.locator("#photo-clinical")).to_have_text("yes")
    expect(page.locator("#photo-marketing")).to_have_text("no")
    expect(page.locator("#consent-signature")).to_contain_text("Rosalind Franklin (The client)")

    # Course: core's plan for acne scars with the 14-needle pen, previewed, then created.
    page.goto(client_url)
    page.get_by_role("link", name="Plan a course").click()
    expect(page.locator("#id_start_on")).to_have_value(today.isoformat())
    page.get_by_label("Indication").select_option("acne_scars")
    page.get_by_label("Device").select_option("pen_14")
    page.get_by_role("button", name="Preview the plan").click()
    expected = plan(
        evidence, "acne_scars", zones, "clinic", device="pen_14", start=today, answers=parse_answers(answers, evidence)
    )
    check_plan_table(page, "#plan-preview-result", expected, evidence)
    expect(page.locator("#plan-zones td.num").first).to_have_css("white-space", "nowrap")
    shot(page, shots_dir, "course_planning")
    page.get_by_role("button", name="Create this course").click()
    expect(page.locator("#sessions")).to_have_count(0)
    check_plan_table(page, "main", expected, evidence)

    # Book the sessions on the plan's dates; a second click books nothing more (the button goes).
    page.get_by_role("button", name="Book the sessions on the plan's dates").click()
    booked = cells(page, "#sessions tbody tr")
    assert booked == [[str(s.session), day(s.date), "Booked"] for s in expected.schedule]
    expect(page.locator("#book-sessions")).to_have_count(0)
    shot(page, shots_dir, "course_booked")

    # The session page: screening on the session date, consent in force, start allowed.
    page.locator("#session-link-1").click()
    session_url = page.url
    expect(page.locator("#session-screening #screening-verdict")).to_have_text("proceed")
    expect(page.locator("#consent-ok")).to_have_text("yes, v1")
    expect(page.locator("#session-start")).to_contain_text("Screening and consent allow the session today.")
    shot(page, shots_dir, "session_start")
    page.get_by_role("button", name="Start the session").click()
    expect(page).to_have_url(session_url + "run/")

    # The runner: the guide's steps as a checklist, then the anaesthetic countdown.
    guide = guide_for_plan(evidence, expected)
    expect(page.locator("#runner-form .steps li label")).to_have_text([s.title for s in guide.steps])
    numbing = next(s for s in guide.steps if s.kind == "anaesthetic-apply")
    assert numbing.minutes is not None
    page.clock.install()  # real time keeps flowing; lets the test jump to the end of the countdown
    page.get_by_role("button", name="Anaesthetic applied: start the countdown").click()
    timer = page.locator("#anaesthetic-countdown")
    expect(timer).to_have_text(re.compile(r"^\d\d:\d\d$"))
    shown = timer.inner_text()
    first = countdown_seconds(shown)
    full = round(numbing.minutes.min * 60)
    assert full - 15 <= first <= full, f"countdown starts at {first} s, the anaesthetic needs {full} s"
    expect(timer).not_to_have_text(shown)  # it ticks
    later = countdown_seconds(timer.inner_text())
    assert 1 <= first - later <= 5, f"countdown went from {first} s to {later} s"
    shot(page, shots_dir, "session_runner")
    phone_shot(context, page.url, shots_dir, "phone_session_runner")
    page.clock.fast_forward(full * 1000)
    expect(timer).to_have_text("time: wipe it off completely")

    # Per-zone record: a depth outside the zone's range is refused beside the field, with core's reason.
    depths = {z.zone: z.depth_mm.min for z in expected.zones}
    passes = {z.zone: int(z.passes.min) for z in expected.zones}
    too_deep = evidence.zones["cheek"].depth_mm.max + 0.5  # type: ignore[union-attr]
    for zone in zones:
        section = open_zone(page, zone)
        section.get_by_label("Needle depth (mm)").fill(f"{too_deep if zone == 'cheek' else depths[zone]:g}")
        section.get_by_role("spinbutton", name="Passes").fill(str(passes[zone]))
        section.get_by_label("Endpoint reached").check()
        tick_all(section)
    tick_all(page.locator("#checklist"))
    tick_all(page.locator("#after-steps"))
    page.locator("textarea[name=notes]").fill("Tolerated well.")
    # signed seconds after the anaesthetic went on (the test's clock jumped, the server's did not)
    page.get_by_label("Needled before the anaesthetic was ready").check()
    page.get_by_label("I confirm this record is complete and accurate").check()
    page.get_by_role("button", name="Sign the session").click()
    expect(page.locator("#zone-cheek .errorlist")).to_have_text(
        refused(evidence, expected, "cheek", too_deep, passes["cheek"], "pen_14")
    )
    assert server.query("SELECT status FROM treatments_session WHERE id = ?", int(session_url.split("/")[-2])) == [
        ("in_progress",)
    ]
    expect(page.get_by_label("I confirm this record is complete and accurate")).to_be_checked()
    unit_id = page.locator("#id_cheek-device_unit").input_value()
    [(unit_label, lot)] = server.query("SELECT label, lot_number FROM devices_deviceunit WHERE id = ?", int(unit_id))

    # Corrected and signed.
    page.locator("#zone-cheek").get_by_label("Needle depth (mm)").fill(f"{depths['cheek']:g}")
    page.get_by_label("I confirm this record is complete and accurate").check()
    page.get_by_role("button", name="Sign the session").click()
    expect(page).to_have_url(session_url)

    # The signed record: the hash shown is the SHA-256 of the content stored at signing, and verified.
    expect(page.locator("#session-status")).to_have_text("Signed")
    expect(page.locator("#hash-ok")).to_have_text("Seal verified: this record is exactly as it was signed.")
    session_id = int(session_url.split("/")[-2])
    [(content, stored_hash)] = server.query(
        "SELECT signed_content, content_hash FROM treatments_session WHERE id = ?", session_id
    )
    assert hashlib.sha256(content.encode("utf-8")).hexdigest() == stored_hash
    expect(page.locator(".hash")).to_have_text(f"SHA-256 {stored_hash}")
    signed = json.loads(content)
    assert [(z["zone"], z["depth_mm"], z["passes"]) for z in signed["zones"]] == sorted(
        (z, f"{depths[z]:.2f}", passes[z]) for z in zones
    )
    # every step ticked but the photo step, which is done by taking the photos (this story takes none)
    assert signed["checklist"] == [i for i, step in enumerate(guide.steps) if step.kind != "photo"]
    records = cells(page, "#zone-records tbody tr")
    pen = evidence.devices["pen_14"].name
    assert [r[:7] for r in records] == [
        [evidence.zones[z].name, "yes", f"{pen} ({unit_label})", lot, f"{depths[z]:.2f} mm", str(passes[z]), "reached"]
        for z in zones
    ]
    expect(page.locator("#signed-record")).to_contain_text(f"Signed by {PRACTITIONER[1]}")
    expect(page.locator("#signed-record")).to_contain_text("Notes: Tolerated well.")
    shot(page, shots_dir, "signed_record")
    phone_shot(context, page.url, shots_dir, "phone_signed_record")

    # The client's timeline has it all; the next session is the plan's second date.
    page.goto(client_url)
    rows = cells(page, "#timeline tbody tr")
    names = ", ".join(evidence.zones[z].name for z in zones)
    assert sorted(map(tuple, rows)) == sorted(
        [
            (day(today), "Questionnaire", f"microneedling, {names} by {PRACTITIONER[1]}"),
            (day(today), "Consent signed", f"{title} v1 by Rosalind Franklin"),
            (day(today), "Course", f"Atrophic acne scars (clinic) on {names}"),
            (day(today), "Session 1", f"Signed by {PRACTITIONER[1]}"),
            *((day(s.date), f"Session {s.session}", "Booked") for s in expected.schedule[1:]),
        ]
    )
    expect(page.locator("#screening-next h2")).to_have_text(f"Next session: {day(expected.schedule[1].date)}")
    shot(page, shots_dir, "client_timeline")

    # The client list finds her, with that next session; the dashboard no longer lists her for today.
    page.get_by_role("link", name="Clients", exact=True).click()
    page.get_by_label("Search by name, email or phone").fill("rosalind")
    page.get_by_role("button", name="Search").click()
    assert cells(page, "#client-table tbody tr") == [
        ["Rosalind Franklin", day(dt.date(1980, 7, 25)), "rosalind@example.org", day(expected.schedule[1].date)]
    ]
    page.get_by_role("link", name="Dashboard").click()
    expect(page.locator("#today-sessions")).not_to_contain_text("Rosalind Franklin")


def test_organization_settings(server: Server, open_browser: Any, shots_dir: Path, evidence: Evidence) -> None:
    """The owner sees the clinic's settings: users and roles, consent templates, policy overrides."""
    page = open_browser("UTC").new_page()
    sign_in(page, server.url, OWNER[0], DEMO_PASSWORD)
    page.get_by_role("link", name="Settings").click()
    expect(page.locator("#id_name")).to_have_value("Demo Clinic")
    expect(page.locator("#id_time_zone")).to_have_value("UTC")
    shot(page, shots_dir, "settings")

    page.get_by_role("link", name="Users and roles").click()
    for email, name, role in LOGINS:
        row = page.locator("tr", has_text=email)
        expect(row).to_contain_text(name)
        expect(row).to_contain_text(role.title())
    shot(page, shots_dir, "settings_members")

    page.get_by_role("link", name="Consent templates").click()
    expect(page.locator("main")).to_contain_text("Consent to microneedling")
    expect(page.locator("main")).to_contain_text("Consent to needle electrolysis")
    shot(page, shots_dir, "settings_consent_templates")

    page.get_by_role("link", name="Policy overrides").click()
    cap = evidence.policy["home_depth_cap_mm"]
    field = page.get_by_label(f"{cap.description} ({cap.unit})")
    expect(field).to_have_value("")
    lo, hi = cap.bounds
    expect(page.locator("main")).to_contain_text(f"default {cap.value:g}; allowed {lo:g}-{hi:g} {cap.unit}")
    shot(page, shots_dir, "settings_policy")


# --------------------------------------------------------------------------------------------------
# At home
# --------------------------------------------------------------------------------------------------

HOME_ZONE = "Pacific/Auckland"  # far from UTC: "today" is the person's own day, not the server's


def test_home_story(server: Server, open_browser: Any, shots_dir: Path, evidence: Evidence) -> None:
    """A person creates a personal space, answers the questionnaire, plans at home depth and runs a session."""
    context = open_browser(HOME_ZONE)
    page = context.new_page()
    base = server.url
    email = f"kim-{time.time_ns()}@example.org"

    # Create a personal space (the browser's time zone is proposed).
    # The pages carry the strict policy; the browser fixture fails the test on any violation it logs.
    login = page.goto(base + "/accounts/login/")
    assert login is not None
    assert "script-src 'self'" in login.headers["content-security-policy"]
    page.get_by_role("link", name="Create a personal space").click()
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Email me the link").click()
    expect(page.locator("#signup-sent")).to_contain_text("We sent a message to the address you gave.")
    page.goto(server.mail_link(email, "/accounts/signup/"))
    expect(page.locator("#signup-email")).to_have_text(email)
    expect(page.locator("input[name=kind][value=personal]")).to_be_checked()
    expect(page.get_by_label("Time zone")).to_have_value(HOME_ZONE)
    page.get_by_label("Your name").fill("Kim Home")
    page.locator("#id_password1").fill("correct horse battery")
    page.locator("#id_password2").fill("correct horse battery")
    page.get_by_label("Your date of birth").fill("1991-03-14")
    shot(page, shots_dir, "home_signup")
    page.get_by_role("button", name="Create").click()
    expect(page).to_have_url(base + "/")
    expect(page.locator("#personal-steps")).to_be_visible()
    expect(page.locator("#nav-clients")).to_have_count(0)
    shot(page, shots_dir, "home_dashboard")
    phone_shot(context, page.url, shots_dir, "phone_home_dashboard")

    # The same questionnaire, about herself: home setting and her birth date already filled in.
    zones = ordered(evidence, ("forehead", "cheek"))
    page.get_by_role("link", name="Answer the medical-history questionnaire").click()
    today = form_date(page, "id_taken_on")
    expect(page.locator("#id_setting")).to_have_value("home")
    expect(page.locator("#id_birth_date")).to_have_value("1991-03-14")
    answer_questionnaire(page, evidence, zones, skin_type=2)
    page.get_by_role("button", name="Save questionnaire").click()
    answers = SAFE_ANSWERS | {"zones": list(zones), "setting": "home", "birth_date": "1991-03-14", "skin_type": "II"}
    screening = screen(parse_answers(answers, evidence), today, evidence)
    expect(page.locator("#screening #screening-verdict")).to_have_text(screening.verdict)
    assert screening.verdict == "proceed"

    # Register the roller so its uses are counted.
    page.get_by_role("link", name="My treatment").click()
    page.get_by_role("link", name="Register your roller").click()
    page.get_by_label("Device type").select_option("roller_192_025_home")
    page.get_by_label("Label").fill("My roller")
    page.get_by_label("Lot or batch number").fill("R-2611")
    page.get_by_role("button", name="Add").click()
    roller = ["My roller", "Home roller, 192 x 0.25 mm", "R-2611", "-"]  # label, type, lot, no expiry
    assert cells(page, "#devices tbody tr") == [[*roller, "0", "ready"]]
    shot(page, shots_dir, "home_devices")

    # The home plan: core's, and no depth on it above the home cap.
    page.get_by_role("link", name="My treatment").click()
    page.get_by_role("link", name="Plan your home course").click()
    expect(page.locator("#id_setting option")).to_have_text(["At home"])
    expect(page.locator("#id_start_on")).to_have_value(today.isoformat())
    page.get_by_label("Indication").select_option("fine_lines")
    page.get_by_label("Device").select_option("roller_192_025_home")
    page.get_by_role("button", name="Preview the plan").click()
    expected = plan(
        evidence,
        "fine_lines",
        zones,
        "home",
        device="roller_192_025_home",
        start=today,
        answers=parse_answers(answers, evidence),
    )
    check_plan_table(page, "#plan-preview-result", expected, evidence)
    cap = evidence.policy_value("home_depth_cap_mm")
    shown = [
        float(x)
        for cell in page.locator("#plan-preview-result #plan-zones tbody tr td:nth-child(2)").all_inner_texts()
        for x in re.findall(r"\d+(?:\.\d+)?", cell)
    ]
    assert len(shown) >= len(zones)
    assert max(shown) <= cap, f"the home plan shows {max(shown)} mm, above the home cap of {cap} mm"
    shot(page, shots_dir, "home_plan")
    page.get_by_role("button", name="Create this course").click()
    page.get_by_role("button", name="Book the sessions on the plan's dates").click()
    assert cells(page, "#sessions tbody tr") == [[str(s.session), day(s.date), "Booked"] for s in expected.schedule]

    # Session 1 is today, in her time zone; no consent step at home.
    page.locator("#session-link-1").click()
    session_url = page.url
    expect(page.locator("#session-status")).to_have_text("Booked")
    expect(page.locator("main")).to_contain_text(f"planned for {day(today)}")
    expect(page.locator("#session-start")).to_contain_text("Screening allows the session today.")
    expect(page.locator("#consent-not-required")).to_have_text("Consent: not required for a home session")
    page.get_by_role("button", name="Start the session").click()
    expect(page).to_have_url(session_url + "run/")

    # The runner: guide steps (roller cleaning, use log), no anaesthetic at home; the roller unused so far.
    guide = guide_for_plan(evidence, expected)
    expect(page.locator("#runner-form .steps li label")).to_have_text([s.title for s in guide.steps])
    expect(page.locator("#anaesthetic")).to_have_count(0)
    uses = evidence.policy_value("roller_replacement_uses")
    expect(page.locator("[id^=device-status-]")).to_have_text(f"My roller: used 0 times of {uses:g}")

    # Deeper than the home cap is refused beside the field, with core's reason.
    roller = expected.zones[0]
    too_deep = 0.5
    assert too_deep > cap
    page.locator(f"#zone-{roller.zone}").get_by_label("Needle depth (mm)").fill(f"{too_deep:g}")
    for zp in expected.zones:
        section = open_zone(page, zp.zone)
        expect(section.get_by_label("Unit or lot")).to_have_value(re.compile(r"^\d+$"))  # her one roller
        section.get_by_role("spinbutton", name="Passes").fill(str(int(zp.passes.min)))
        section.get_by_label("Endpoint reached").check()
        tick_all(section)
    tick_all(page.locator("#checklist"))
    tick_all(page.locator("#after-steps"))
    page.get_by_label("I confirm this record is complete and accurate").check()
    page.get_by_role("button", name="Sign the session").click()
    expect(page.locator(f"#zone-{roller.zone} .errorlist")).to_have_text(
        refused(evidence, expected, roller.zone, too_deep, int(roller.passes.min), "roller_192_025_home")
    )
    expect(page.get_by_label("I confirm this record is complete and accurate")).to_be_checked()
    shot(page, shots_dir, "home_session_runner")
    phone_shot(context, page.url, shots_dir, "phone_home_session_runner")

    # At the roller's own depth it is accepted and signed.
    page.locator(f"#zone-{roller.zone}").get_by_label("Needle depth (mm)").fill(f"{roller.depth_mm.min:g}")
    page.get_by_label("I confirm this record is complete and accurate").check()
    page.get_by_role("button", name="Sign the session").click()
    expect(page).to_have_url(session_url)
    expect(page.locator("#hash-ok")).to_be_visible()
    records = cells(page, "#zone-records tbody tr")
    assert [(r[0], r[4], r[5]) for r in records] == [
        (evidence.zones[z.zone].name, f"{z.depth_mm.min:.2f} mm", str(int(z.passes.min))) for z in expected.zones
    ]
    shot(page, shots_dir, "home_signed_record")

    # The roller's use is counted: one signed session.
    page.get_by_role("link", name="My devices").click()
    roller = ["My roller", "Home roller, 192 x 0.25 mm", "R-2611", "-"]
    assert cells(page, "#devices tbody tr") == [[*roller, "1", "in use"]]
    page.get_by_role("link", name="My roller").click()
    expect(page.locator("#device-uses")).to_have_text("1")
    expect(page.locator("#device-sessions tbody tr")).to_have_count(1)
    # the device page writes dates as days
    expect(page.locator("#device-sessions tbody tr")).to_contain_text(f"{today.day} {today:%b %Y}")

    # Her record: session 1 signed, the next one on the plan's second date.
    page.get_by_role("link", name="My record").click()
    expect(page.locator("#client-name")).to_have_text("Kim Home")
    expect(page.locator("#screening-next h2")).to_have_text(f"Next session: {day(expected.schedule[1].date)}")
    # 20 entries a page, newest first: her 23 booked sessions fill the first page, session 1 is on the next
    expect(page.locator("#timeline-count")).to_contain_text("Showing 1–20 of")
    page.locator("#timeline-page-next").click()
    first_row = page.locator("#timeline tr", has=page.get_by_role("cell", name="Session 1", exact=True))
    expect(first_row).to_contain_text("Signed by Kim Home")
    expect(page.locator("#screening-next h2")).to_have_text(f"Next session: {day(expected.schedule[1].date)}")
    shot(page, shots_dir, "home_record")
