"""Pages in people's words: search by name in any order and by phone digits, a skip link, no date-format
help above a date picker (the picker shows the person's own format), counts with their plural, durations in
days and weeks, evidence names instead of ids, audit events as sentences, a client's notes."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from pinpoint.web.audit.models import AuditEvent
from pinpoint.web.audit.wording import describe, detail_words, viewed_words
from pinpoint.web.base.templatetags.pinpoint import counted, days_words, hours_words, name_of, names_of
from pinpoint.web.clients.models import Client
from pinpoint.web.clients.selectors import client_search
from pinpoint.web.clients.templatetags.questions import question
from tests.web.conftest import World


@dataclass(frozen=True)
class Span:
    """A span of hours as core gives one (``min``, ``max``)."""

    min: float
    max: float


def _names(world: World, text: str) -> list[str]:
    return sorted(c.full_name for c in client_search(world.actor(world.assistant), text))


def test_search_finds_names_in_any_order_and_phones_by_their_digits(world: World) -> None:
    Client.objects.filter(pk=world.grace.pk).update(phone="+44 20 7946-0958")
    assert _names(world, "lovelace ada") == ["Ada Lovelace"]
    assert _names(world, "  ADA   lovelace ") == ["Ada Lovelace"]
    assert _names(world, "ada hopper") == []
    assert _names(world, "02079460958") == ["Grace Hopper"]
    assert _names(world, "020 7946 0958") == ["Grace Hopper"]
    assert _names(world, "+442079460958") == ["Grace Hopper"]
    assert _names(world, "7946") == ["Grace Hopper"]
    assert _names(world, "ada@example.org") == ["Ada Lovelace"]
    page = world.login(world.assistant).get(reverse("clients:list"), {"q": "lovelace ada"}).content.decode()
    assert "Ada Lovelace" in page
    assert "Grace Hopper" not in page


def test_every_page_has_a_skip_link_and_date_pickers_carry_no_format_help(world: World) -> None:
    client = world.login(world.practitioner)
    page = client.get(reverse("clients:questionnaire_new", args=[world.ada.pk])).content.decode()
    assert '<a class="skip" href="#content" id="skip-link">Skip to the content</a>' in page
    assert '<main id="content" tabindex="-1">' in page
    assert "YYYY-MM-DD" not in page
    assert "YYYY-MM-DD" not in client.get(reverse("treatments:course_new", args=[world.ada.pk])).content.decode()


def test_counts_say_one_use_and_two_uses() -> None:
    assert counted(1, "use") == "1 use"
    assert counted(2, "use") == "2 uses"
    assert counted(0, "session") == "0 sessions"
    assert counted(1, "addendum,addenda") == "1 addendum"
    assert counted(3, "addendum,addenda") == "3 addenda"


def test_days_read_as_days_then_whole_weeks() -> None:
    assert days_words(1) == "1 day"
    assert days_words(10) == "10 days"
    assert days_words(7) == "7 days"
    assert days_words(14) == "2 weeks"
    assert days_words(90) == "90 days"
    assert days_words(None) == "-"


def test_aftercare_durations_read_in_days_and_weeks_never_bare_hours() -> None:
    assert hours_words(Span(120, 336)) == "5 to 14 days"
    assert hours_words(Span(24, 72)) == "1 to 3 days"
    assert hours_words(Span(24, 24)) == "1 day"
    assert hours_words(Span(336, 672)) == "2 to 4 weeks"
    assert hours_words(Span(6, 48)) == "6 hours to 2 days"
    assert hours_words(Span(12, 12)) == "12 hours"
    assert hours_words(Span(1, 1)) == "1 hour"
    assert hours_words(None) == "-"


def test_evidence_ids_read_as_the_evidence_names() -> None:
    assert name_of("acne_scars", "indication") == "Atrophic acne scars"
    assert name_of("pen_14", "device") == "Pen, 14-needle cartridge at 7,000 rpm (SkinPen-type)"
    assert name_of("chin_jawline", "zone") == "Chin and jawline"
    assert name_of("prolonged_erythema", "adverse_event") == "Prolonged redness (erythema)"
    assert name_of("no_such_thing", "zone") == "no such thing"
    assert names_of(["full_face", "upper_lip"], "zone") == "Full face, Upper lip"
    assert names_of([], "zone") == "-"


def test_questionnaire_keys_read_as_the_questions_asked() -> None:
    assert question("herpes_history") == "Cold sores (herpes simplex) in the past?"
    assert question("sunburn_zones") == "Sunburn or a fresh tan on any zone?"
    assert question("zones") == "Zones to treat"
    assert question("setting") == "Setting"


def test_audit_events_read_as_sentences_with_names(world: World) -> None:
    course_event = AuditEvent.objects.filter(organization=world.clinic, action="course.create", client=world.ada).get()
    d = describe(course_event)
    assert d.action == "Planned a course"
    assert d.details == (("Indication", "Atrophic acne scars"), ("Zones", "Full face"))
    consent = describe(AuditEvent.objects.get(organization=world.clinic, action="consent.sign", client=world.ada))
    assert consent.details == (
        ("Clinical photos allowed", "yes"),
        ("Marketing photos allowed", "no"),
        ("Treatment", "microneedling"),
        ("Version", "1"),
    )
    assert detail_words("device.add", {"catalog_id": "pen_14", "lot": "CART-2407-A", "units": None}) == (
        ("Device", "Pen, 14-needle cartridge at 7,000 rpm (SkinPen-type)"),
        ("Lot", "CART-2407-A"),
        ("Units", "-"),
    )
    assert detail_words("course.book", {"sessions": [[1, "2026-11-01"], [2, "2026-11-29"]]}) == (
        ("Sessions", "1 on 2026-11-01, 2 on 2026-11-29"),
    )
    assert detail_words("adverse_event.record", {"kind": "burn", "severity": "mild", "session": 7, "lots": [3]}) == (
        ("Kind", "Burn"),
        ("Severity", "Mild"),
    )
    assert viewed_words("electrolysis_session") == "an electrolysis session"
    page = world.login(world.owner).get(reverse("audit:log")).content.decode()
    assert (
        '<span class="audit-detail">Indication: <strong>Atrophic acne scars</strong></span>; '
        '<span class="audit-detail">Zones: <strong>Full face</strong></span>'
    ) in page
    assert "{&#x27;" not in page
    assert "course.create" not in page


def test_notes_typed_when_the_client_was_added_show_on_the_client_page(world: World) -> None:
    Client.objects.filter(pk=world.grace.pk).update(notes="Prefers morning visits.\nAllergic to latex.")
    page = world.login(world.assistant).get(reverse("clients:detail", args=[world.grace.pk])).content.decode()
    assert '<p id="client-notes">Prefers morning visits.<br>Allergic to latex.</p>' in page
