"""Every main page on a 390 x 844 phone: nothing runs off the right edge and the navigation is folded
behind its "Menu" button (under 80 px tall), for a practitioner, an owner and a home user; the
questionnaire's height; the portal's own header; and screenshots at desk and phone size of the pages
people use most (var/screenshots/phone-*.png).

The pages are found by following the links of the demo, one page per URL name (a client's page once,
not once per client), so a new page is checked as soon as something links to it."""

from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve
from playwright.sync_api import Page, expect

from pinpoint.web.demo import DEMO_PASSWORD, HOME_LOGIN, LOGINS
from tests.browser.conftest import DESKTOP, PHONE, Server
from tests.browser.pages import sign_in

pytestmark = pytest.mark.browser

NAV_MAX_PX = 80
QUESTIONNAIRE_MAX_PX = 1_800  # 9,300 px with every question shown at once; about 1,500 px now
HEALTH_OPEN_MAX_PX = 2_600  # its longest section (15 questions) open: about 2,300 px
SKIP_NAMESPACES = {"api", "admin", "documents"}  # JSON and PDF, not pages
SKIP_NAMES = {"logout", "sign_out", "sign_out_everywhere", "download", "feed", "chart", "image", "thumb", "lot_export"}
MAIN_PAGES = {
    "dashboard",
    "clients:list",
    "clients:detail",
    "clients:new",
    "clients:questionnaire_new",
    "clients:questionnaire",
    "treatments:course",
    "treatments:course_new",
    "treatments:session",
    "devices:list",
    "devices:detail",
    "consents:detail",
    "scheduling:day",
    "scheduling:week",
    "reminders:worklist",
    "outcomes:events",
    "api-pages:tokens",
    "accounts:password_change",
}
"""Pages a practitioner must reach (the crawl finds more: each of them is checked too)."""
OWNER_PAGES = {"accounts:settings", "accounts:members", "audit:log", "exports:everything", "clients:history"}
HOME_PAGES = {"dashboard", "clients:detail", "devices:list", "treatments:course", "audit:log"}

WIDER = "document.documentElement.scrollWidth - window.innerWidth"
NAV_HEIGHT = "document.querySelector('header.top').getBoundingClientRect().height"
LINKS = "[...document.querySelectorAll('a[href]')].map(a => a.href)"


def _name(path: str) -> str | None:
    """The URL name of a same-site path, or None for what is not a page to check."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if set(match.namespaces) & SKIP_NAMESPACES or match.url_name in SKIP_NAMES:
        return None
    return str(match.view_name)


def _check(page: Page, url: str) -> tuple[int, float] | None:
    """Open ``url`` at phone size: how much wider than the screen it is, and the header's height."""
    response = page.goto(url)
    if response is None or "text/html" not in response.headers.get("content-type", ""):
        return None
    return int(page.evaluate(WIDER)), float(page.evaluate(NAV_HEIGHT))


def _crawl(page: Page, base: str) -> dict[str, tuple[str, int, float]]:
    """From the dashboard, every page one link leads to, once per URL name: name -> (url, wider by, nav px)."""
    seen: dict[str, tuple[str, int, float]] = {}
    queue = deque([base + "/"])
    while queue:
        url = queue.popleft()
        path = urlsplit(url).path
        name = _name(path)
        if name is None or name in seen:
            continue
        measured = _check(page, url)
        if measured is None:
            continue
        seen[name] = (path, *measured)
        for link in page.evaluate(LINKS):
            parts = urlsplit(link)
            if link.startswith(base) and not parts.fragment and _name(parts.path) not in seen:
                queue.append(base + parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen


def _signed_in_phone(open_browser: Any, server: Server, email: str) -> Page:
    page: Page = open_browser().new_page()
    page.set_viewport_size(PHONE)
    sign_in(page, server.url, email, DEMO_PASSWORD)
    return page


@pytest.mark.parametrize(
    ("email", "must"),
    [
        (LOGINS[1][0], MAIN_PAGES),
        (LOGINS[0][0], MAIN_PAGES | OWNER_PAGES),
        (HOME_LOGIN[0], HOME_PAGES),
    ],
    ids=["practitioner", "owner", "home"],
)
def test_every_page_fits_a_phone_with_the_navigation_folded(
    server: Server, open_browser: Any, email: str, must: set[str]
) -> None:
    page = _signed_in_phone(open_browser, server, email)
    pages = _crawl(page, server.url)
    assert must <= set(pages), f"not reached: {sorted(must - set(pages))}"
    wide = {name: (path, px) for name, (path, px, _) in pages.items() if px > 0}
    assert wide == {}, f"wider than a {PHONE['width']} px phone (name: path, px too wide): {wide}"
    tall = {name: (path, round(h)) for name, (path, _, h) in pages.items() if h >= NAV_MAX_PX}
    assert tall == {}, f"navigation {NAV_MAX_PX} px or taller: {tall}"


def test_the_menu_opens_with_the_keyboard_and_shows_every_link(
    server: Server, open_browser: Any, shots_dir: Path
) -> None:
    page = _signed_in_phone(open_browser, server, LOGINS[0][0])
    expect(page.locator("#nav-clients")).to_be_hidden()
    page.keyboard.press("Tab")
    expect(page.locator("#skip-link")).to_be_focused()  # the skip link comes first
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator("#nav-menu-button")).to_be_focused()
    page.keyboard.press("Enter")
    for link in ("nav-dashboard", "nav-clients", "nav-calendar", "nav-devices", "nav-settings", "nav-audit"):
        expect(page.locator(f"#{link}")).to_be_visible()
    assert page.evaluate(WIDER) <= 0
    page.screenshot(path=str(shots_dir / "phone-menu-open.png"))
    page.set_viewport_size(DESKTOP)  # from 768 px up the links show without the button
    page.reload()
    expect(page.locator("#nav-menu-button")).to_be_hidden()
    expect(page.locator("#nav-clients")).to_be_visible()
    assert page.evaluate(NAV_HEIGHT) < NAV_MAX_PX


def _both(page: Page, url: str, folder: Path, name: str) -> None:
    for size, tag in ((DESKTOP, "desk"), (PHONE, "phone")):
        page.set_viewport_size(size)
        page.goto(url)
        page.screenshot(path=str(folder / f"phone-{name}-{tag}.png"), full_page=True)
        assert page.evaluate(WIDER) <= 0, f"{name} at {tag} size"


def test_the_questionnaire_is_short_on_a_phone_and_the_main_pages_in_screenshots(
    server: Server, open_browser: Any, shots_dir: Path
) -> None:
    ((ada,),) = server.query("select id from clients_client where full_name = 'Ada Lovelace'")
    ((course,),) = server.query("select id from treatments_course where client_id = ?", ada)
    ((device,),) = server.query("select id from devices_deviceunit where label = 'Pen cartridges'")
    page = _signed_in_phone(open_browser, server, LOGINS[1][0])
    base = server.url
    page.goto(f"{base}/clients/{ada}/questionnaire/")
    closed = page.evaluate("document.documentElement.scrollHeight")
    assert closed < QUESTIONNAIRE_MAX_PX, f"the questionnaire is {closed} px tall on a phone"
    page.locator("#section-health > summary").click()  # the longest section, opened
    opened = page.evaluate("document.documentElement.scrollHeight")
    assert opened < HEALTH_OPEN_MAX_PX, f"with its health section open, the questionnaire is {opened} px tall"
    expect(page.locator("#section-treatment #id_zones")).to_be_hidden()  # one section open at a time
    print(f"questionnaire at 390 x 844: {closed} px, {opened} px with the health section open")
    page.get_by_label("A reason not to use numbing cream", exact=False).select_option("yes")
    expect(page.locator("#id_anaesthetic_risks")).to_be_visible()  # the follow-up shows once it applies
    for url, name in (
        (f"{base}/", "dashboard"),
        (f"{base}/clients/", "clients"),
        (f"{base}/courses/{course}/", "plan"),
        (f"{base}/devices/", "devices"),
        (f"{base}/devices/{device}/", "device"),
        (f"{base}/clients/{ada}/questionnaire/", "questionnaire"),
    ):
        _both(page, url, shots_dir, name)


def test_the_portal_has_its_own_header_on_a_phone(server: Server, open_browser: Any, shots_dir: Path) -> None:
    page: Page = open_browser().new_page()
    page.set_viewport_size(PHONE)
    page.goto(server.url + "/portal/")
    expect(page.locator("#nav-login")).to_have_count(0)
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_role("button", name="Email me a link").click()
    page.goto(server.mail_link("ada@example.org", "/portal/in/"))
    page.get_by_role("button", name="Continue to your page").click()
    expect(page.locator("header.top")).to_have_text("Demo Clinic Your appointments Sign out")
    expect(page.locator("#nav-login, #nav-signup, #nav-dashboard")).to_have_count(0)
    _both(page, server.url + "/portal/home/", shots_dir, "portal-home")
    _both(page, server.url + "/portal/questionnaire/", shots_dir, "portal-questionnaire")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(server.url + "/portal/")
