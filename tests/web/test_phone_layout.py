"""The layout a phone needs, checked on the server's HTML: the navigation behind a "Menu" button and in
a home user's words, the portal's own header, one date field for every form, the questionnaire in
sections that open where an answer needs a look."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django import forms
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse

from pinpoint.evidence import load_evidence
from pinpoint.web.base.forms import BAD_DATE, DateField
from pinpoint.web.base.permissions import Perm, allowed
from pinpoint.web.clients.forms import QuestionnaireForm
from tests.web.conftest import World
from tests.web.test_web_clients import QUESTIONNAIRE

WEB = Path(__file__).resolve().parents[2] / "src" / "pinpoint" / "web"
SECTIONS = ["treatment", "about", "health", "medicines", "skin", "sun"]


class _Page(HTMLParser):
    """The parts of a page these tests read: the header's text and links, the ids of elements, details."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.in_header = False
        self.header_text: list[str] = []
        self.header_links: dict[str, str] = {}
        self.header_forms: list[str] = []
        self.ids: dict[str, dict[str, str | None]] = {}
        self.details: list[dict[str, str | None]] = []
        self.first_focusable: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "header":
            self.in_header = True
        if a.get("id"):
            self.ids[str(a["id"])] = {"tag": tag, **a}
        if tag == "details":
            self.details.append(a)
        if self.first_focusable is None and tag in {"a", "button", "input", "select", "summary"}:
            self.first_focusable = a.get("id") or tag
        if self.in_header and tag == "a":
            self.header_links[str(a.get("id"))] = str(a.get("href"))
        if self.in_header and tag == "form":
            self.header_forms.append(str(a.get("action")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "header":
            self.in_header = False

    def handle_data(self, data: str) -> None:
        if self.in_header and data.strip():
            self.header_text.append(data.strip())


def _page(client: HttpClient, url: str) -> _Page:
    response = client.get(url)
    assert response.status_code == 200, url
    parsed = _Page()
    parsed.feed(response.content.decode())
    return parsed


# Navigation ------------------------------------------------------------------------------------


def test_the_navigation_is_folded_behind_a_menu_button_after_the_skip_link(world: World) -> None:
    page = _page(world.login(world.practitioner), reverse("dashboard"))
    assert page.first_focusable == "skip-link"
    assert page.ids["nav-menu"]["tag"] == "details"
    assert page.ids["nav-menu-button"]["tag"] == "summary"
    assert "Menu" in page.header_text
    assert "open" not in page.ids["nav-menu"]  # folded until the button is pressed


def test_a_home_user_reads_my_treatment_and_my_records_not_clients_and_audit(world: World) -> None:
    page = _page(world.login(world.home_user), reverse("dashboard"))
    assert page.header_links["nav-dashboard"] == reverse("dashboard")
    assert page.header_links["nav-record"] == reverse("clients:detail", args=[world.me.pk])
    words = " ".join(page.header_text)
    assert "My treatment" in words
    assert "My records" in words
    assert "History" in words
    assert "My devices" in words
    for clinic_word in ("Clients", "Audit", "Dashboard", "Calendar"):
        assert clinic_word not in page.header_text, clinic_word
    assert "nav-clients" not in page.header_links


@pytest.mark.parametrize(
    ("who", "shown"),
    [
        ("owner", ["Dashboard", "Clients", "Calendar", "Devices", "Settings", "Audit", "API tokens"]),
        ("practitioner", ["Dashboard", "Clients", "Calendar", "Devices", "API tokens"]),
        ("assistant", ["Dashboard", "Clients", "Calendar", "Devices", "API tokens"]),
    ],
)
def test_the_clinic_navigation_follows_the_permission_map(world: World, who: str, shown: list[str]) -> None:
    user = getattr(world, who)
    page = _page(world.login(user), reverse("dashboard"))
    links = [
        t
        for t in page.header_text
        if t in {"Dashboard", "Clients", "Calendar", "Devices", "Settings", "Audit", "API tokens"}
    ]
    assert links == shown
    role = world.actor(user).role
    assert ("nav-audit" in page.header_links) is allowed(role, Perm.AUDIT_VIEW)
    assert ("nav-settings" in page.header_links) is allowed(role, Perm.SETTINGS_MANAGE)
    assert ("nav-devices" in page.header_links) is allowed(role, Perm.DEVICE_MANAGE)


# The portal's header -----------------------------------------------------------------------------


def _portal_signed_in(world: World, browser: HttpClient) -> None:
    staff = world.login(world.assistant)
    staff.post(reverse("portal:send", args=[world.ada.pk]))
    message = next(m for m in reversed(mail.outbox) if m.to == ["ada@example.org"])
    found = re.search(r"http://testserver(/portal/in/[^/\s]+/)", message.body)
    assert found is not None
    assert browser.post(found.group(1))["Location"] == reverse("portal:home")


@pytest.mark.parametrize("name", ["portal:home", "portal:questionnaire", "portal:consent"])
def test_a_client_in_the_portal_sees_the_clinics_header_never_the_staff_one(world: World, name: str) -> None:
    browser = world.login(None)
    _portal_signed_in(world, browser)
    page = _page(browser, reverse(name))
    assert page.header_links == {"portal-brand": reverse("portal:home"), "portal-nav-home": reverse("portal:home")}
    assert page.header_forms == [reverse("portal:sign_out")]
    assert page.header_text == ["Demo Clinic", "Your appointments", "Sign out"]
    assert not any(i.startswith("nav-") for i in page.ids)  # no staff navigation, sign-in or sign-up


def test_a_staff_member_using_a_portal_link_still_sees_the_portals_header(world: World) -> None:
    browser = world.login(world.practitioner)
    _portal_signed_in(world, browser)
    page = _page(browser, reverse("portal:home"))
    assert page.header_text == ["Demo Clinic", "Your appointments", "Sign out"]
    assert "nav-clients" not in page.ids


@pytest.mark.parametrize("url", ["/portal/", "/portal/in/any-token/"])
def test_the_portals_sign_in_pages_offer_no_staff_sign_in(world: World, url: str) -> None:
    assert reverse("portal:start") == "/portal/"
    page = _page(world.login(None), url)
    assert page.header_text == ["Your clinic's page"]
    assert page.header_links == {}
    assert reverse("accounts:login") not in page.header_links.values()


def test_signing_out_from_the_portal_header_leaves_the_portal(world: World) -> None:
    browser = world.login(None)
    _portal_signed_in(world, browser)
    assert browser.post(reverse("portal:sign_out"))["Location"] == reverse("portal:start")
    assert browser.get(reverse("portal:home"))["Location"] == reverse("portal:start")


# Dates ------------------------------------------------------------------------------------------


def test_one_date_field_the_browsers_picker_no_format_written_and_a_sentence_for_a_bad_date() -> None:
    field = DateField(label="Day")
    assert field.widget.input_type == "date"
    assert field.help_text == ""
    with pytest.raises(forms.ValidationError) as bad:
        field.clean("2026-02-30")
    assert bad.value.messages == [BAD_DATE] == ["Enter a date, like 3 March 2026."]
    assert field.clean("2026-03-03").isoformat() == "2026-03-03"
    assert DateField(widget=forms.HiddenInput).widget.input_type == "hidden"


def test_every_form_of_the_web_app_uses_the_one_date_field() -> None:
    """No Django DateField built by hand (with its own widget or a YYYY-MM-DD help) outside base/forms.py."""
    own = []
    for path in sorted(WEB.rglob("forms.py")):
        text = path.read_text()
        if path.parent.name != "base" and ("forms.DateField(" in text or "YYYY" in text):
            own.append(str(path.relative_to(WEB)))
    assert own == []


def test_the_questionnaire_says_a_bad_date_in_a_sentence_beside_the_field(world: World) -> None:
    response = world.login(world.practitioner).post(
        reverse("clients:questionnaire_new", args=[world.mary.pk]), QUESTIONNAIRE | {"taken_on": "2026-13-01"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["taken_on"] == [BAD_DATE]
    body = response.content.decode()
    assert "YYYY" not in body
    assert body.count('type="date"') == 2 + 2 + 4 * 3  # taken on, birth date, two last uses, 4 x 3 dated zones


# The questionnaire in sections --------------------------------------------------------------------


def test_every_question_of_the_questionnaire_is_in_one_section() -> None:
    form = QuestionnaireForm(evidence=load_evidence())
    placed = [
        f.name for s in form.sections() for q in s.questions for f in (q.field, *(f for row in q.follow for f in row))
    ]
    assert [s.key for s in form.sections()] == SECTIONS
    assert sorted(placed) == sorted(f.name for f in form.visible_fields())
    assert len(placed) == len(set(placed))


def test_a_new_questionnaire_opens_its_first_section_only_one_at_a_time(world: World) -> None:
    page = _page(world.login(world.practitioner), reverse("clients:questionnaire_new", args=[world.mary.pk]))
    sections = [d for d in page.details if d.get("class") == "q-section"]
    assert [d["id"] for d in sections] == [f"section-{k}" for k in SECTIONS]
    assert [("open" in d) for d in sections] == [True, False, False, False, False, False]
    assert {d.get("name") for d in sections} == {"questionnaire"}  # the browser keeps one open at a time


def test_the_sections_with_an_error_open_and_say_how_many_answers_to_look_at(world: World) -> None:
    data = QUESTIONNAIRE | {"anaesthetic_risks_any": "yes", "retinoid": "taken", "sunburn": "yes"}
    response = world.login(world.practitioner).post(reverse("clients:questionnaire_new", args=[world.mary.pk]), data)
    assert response.status_code == 200
    page = _Page()
    page.feed(response.content.decode())
    sections = {d["id"]: d for d in page.details if d.get("class") == "q-section"}
    opened = [k for k in SECTIONS if "open" in sections[f"section-{k}"]]
    assert opened == ["health", "medicines", "sun"]
    assert all("name" not in d for d in sections.values())  # several may stay open together
    body = response.content.decode()
    assert '<span class="bad" id="section-health-errors">1 answer to look at</span>' in body
    assert '<span class="bad" id="section-medicines-errors">1 answer to look at</span>' in body
    assert '<span class="bad" id="section-sun-errors">1 answer to look at</span>' in body
    assert "section-treatment-errors" not in body
    assert "tick the ones that apply" in body
    assert "give the date" in body
    assert "give at least one zone and its date" in body
    # A follow-up with an error shows whatever its question's answer.
    assert body.count('class="follow has-error"') == 3


def test_the_portal_questionnaire_has_the_same_sections(world: World) -> None:
    browser = world.login(None)
    _portal_signed_in(world, browser)
    page = _page(browser, reverse("portal:questionnaire"))
    sections = [d for d in page.details if d.get("class") == "q-section"]
    assert [d["id"] for d in sections] == [f"section-{k}" for k in SECTIONS]
    assert [("open" in d) for d in sections] == [True, False, False, False, False, False]
