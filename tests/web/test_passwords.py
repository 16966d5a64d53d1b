"""Password reset by email (a link that works once), password change, and signing out everywhere."""

from __future__ import annotations

import re

from django.contrib.sessions.models import Session
from django.core import mail
from django.urls import reverse

from tests.web.conftest import World

NEW = "a-much-better-passphrase-42"


def _link(body: str) -> str:
    found = re.search(r"http://testserver(/accounts/password/reset/[^\s]+/)", body)
    assert found is not None, body
    return found.group(1)


def test_reset_by_email_works_once(world: World) -> None:
    anonymous = world.login(None)
    assert 'id="forgot-password"' in anonymous.get(reverse("accounts:login")).content.decode()
    sent = anonymous.post(reverse("accounts:password_reset"), {"email": world.assistant.email})
    assert sent["Location"] == reverse("accounts:password_reset_done")
    unknown = anonymous.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert unknown["Location"] == reverse("accounts:password_reset_done")  # the same answer
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.assistant.email]
    assert message.subject == "Choose a new Pinpoint password"
    assert message.body.startswith(f"Hello {world.assistant.display_name},")
    link = _link(message.body)
    form = anonymous.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = anonymous.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert done["Location"] == reverse("accounts:password_reset_complete")
    world.assistant.refresh_from_db()
    assert world.assistant.check_password(NEW)
    again = anonymous.get(link, follow=True).content.decode()
    assert 'id="reset-invalid"' in again
    assert "This link no longer works" in again


def test_change_keeps_this_browser_and_signs_out_the_others(world: World) -> None:
    world.assistant.set_password("old-passphrase-that-works")
    world.assistant.save()
    here, there = world.login(world.assistant), world.login(world.assistant)
    response = here.post(
        reverse("accounts:password_change"),
        {"old_password": "old-passphrase-that-works", "new_password1": NEW, "new_password2": NEW},
    )
    assert response["Location"] == reverse("accounts:password_change_done")
    assert here.get(reverse("dashboard")).status_code == 200
    assert there.get(reverse("dashboard"))["Location"].startswith(reverse("accounts:login"))
    wrong = here.post(
        reverse("accounts:password_change"), {"old_password": "nope", "new_password1": NEW, "new_password2": NEW}
    )
    assert "Your old password was entered incorrectly" in wrong.content.decode()


def test_sign_out_everywhere_ends_every_session_of_the_user_only(world: World) -> None:
    a, b, other = world.login(world.assistant), world.login(world.assistant), world.login(world.owner)
    assert "Sign out everywhere" in a.get(reverse("accounts:sign_out_everywhere")).content.decode()
    response = a.post(reverse("accounts:sign_out_everywhere"))
    assert response["Location"] == reverse("accounts:login")
    for c in (a, b):
        assert c.get(reverse("dashboard"))["Location"].startswith(reverse("accounts:login"))
    assert other.get(reverse("dashboard")).status_code == 200
    left = [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()]
    assert str(world.assistant.pk) not in left
