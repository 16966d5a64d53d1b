"""The client portal: a sign-in link that works once and expires, only one's own records, the plan and
aftercare in words, forms filled before the visit and accepted by the practitioner, problems reported."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from pinpoint.web.clients.forms import initial_from_answers
from pinpoint.web.clients.models import Questionnaire
from pinpoint.web.consents.models import Consent
from pinpoint.web.portal.models import ProblemReport, SignInLink, Submission
from pinpoint.web.treatments.models import Session
from tests.web.conftest import World


def _mailed_link(to: str) -> str:
    message = next(m for m in reversed(mail.outbox) if m.to == [to])
    found = re.search(r"http://testserver(/portal/in/[^/\s]+/)", message.body)
    assert found is not None, message.body
    return found.group(1)


def _signed_in(world: World) -> HttpClient:
    staff = world.login(world.assistant)
    assert staff.post(reverse("portal:send", args=[world.ada.pk]))["Location"].endswith("?sent=1")
    link = _mailed_link("ada@example.org")
    browser = world.login(None)
    assert "Continue to your page" in browser.get(link).content.decode()  # a GET does not use the link
    assert browser.post(link)["Location"] == reverse("portal:home")
    return browser


def test_a_link_works_once(world: World) -> None:
    browser = _signed_in(world)
    link = _mailed_link("ada@example.org")
    again = world.login(None).post(link)
    assert again.status_code == 410
    assert "This link no longer works" in again.content.decode()
    assert browser.get(reverse("portal:home")).status_code == 200
    row = SignInLink.objects.get(client=world.ada)
    assert row.used_at is not None
    assert len(row.token_sha256) == 64
    assert link.split("/")[-2] not in row.token_sha256  # only the digest is stored


def test_a_link_expires(world: World, settings: Any) -> None:
    settings.PINPOINT_PORTAL_LINK_MINUTES = 30
    world.login(None).post(reverse("portal:start"), {"email": "ADA@example.org"})
    link = _mailed_link("ada@example.org")
    assert "within 30 minutes" in mail.outbox[-1].body
    SignInLink.objects.filter(client=world.ada).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert world.login(None).post(link).status_code == 410


def test_asking_for_a_link_answers_the_same_for_unknown_addresses(world: World) -> None:
    page = world.login(None).post(reverse("portal:start"), {"email": "nobody@example.org"}).content.decode()
    assert "If your clinic has this address, a link is on its way" in page
    assert mail.outbox == []


def test_the_home_page_shows_only_the_clients_own_records_in_words(world: World) -> None:
    browser = _signed_in(world)
    assert world.login(None).get(reverse("portal:home"))["Location"] == reverse("portal:start")
    body = browser.get(reverse("portal:home")).content.decode()
    ada_time = world.today_session.appointment.starts_at
    assert f"at {ada_time:%H:%M} (180 minutes, Room 1) · session 2" in body
    assert "Your plan: Atrophic acne scars" in body
    assert "Treated areas: Full face." in body
    assert "Aftercare since your session on" in body
    assert " h)" not in body
    assert "Grace Hopper" not in body
    assert "Mae Jemison" not in body


def test_forms_filled_before_the_visit_are_accepted_at_check_in(world: World) -> None:
    browser = _signed_in(world)
    consent = browser.post(
        reverse("portal:consent"),
        {"agree": "on", "signed_name": "Ada Lovelace", "photo_clinical": "on"},
    )
    assert consent["Location"] == reverse("portal:home") + "#forms"
    pending = Submission.objects.get(client=world.ada, kind="consent")
    assert pending.data["signed_name"] == "Ada Lovelace"
    assert 'id="pending-consent"' in browser.get(reverse("portal:home")).content.decode()
    staff = world.login(world.assistant)
    review = staff.get(reverse("portal:review", args=[world.ada.pk])).content.decode()
    assert "signed as “Ada Lovelace”; clinical photos yes, photos shown to others no" in review
    before = Consent.objects.filter(client=world.ada).count()
    assert staff.post(reverse("portal:accept", args=[pending.pk])).status_code == 302
    newest = Consent.objects.filter(client=world.ada).order_by("-pk").first()
    assert newest is not None
    assert Consent.objects.filter(client=world.ada).count() == before + 1
    assert (newest.signed_name, newest.photo_clinical, newest.photo_marketing) == ("Ada Lovelace", True, False)
    pending.refresh_from_db()
    assert (pending.reviewed_by, pending.record_id) == (world.assistant, newest.pk)
    assert staff.post(reverse("portal:accept", args=[pending.pk])).status_code == 400  # once only


def test_the_questionnaire_goes_to_review_and_becomes_a_record(world: World) -> None:
    browser = _signed_in(world)
    last = Questionnaire.objects.filter(client=world.ada).order_by("-pk").first()
    assert last is not None
    page = browser.get(reverse("portal:questionnaire"))
    assert page.status_code == 200
    data = {k: v for k, v in initial_from_answers(last.answers).items() if v is not None}
    data |= {"setting": "clinic", "taken_on": world.today.isoformat(), "birth_date": "1985-12-10"}
    posted = browser.post(reverse("portal:questionnaire"), data)
    assert posted.status_code == 302, posted.content.decode()[:3000]
    sub = Submission.objects.get(client=world.ada, kind="questionnaire")
    count = Questionnaire.objects.filter(client=world.ada).count()
    world.login(world.practitioner).post(reverse("portal:accept", args=[sub.pk]))
    assert Questionnaire.objects.filter(client=world.ada).count() == count + 1


def test_a_problem_is_reported_for_the_clinic(world: World) -> None:
    browser = _signed_in(world)
    signed = Session.objects.get(course=world.ada_course, number=1)
    response = browser.post(reverse("portal:problem"), {"session": signed.pk, "text": "Red and swollen for 4 days."})
    assert response["Location"] == reverse("portal:home") + "#problems"
    report = ProblemReport.objects.get(client=world.ada)
    assert (report.session, report.text) == (signed, "Red and swollen for 4 days.")
    review = world.login(world.practitioner).get(reverse("portal:review", args=[world.ada.pk])).content.decode()
    assert "Red and swollen for 4 days." in review
    assert f'href="{reverse("outcomes:report", args=[signed.pk])}" id="problem-{report.pk}-report"' in review
    other = browser.post(reverse("portal:problem"), {"session": world.grace_session.pk, "text": "x"})
    assert other.status_code == 400  # another client's session is not among the choices
    assert ProblemReport.objects.filter(client=world.ada).count() == 1
    empty = browser.post(reverse("portal:problem"), {"text": " "})
    assert empty.status_code == 400
