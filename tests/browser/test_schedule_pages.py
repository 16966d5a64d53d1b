"""Browser stories of the clinic's day: the day and week calendars, giving a session a time, adding a
session, rooms, reminders, the calendar address and the password pages, at 1280 x 800 and 390 x 844,
each screenshotted into var/screenshots; and axe-core (vendored here from npm, never served) run in
the page: no serious or critical accessibility violation on these pages and the main ones."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from pinpoint.web.demo import DEMO_PASSWORD, LOGINS
from tests.browser.conftest import DESKTOP, PHONE, Server
from tests.browser.pages import sign_in

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js"
RUN_AXE = """async () => {
  const r = await axe.run(document, {resultTypes: ["violations"]});
  return r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
}"""


def _axe(page: Page) -> list[dict[str, Any]]:
    page.evaluate(AXE.read_text())  # evaluated by the browser's debugger, not loaded by the page
    found: list[dict[str, Any]] = page.evaluate(RUN_AXE)
    return found


def _look(page: Page, url: str, folder: Path, name: str) -> list[dict[str, Any]]:
    """Open ``url`` at desk and phone size, save both screenshots, check the phone width; axe's findings."""
    page.set_viewport_size(DESKTOP)
    page.goto(url)
    page.screenshot(path=str(folder / f"{name}-desk.png"), full_page=True)
    findings = _axe(page)
    page.set_viewport_size(PHONE)
    page.goto(url)
    page.screenshot(path=str(folder / f"{name}-phone.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name}: {overflow} px wider than a phone"
    return [{"page": name, **f} for f in findings]


def test_the_clinics_day_pages_read_well_and_pass_axe(server: Server, open_browser: Any, shots_dir: Path) -> None:
    (grace,) = server.query(
        "select s.id from treatments_session s join clients_client c on c.id = s.client_id "
        "where c.full_name = 'Grace Hopper' and s.number = 1"
    )
    (ada_course,) = server.query(
        "select k.id from treatments_course k join clients_client c on c.id = k.client_id "
        "where c.full_name = 'Ada Lovelace'"
    )
    (ada,) = server.query("select id from clients_client where full_name = 'Ada Lovelace'")
    (ada_first,) = server.query("select s.id from treatments_session s where s.client_id = ? and s.number = 1", ada[0])
    base = server.url
    browser = open_browser()
    page = browser.new_page()
    findings = _look(page, base + "/accounts/login/", shots_dir, "signin")
    findings += _look(page, base + "/accounts/password/reset/", shots_dir, "password-reset")
    sign_in(page, base, LOGINS[1][0], DEMO_PASSWORD)
    pages = {
        "dashboard": "/",
        "clients": "/clients/",
        "schedule-day": "/schedule/",
        "schedule-week": "/schedule/week/",
        "schedule-book": f"/schedule/sessions/{grace[0]}/time/",
        "schedule-add-session": f"/schedule/courses/{ada_course[0]}/add-session/",
        "reminders": "/reminders/",
        "calendar-address": "/reminders/calendar/",
        "password-change": "/accounts/password/change/",
        # the pages the people's-words work changed: the record, the questionnaire, a new course, a signed session
        "client-record": f"/clients/{ada[0]}/",
        "questionnaire-new": f"/clients/{ada[0]}/questionnaire/",
        "course-new": f"/clients/{ada[0]}/courses/new/",
        "session-signed": f"/sessions/{ada_first[0]}/",
    }
    for name, path in pages.items():
        findings += _look(page, base + path, shots_dir, name)
    page.set_viewport_size(DESKTOP)
    page.goto(base + "/schedule/")
    expect(page.locator("#appointments")).to_contain_text("Ada Lovelace")
    expect(page.locator("#appointments")).to_contain_text("Room 1")
    page.goto(base + "/reminders/")
    expect(page.locator("#due")).to_contain_text("Dorothy Hodgkin")
    page.goto(base + "/reminders/calendar/")
    page.get_by_role("button", name="Make my calendar address").click()
    expect(page.locator("#feed-url")).to_contain_text(base + "/reminders/feed/")
    owner = open_browser().new_page()
    sign_in(owner, base, LOGINS[0][0], DEMO_PASSWORD)
    findings += _look(owner, base + "/schedule/rooms/", shots_dir, "schedule-rooms")
    findings += _look(owner, base + "/schedule/hours/", shots_dir, "schedule-hours")
    findings += _look(owner, base + "/audit/", shots_dir, "audit-log")
    assert findings == [], json.dumps(findings, indent=1)


def test_the_client_portal_reads_well_and_passes_axe(server: Server, open_browser: Any, shots_dir: Path) -> None:
    (ada,) = server.query("select id from clients_client where full_name = 'Ada Lovelace'")
    base = server.url
    staff = open_browser().new_page()
    sign_in(staff, base, LOGINS[2][0], DEMO_PASSWORD)
    findings = _look(staff, f"{base}/portal/clients/{ada[0]}/", shots_dir, "portal-review")
    staff.set_viewport_size(DESKTOP)
    staff.get_by_role("button", name="Email Ada Lovelace a sign-in link").click()
    expect(staff.locator("#link-sent")).to_contain_text("ada@example.org")
    link = server.mail_link("ada@example.org", "/portal/in/")
    client = open_browser().new_page()
    findings += _look(client, base + "/portal/", shots_dir, "portal-start")
    client.goto(link)
    client.get_by_role("button", name="Continue to your page").click()
    expect(client).to_have_url(base + "/portal/home/")
    expect(client.locator("#upcoming")).to_contain_text("Room 1")
    for name, path in {"portal-home": "/portal/home/", "portal-consent": "/portal/consent/"}.items():
        findings += _look(client, base + path, shots_dir, name)
    client.set_viewport_size(PHONE)
    client.goto(base + "/portal/questionnaire/")
    client.screenshot(path=str(shots_dir / "portal-questionnaire-phone.png"), full_page=True)
    findings += [{"page": "portal-questionnaire", **f} for f in _axe(client)]
    client.goto(link)
    client.get_by_role("button", name="Continue to your page").click()
    expect(client.locator("#portal-link-invalid")).to_have_text("This link no longer works")
    assert findings == [], json.dumps(findings, indent=1)
