"""Marketing use of photos follows the client's consent at once: a withdrawal, or a later consent that says no
to marketing (signed at the desk or through the portal), takes her photos off the marketing page, and the
photo's page says since when and why."""

from __future__ import annotations

import datetime as dt
import io
import re

from django.urls import reverse
from django.utils import timezone

from pinpoint.web.consents.actions import sign_consent, withdraw_consent
from pinpoint.web.consents.models import Consent
from pinpoint.web.photos.actions import PhotoInput, take_photo
from pinpoint.web.photos.demo import drawn_face
from pinpoint.web.photos.models import Photo
from pinpoint.web.treatments.models import Course
from tests.web.conftest import World
from tests.web.test_api import token
from tests.web.test_photos_api import call


def _grace_photo(w: World) -> Photo:
    """A photo of Grace, whose consent allows marketing."""
    course = Course.objects.get(client=w.grace)
    data = PhotoInput(course=course, zone="cheek", view="frontal", taken_on=w.today)
    return take_photo(w.actor(w.practitioner), data, io.BytesIO(drawn_face("frontal", 5)))


def _marketed(w: World) -> list[str]:
    """The photo ids on the marketing page."""
    page = w.login(w.owner).get(reverse("photos:marketing")).content.decode()
    return re.findall(r'href="/photos/(\d+)/"', page)


def _marketing_line(w: World, photo: Photo) -> str:
    page = w.login(w.owner).get(reverse("photos:detail", args=[photo.pk])).content.decode()
    found = re.search(r'<dd id="photo-marketing">(.*?)</dd>', page)
    assert found is not None
    return re.sub(r"<[^>]+>", "", found.group(1))


def test_a_withdrawal_takes_the_photos_off_marketing_at_once_and_the_photo_says_when(world: World) -> None:
    photo = _grace_photo(world)
    assert _marketed(world) == [str(photo.pk)]
    assert _marketing_line(world, photo) == "allowed"
    at = timezone.make_aware(dt.datetime.combine(world.today, dt.time(10, 30)))
    withdraw_consent(world.actor(world.practitioner), Consent.objects.get(client=world.grace), "no more photos", at)
    assert _marketed(world) == []
    assert (
        _marketing_line(world, photo)
        == f"not allowed since {world.today.day} {world.today:%B %Y}, 10:30 (consent withdrawn)"
    )


def test_a_later_consent_refusing_marketing_takes_the_earlier_photos_off_marketing(world: World) -> None:
    photo = _grace_photo(world)
    at = timezone.make_aware(dt.datetime.combine(world.today, dt.time(11, 15)))
    sign_consent(
        world.actor(world.practitioner),
        world.grace,
        "microneedling",
        signed_name="Grace Hopper",
        signer="client",
        photo_clinical=True,
        photo_marketing=False,
        now=at,
    )
    assert _marketed(world) == []
    when = f"{world.today.day} {world.today:%B %Y}, 11:15"
    assert _marketing_line(world, photo) == f"not allowed since {when} (a later consent refuses it)"
    listed = call("get", f"/api/clients/{world.grace.pk}/photos", token(world, world.practitioner)).json()
    assert [(p["id"], p["marketing_allowed"]) for p in listed["items"]] == [(photo.pk, False)]
    assert Photo.objects.get(pk=photo.pk).marketing_allowed is False  # read without the selectors' annotation


def test_a_later_consent_that_allows_marketing_keeps_the_photos(world: World) -> None:
    photo = _grace_photo(world)
    sign_consent(
        world.actor(world.practitioner),
        world.grace,
        "microneedling",
        signed_name="Grace Hopper",
        signer="client",
        photo_clinical=True,
        photo_marketing=True,
        now=timezone.now(),
    )
    assert _marketed(world) == [str(photo.pk)]
    assert _marketing_line(world, photo) == "allowed"
