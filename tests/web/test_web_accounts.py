"""Sign-up, sign-in with lock-out, invitations, roles, organization settings and policy overrides."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from pinpoint.web.accounts.actions import invite, token_hash
from pinpoint.web.accounts.models import Invitation, Membership, Organization, User
from pinpoint.web.clients.models import Client
from tests.web.conftest import World, fingerprint

PASSWORD = "correct-horse-7"  # noqa: S105 - a test account's password

SIGNUP = {
    "kind": "personal",
    "full_name": "Sam Self",
    "password1": "violet-harbour-93",
    "password2": "violet-harbour-93",
    "organization_name": "",
    "time_zone": "Europe/Paris",
    "birth_date": "1990-04-01",
}
LINK = re.compile(r"^http://testserver(/accounts/signup/[^/\s]+/)$", re.MULTILINE)
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


def signup_link(client: Any, email: str, kind: str = "personal") -> str:
    """Step one of sign-up; the path of the link the email carries."""
    mail.outbox.clear()
    sent = client.post(reverse("accounts:signup"), {"email": email, "kind": kind})
    assert sent.status_code == 200
    (message,) = mail.outbox
    found = LINK.search(message.body)
    assert found is not None, message.body
    return found.group(1)


def test_personal_signup_creates_the_space_its_owner_and_their_own_client(world: World, settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    client = world.login(None)
    link = signup_link(client, "Sam@Example.org")
    assert User.objects.filter(email="sam@example.org").count() == 0  # nothing before the link is opened
    form = client.get(link)
    assert b'<strong id="signup-email">sam@example.org</strong>' in form.content
    assert form.context["form"]["kind"].value() == "personal"
    response = client.post(link, SIGNUP)
    assert response["Location"] == reverse("dashboard")
    user = User.objects.get(email="sam@example.org")
    assert user.password.startswith("argon2$argon2id$")
    membership = Membership.objects.select_related("organization").get(user=user)
    assert (membership.role, membership.organization.kind, membership.organization.time_zone) == (
        "owner",
        "personal",
        "Europe/Paris",
    )
    me = Client.objects.get(organization=membership.organization)
    assert (me.full_name, me.is_self, me.birth_date) == ("Sam Self", True, dt.date(1990, 4, 1))
    dashboard = client.get(reverse("dashboard"))
    assert b'id="step-questionnaire"' in dashboard.content


def test_a_repeated_signup_signs_in_and_creates_nothing_twice(world: World) -> None:
    link = signup_link(world.login(None), "sam@example.org")
    first = world.login(None).post(link, SIGNUP)
    second = world.login(None).post(link, SIGNUP)
    assert first["Location"] == second["Location"] == reverse("dashboard")
    assert Membership.objects.filter(user__email="sam@example.org").count() == 1
    assert Organization.objects.filter(memberships__user__email="sam@example.org").count() == 1
    other_password = world.login(None).post(
        link, SIGNUP | {"password1": "amber-lantern-42", "password2": "amber-lantern-42"}
    )
    assert other_password.status_code == 200
    assert other_password.context["form"].non_field_errors() == [
        "an account with this email already exists; sign in instead"
    ]


def test_signup_errors_are_beside_their_fields_and_create_nothing(world: World) -> None:
    client = world.login(None)
    before = fingerprint()
    bad_email = client.post(reverse("accounts:signup"), {"email": "not an email", "kind": "personal"})
    assert bad_email.context["form"].errors["email"] == ["Enter a valid email address."]
    link = signup_link(client, "sam@example.org")
    cases = [
        ({"kind": "clinic"}, "organization_name", "give the clinic's name"),
        ({"password2": "something-else-1"}, "password2", "the two passwords differ"),
        ({"password1": "12345678901", "password2": "12345678901"}, "password1", "This password is entirely numeric."),
        ({"birth_date": "1990-13-01"}, "birth_date", "Enter a date, like 3 March 2026."),
        (
            {"time_zone": "Mars/Olympus"},
            "time_zone",
            "Select a valid choice. Mars/Olympus is not one of the available choices.",
        ),
    ]
    for change, field, message in cases:
        response = client.post(link, SIGNUP | change)
        assert response.status_code == 200
        assert message in response.context["form"].errors[field]
    assert fingerprint() == before


def test_signup_answers_the_same_whether_or_not_the_email_has_an_account(world: World) -> None:
    """No account enumeration: same status and page; only the mailbox's owner learns which mail it is."""
    before = fingerprint()
    answers = []
    for email in (world.owner.email, "new.person@example.org", world.owner.email.upper()):
        mail.outbox.clear()
        response = world.login(None).post(reverse("accounts:signup"), {"email": email, "kind": "clinic"})
        answers.append((response.status_code, CSRF.sub(b"", response.content), sorted(response.cookies)))
        assert "_auth_user_id" not in response.wsgi_request.session
        (message,) = mail.outbox
        assert message.to == [email.lower()]
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][0] == 200
    assert b"We sent a message to the address you gave." in answers[0][1]
    assert fingerprint() == before  # nothing written for either

    mail.outbox.clear()
    world.login(None).post(reverse("accounts:signup"), {"email": world.owner.email, "kind": "personal"})
    (exists,) = mail.outbox
    assert (exists.subject, exists.from_email) == (
        "You already have a Pinpoint account",
        "Pinpoint <pinpoint@localhost>",
    )
    assert exists.body == (
        "Hello,\n\n"
        f"Someone, hopefully you, asked to create a Pinpoint account for {world.owner.email}.\n"
        "You already have one with this address, so nothing new was created. Sign in here:\n\n"
        "http://testserver/accounts/login/\n\n"
        "If it was not you, ignore this email: your account has not changed.\n"
    )
    link = signup_link(world.login(None), "new.person@example.org")
    (new,) = mail.outbox
    assert new.subject == "Create your Pinpoint account"
    assert new.body == (
        "Hello,\n\n"
        "Someone, hopefully you, asked to create a Pinpoint account for new.person@example.org.\n"
        "To go on, open this link within 2 days:\n\n"
        f"http://testserver{link}\n\n"
        "If it was not you, ignore this email: nothing is created without the link.\n"
    )


def test_a_signup_link_is_signed_and_expires(world: World, monkeypatch: Any) -> None:
    link = signup_link(world.login(None), "sam@example.org", kind="clinic")
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert world.login(None).get(link).context["form"]["kind"].value() == "clinic"
    forged = token.replace("sam@", "eve@") if "sam@" in token else token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    for bad in (forged, token[:-1], "nonsense"):
        response = world.login(None).post(reverse("accounts:signup_confirm", args=[bad]), SIGNUP)
        assert response.status_code == 404
        assert b'id="signup-invalid"' in response.content
    later = time.time() + 2 * 86400 + 5
    monkeypatch.setattr(signing.time, "time", lambda: later)
    expired = world.login(None).post(link, SIGNUP)
    assert expired.status_code == 404
    assert not User.objects.filter(email="sam@example.org").exists()


def test_login_locks_out_after_repeated_failures(world: World, settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    user = User.objects.create_user(email="lock@example.org", password=PASSWORD)
    client = world.login(None)
    url = reverse("accounts:login")
    for _ in range(2):
        failed = client.post(url, {"username": "lock@example.org", "password": "wrong"})
        assert failed.status_code == 200
        assert failed.context["form"].non_field_errors()
    locked = client.post(url, {"username": "lock@example.org", "password": "wrong"})
    assert locked.status_code == 429
    again = client.post(url, {"username": "lock@example.org", "password": PASSWORD})
    assert again.status_code == 429
    assert b'id="locked-message"' in again.content
    assert "_auth_user_id" not in client.session
    other = world.login(None).post(url, {"username": "other@example.org", "password": "x"})
    assert other.status_code == 200  # the lock is per account (and address), not global
    assert user.last_login is None


def test_login_with_email_and_password(world: World) -> None:
    User.objects.create_user(email="in@example.org", password=PASSWORD)
    client = world.login(None)
    response = client.post(reverse("accounts:login"), {"username": "IN@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(email="in@example.org").pk)


def test_invitation_link_creates_the_account_and_membership_once(world: World) -> None:
    owner = world.login(world.owner)
    response = owner.post(reverse("accounts:members"), {"email": "Nia@Example.org", "role": "practitioner"})
    link = response.context["link"]
    token = link.rstrip("/").rsplit("/", 1)[-1]
    inv = Invitation.objects.get(email="nia@example.org")
    assert inv.token_sha256 == token_hash(token)
    assert token not in str(Invitation.objects.values_list())  # only its hash is stored
    guest = world.login(None)
    accept = reverse("accounts:accept", args=[token])
    short = guest.post(accept, {"full_name": "Nia N", "password1": "abc", "password2": "abc"})
    assert short.context["form"].errors["password1"][0].startswith("This password is too short.")
    joined = guest.post(
        accept, {"full_name": "Nia N", "password1": "lantern-quiet-58", "password2": "lantern-quiet-58"}
    )
    assert joined["Location"] == reverse("dashboard")
    m = Membership.objects.get(user__email="nia@example.org")
    assert (m.organization, m.role) == (world.clinic, "practitioner")
    assert world.login(None).get(accept).status_code == 404  # used


def test_an_invitation_is_for_its_address_and_expires(world: World) -> None:
    now = timezone.now()
    _, token = invite(world.actor(world.owner), "zoe@example.org", "assistant", now - dt.timedelta(days=8))
    assert world.login(None).get(reverse("accounts:accept", args=[token])).status_code == 404
    _, token = invite(world.actor(world.owner), "zoe@example.org", "assistant", now)
    stranger = world.login(world.home_user)
    response = stranger.post(reverse("accounts:accept", args=[token]))
    assert response.context["error"] == "this invitation is for zoe@example.org; sign in with that address"
    assert not Membership.objects.filter(user=world.home_user, organization=world.clinic).exists()
    assert world.login(None).get("/accounts/invitations/not-a-token/").status_code == 404


def test_a_personal_space_invites_nobody(world: World) -> None:
    response = world.login(world.home_user).post(
        reverse("accounts:members"), {"email": "x@example.org", "role": "owner"}
    )
    assert response.context["form"].errors["email"] == [
        "a personal space has one user; create a clinic to work with others"
    ]


def test_the_last_owner_keeps_the_organization(world: World) -> None:
    owner = world.login(world.owner)
    mine = Membership.objects.get(user=world.owner)
    owner.post(reverse("accounts:member_role", args=[mine.pk]), {"role": "assistant"})
    owner.post(reverse("accounts:member_remove", args=[mine.pk]))
    assert Membership.objects.get(pk=mine.pk).role == "owner"
    page = owner.get(reverse("accounts:members"))
    assert [str(m) for m in page.context["messages"]] == [
        "the organization needs at least one owner",
        "the organization needs at least one owner",
    ]
    owner.post(
        reverse("accounts:member_role", args=[Membership.objects.get(user=world.practitioner).pk]), {"role": "owner"}
    )
    owner.post(reverse("accounts:member_role", args=[mine.pk]), {"role": "assistant"})
    assert Membership.objects.get(pk=mine.pk).role == "assistant"


def test_policy_overrides_are_checked_by_the_evidence_base(world: World) -> None:
    owner = world.login(world.owner)
    url = reverse("accounts:policy")
    before = fingerprint()
    bad = owner.post(url, {"home_depth_cap_mm": "3"})
    assert bad.context["form"].errors["home_depth_cap_mm"] == [
        "policy 'home_depth_cap_mm' = 3 mm is outside the allowed 0.1-1 mm"
    ]
    nan = owner.post(url, {"roller_replacement_uses": "nan"})
    assert nan.context["form"].errors["roller_replacement_uses"] == ["Enter a number."]
    assert fingerprint() == before
    assert owner.post(url, {"roller_replacement_uses": "5"}).status_code == 302
    assert Organization.objects.get(pk=world.clinic.pk).policy_overrides == {"roller_replacement_uses": 5.0}


def test_organization_settings(world: World) -> None:
    owner = world.login(world.owner)
    bad = owner.post(reverse("accounts:settings"), {"name": "", "time_zone": "Nowhere/Else"})
    assert set(bad.context["form"].errors) == {"name", "time_zone"}
    owner.post(reverse("accounts:settings"), {"name": "Renamed Clinic", "time_zone": "Australia/Sydney"})
    org = Organization.objects.get(pk=world.clinic.pk)
    assert (org.name, org.time_zone) == ("Renamed Clinic", "Australia/Sydney")


def test_a_user_of_two_organizations_switches_between_them(world: World) -> None:
    Membership.objects.create(organization=world.home, user=world.practitioner, role="assistant")
    client = world.login(world.practitioner)
    assert client.get(reverse("clients:detail", args=[world.ada.pk])).status_code == 200
    client.post(reverse("accounts:switch"), {"organization": world.home.pk})
    assert client.get(reverse("clients:detail", args=[world.ada.pk])).status_code == 404
    assert client.get(reverse("clients:detail", args=[world.me.pk])).status_code == 200
    assert client.get(reverse("accounts:members")).status_code == 403  # an assistant there


def test_a_user_without_organization_is_sent_to_create_one(world: World) -> None:
    lone = User.objects.create_user(email="lone@example.org")
    client = world.login(lone)
    assert client.get(reverse("dashboard"))["Location"] == reverse("accounts:start")
    key = "0b8f5c3e-8d3c-4c4e-9f47-6f0d7e1a2b3c"
    form = {"kind": "clinic", "organization_name": "Lone Clinic", "time_zone": "UTC", "submission_id": key}
    client.post(reverse("accounts:start"), form)
    client.post(reverse("accounts:start"), form)  # reload: nothing twice
    assert Organization.objects.filter(name="Lone Clinic").count() == 1
    assert client.get(reverse("dashboard")).status_code == 200
