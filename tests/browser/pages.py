"""Small helpers the browser stories share: signing in, answering the questionnaire, screenshots, formats."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from django.utils import formats
from playwright.sync_api import Page, expect

from pinpoint.evidence import Evidence
from pinpoint.web.clients.forms import (
    CHOICE_QUESTIONS,
    DATED_ZONE_QUESTIONS,
    FLAGS,
    LAST_USE_QUESTIONS,
    LIST_QUESTIONS,
    ZONE_QUESTIONS,
)
from tests.browser.conftest import PHONE

NO_QUESTIONS = (
    *FLAGS.values(),
    *ZONE_QUESTIONS.values(),
    *(label for label, _ in LIST_QUESTIONS.values()),
    *(label for _, label, *_ in DATED_ZONE_QUESTIONS.values()),
)
"""Every yes/no question of the questionnaire, by the label a person reads (taken from the form itself)."""
ROMAN = ("I", "II", "III", "IV", "V", "VI")


def day(value: dt.date) -> str:
    """A date as the pages show it (the project's date format)."""
    return str(formats.date_format(value))


def span(lo: float, hi: float, unit: str = "") -> str:
    """A range as the plan tables show it: ``0.5-1 mm``, or ``0.25 mm`` when both ends agree."""
    text = f"{lo:g}" if lo == hi else f"{lo:g}-{hi:g}"
    return f"{text} {unit}".strip()


def shot(page: Page, folder: Path, name: str) -> None:
    """Save the whole page as ``folder/name.png``."""
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def phone_shot(context: Any, url: str, folder: Path, name: str) -> None:
    """Open ``url`` in a phone-sized tab of the same browser (same sign-in) and save it."""
    tab = context.new_page()
    try:
        tab.set_viewport_size(PHONE)
        tab.goto(url)
        tab.screenshot(path=str(folder / f"{name}.png"), full_page=True)
        overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name}: the page is {overflow} px wider than a {PHONE['width']} px phone screen"
        hidden = tab.evaluate(
            "[...document.querySelectorAll('table.stack')].filter(t => t.scrollWidth > t.parentElement.clientWidth)"
            ".map(t => t.id)"
        )
        assert hidden == [], f"{name}: columns of {hidden} are off-screen on a phone"
    finally:
        tab.close()


def sign_in(page: Page, base: str, email: str, password: str) -> None:
    """Sign in through the sign-in page and land on the dashboard."""
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(base + "/")


def form_date(page: Page, field_id: str) -> dt.date:
    """The date a form pre-filled (the organization's today, for a new questionnaire or plan)."""
    return dt.date.fromisoformat(page.locator(f"#{field_id}").input_value())


def _choose(page: Page, label: str, value: str, *, exact: bool = True) -> None:
    """Pick ``value`` for the question ``label``, first opening its section as a person would.

    ``exact=False`` for a label Django ends with its ":" suffix (one not ending in punctuation)."""
    field = page.get_by_label(label, exact=exact)
    expect(field).to_have_count(1)
    if not field.is_visible():
        field.locator("xpath=ancestor::details[1]/summary").click()
    field.select_option(value)


def answer_questionnaire(page: Page, evidence: Evidence, zones: tuple[str, ...], skin_type: int) -> None:
    """Answer every question with nothing to report, for ``zones`` and a Fitzpatrick type."""
    boxes = page.locator("#id_zones")
    for zone in zones:
        boxes.get_by_label(evidence.zones[zone].name, exact=True).check()
    _choose(page, "Fitzpatrick skin type", ROMAN[skin_type - 1], exact=False)
    for question in NO_QUESTIONS:
        _choose(page, question, "no")
    for question in CHOICE_QUESTIONS.values():
        _choose(page, question, "none")
    for _, question, _ in LAST_USE_QUESTIONS.values():
        _choose(page, question, "never")
    _choose(page, "Diabetes?", "none", exact=False)


def cells(page: Page, rows: str) -> list[list[str]]:
    """The text of each cell of each row matched by the selector ``rows``."""
    out = []
    for row in page.locator(rows).all():
        out.append([re.sub(r"\s+", " ", c).strip() for c in row.locator("td").all_inner_texts()])
    return out


def countdown_seconds(text: str) -> int:
    """Seconds left on the anaesthetic countdown (``MM:SS``)."""
    match = re.fullmatch(r"(\d+):(\d\d)", text.strip())
    assert match, f"countdown shows {text!r}, not MM:SS"
    return int(match[1]) * 60 + int(match[2])
