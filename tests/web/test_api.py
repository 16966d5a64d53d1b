"""The REST API: tokens, the authorization matrix of every operation, pagination, errors, the docs page."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from pinpoint.web.accounts.models import User
from pinpoint.web.api.api import api
from pinpoint.web.api.models import ApiToken
from pinpoint.web.api.tokens import actor_for_token, create_token
from pinpoint.web.clients.models import Client
from tests.web.conftest import World, fingerprint

pytestmark = pytest.mark.django_db

VIEW_LOG = ("audit.RecordView", "audit.Seal", "audit.SealChain")
"""Reads are logged (who viewed which record): the only rows a read may add."""


def token(world: World, user: User, scope: str = "write", days: int = 30) -> str:
    org = user.memberships.get().organization
    return create_token(user, org, name="test", scope=scope, days=days).text


def call(method: str, path: str, tok: str | None = None, body: Any = None) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {tok}"} if tok else {}
    c = HttpClient()
    if body is None:
        return getattr(c, method)(path, **headers)
    return getattr(c, method)(path, data=json.dumps(body), content_type="application/json", **headers)


# --------------------------------------------------------------------------- tokens


def test_token_is_stored_as_its_sha256_only(world: World) -> None:
    text = token(world, world.owner)
    row = ApiToken.objects.get(user=world.owner)
    import hashlib

    assert text.startswith("pp_") and len(text) == 3 + 43
    assert row.token_sha256 == hashlib.sha256(text.encode()).hexdigest()
    assert row.prefix == text[:12]
    assert text not in json.dumps(list(ApiToken.objects.values()), default=str)


def test_expired_revoked_and_orphaned_tokens_answer_401(world: World) -> None:
    text = token(world, world.owner, days=1)
    row = ApiToken.objects.get(user=world.owner)
    later = timezone.now() + dt.timedelta(days=1, seconds=1)
    assert actor_for_token(text, now=later) is None
    assert call("get", "/api/clients", text).status_code == 200
    row.revoked_at = timezone.now()
    row.save(update_fields=["revoked_at"])
    r = call("get", "/api/clients", text)
    assert r.status_code == 401
    assert r.json()["field"] == "authorization"
    assert call("get", "/api/clients", text[:-1] + ("A" if text[-1] != "A" else "B")).status_code == 401


def test_token_acts_with_the_members_current_role(world: World) -> None:
    text = token(world, world.practitioner)
    m = world.practitioner.memberships.get()
    m.role = "assistant"
    m.save(update_fields=["role"])
    body = {"on": world.today.isoformat()}
    r = call("post", f"/api/sessions/{world.today_session.pk}/start", text, body)
    assert r.status_code == 403
    assert r.json()["field"] == "authorization"


def test_token_days_and_scope_are_checked(world: World) -> None:
    from pinpoint.core.errors import InputError

    with pytest.raises(InputError, match="1 to 366 days"):
        create_token(world.owner, world.clinic, name="x", scope="read", days=367)
    with pytest.raises(InputError, match="read or write"):
        create_token(world.owner, world.clinic, name="x", scope="admin", days=3)
    with pytest.raises(InputError, match="not a member"):
        create_token(world.owner, world.home, name="x", scope="read", days=3)


# --------------------------------------------------------------------------- the authorization matrix


def operations(world: World) -> list[tuple[str, str, Any, bool]]:
    """Every authenticated operation on a clinic object: (method, path, body, writes)."""
    today = world.today.isoformat()
    ada, course, session, pen = world.ada.pk, world.ada_course.pk, world.today_session.pk, world.pen.pk
    q = world.questionnaire.pk
    return [
        ("get", "/api/clients", None, False),
        ("post", "/api/clients", {"full_name": "New Person"}, True),
        ("get", f"/api/clients/{ada}", None, False),
        ("put", f"/api/clients/{ada}", {"full_name": "Ada King"}, True),
        ("get", f"/api/clients/{ada}/questionnaires", None, False),
        (
            "post",
            f"/api/clients/{ada}/questionnaires",
            {"taken_on": today, "answers": world.questionnaire.answers},
            True,
        ),
        ("get", f"/api/clients/{ada}/questionnaires/{q}", None, False),
        ("get", f"/api/clients/{ada}/consents", None, False),
        ("get", f"/api/consents/{world.consent.pk}", None, False),
        ("get", f"/api/clients/{ada}/courses", None, False),
        (
            "post",
            f"/api/clients/{ada}/courses",
            {"indication": "x", "zones": ["cheek"], "setting": "clinic", "start_on": today},
            True,
        ),
        ("get", f"/api/courses/{course}", None, False),
        ("post", f"/api/courses/{course}/book", None, True),
        ("get", f"/api/courses/{course}/sessions", None, False),
        ("get", f"/api/sessions/{session}", None, False),
        ("post", f"/api/sessions/{session}/start", {"on": today}, True),
        ("put", f"/api/sessions/{session}/record", {"notes": "draft"}, True),
        ("get", "/api/devices", None, False),
        ("post", "/api/devices", {"catalog_id": "x", "label": "Pen 2"}, True),
        ("get", f"/api/devices/{pen}", None, False),
        ("post", f"/api/devices/{pen}/retire", {"on": today}, True),
        ("post", f"/api/clients/{ada}/erase", {"reason": "The client's written request"}, True),
    ]


def test_every_operation_is_in_the_matrix(world: World) -> None:
    schema = api.get_openapi_schema()
    secured = {(m, p) for p, item in schema["paths"].items() for m, op in item.items() if op.get("security")}
    from tests.web.test_electrolysis_api import operations as electrolysis_operations  # their own matrix
    from tests.web.test_outcomes_api import operations as outcome_operations  # their own matrix
    from tests.web.test_photos_api import operations as photo_operations  # their own matrix: multipart upload
    from tests.web.test_scheduling_api import operations as schedule_operations  # their own matrix

    own = len(photo_operations(world)) + len(outcome_operations(world)) + len(electrolysis_operations(world))
    own += len(schedule_operations(world))
    assert len(secured) == len(operations(world)) + own == 22 + 3 + 7 + 7 + 7


def test_no_token_answers_401_and_changes_nothing(world: World) -> None:
    before = fingerprint()
    for method, path, body, _ in operations(world):
        r = call(method, path, None, body or ({} if method != "get" else None))
        assert r.status_code == 401, (method, path)
        assert r.json() == {
            "field": "authorization",
            "detail": "send a valid, unexpired API token as 'Authorization: Bearer TOKEN'",
            "errors": None,
        }
    assert fingerprint() == before


def test_another_organizations_token_answers_404_and_changes_nothing(world: World) -> None:
    text = token(world, world.home_user)
    before = fingerprint()
    for method, path, body, _ in operations(world):
        if path in ("/api/clients", "/api/devices"):
            continue  # the organization's own collections: listed below
        r = call(method, path, text, body or ({} if method != "get" else None))
        assert r.status_code == 404, (method, path, r.content)
        assert r.json()["detail"] == "not found"
    assert fingerprint() == before
    listed = call("get", "/api/clients", text).json()["items"]
    assert [c["full_name"] for c in listed] == [world.me.full_name]
    devices = call("get", "/api/devices", text).json()["items"]
    assert [d["id"] for d in devices] == [world.roller.pk]


def test_read_token_writing_answers_403_and_changes_nothing(world: World) -> None:
    text = token(world, world.owner, scope="read")
    before = fingerprint()
    for method, path, body, writes in operations(world):
        r = call(method, path, text, body or ({} if method != "get" else None))
        if writes:
            assert r.status_code == 403, (method, path)
            assert r.json()["field"] == "scope"
        else:
            assert r.status_code == 200, (method, path, r.content)
    after = fingerprint()
    assert {k: v for k, v in after.items() if k not in VIEW_LOG} == {
        k: v for k, v in before.items() if k not in VIEW_LOG
    }
    viewed = [row[4] for row in after["audit.RecordView"][len(before["audit.RecordView"]) :]]
    assert viewed == ["client", "questionnaire", "consent", "course", "session"]


def test_assistant_token_meets_the_same_permission_map_as_the_pages(world: World) -> None:
    text = token(world, world.assistant)
    before = fingerprint()
    r = call("post", f"/api/sessions/{world.today_session.pk}/start", text, {"on": world.today.isoformat()})
    assert (r.status_code, r.json()["field"]) == (403, "authorization")
    body = {"indication": "acne_scars", "zones": ["cheek"], "setting": "clinic", "start_on": world.today.isoformat()}
    r = call("post", f"/api/clients/{world.ada.pk}/courses", text, body)
    assert r.status_code == 403
    assert fingerprint() == before


def test_right_token_writes_through_the_actions(world: World) -> None:
    text = token(world, world.owner)
    r = call("post", "/api/clients", text, {"full_name": "  Rosalind Franklin ", "email": "RF@example.org"})
    assert r.status_code == 201
    made = Client.objects.get(pk=r.json()["id"])
    assert (made.full_name, made.email, made.organization_id) == (
        "Rosalind Franklin",
        "rf@example.org",
        world.clinic.pk,
    )
    r = call("post", "/api/clients", text, {"full_name": "Dup", "email": "rf@example.org"})
    assert r.status_code == 400
    assert r.json()["field"] == "email"
    r = call("post", "/api/devices", text, {"catalog_id": "penn", "label": "Pen 9"})
    assert r.status_code == 400
    assert r.json()["field"] == "catalog_id"
    assert "did you mean" in r.json()["detail"] or "unknown device" in r.json()["detail"]


def test_a_signed_session_answers_409(world: World) -> None:
    text = token(world, world.owner)
    assert world.signed.is_signed
    before = fingerprint()
    r = call("put", f"/api/sessions/{world.signed.pk}/record", text, {"notes": "late change"})
    assert r.status_code == 409
    assert r.json()["field"] == "session_id"
    assert fingerprint() == before


def test_session_read_has_its_zone_records(world: World) -> None:
    text = token(world, world.practitioner, scope="read")
    r = call("get", f"/api/sessions/{world.signed.pk}", text)
    assert r.status_code == 200
    data = r.json()
    assert data["status"] == "signed"
    assert data["content_hash"] == world.signed.content_hash
    assert [z["zone"] for z in data["zone_records"]] == [z.zone for z in world.signed.zone_records.order_by("pk")]


def test_questionnaire_carries_its_screening(world: World) -> None:
    text = token(world, world.owner, scope="read")
    q = world.questionnaire
    r = call("get", f"/api/clients/{world.ada.pk}/questionnaires/{q.pk}", text)
    assert r.status_code == 200
    data = r.json()
    assert data["screening"]["on"] == q.taken_on.isoformat()
    assert data["screening"]["verdict"] in ("proceed", "caution", "defer", "refer", "contraindicated")
    assert data["screening_error"] is None


# --------------------------------------------------------------------------- pagination and errors


def test_cursor_pagination_walks_every_client_once(world: World) -> None:
    text = token(world, world.owner, scope="read")
    seen: list[int] = []
    url = "/api/clients?limit=1"
    pages = 0
    while True:
        data = call("get", url, text).json()
        pages += 1
        seen += [c["id"] for c in data["items"]]
        if data["next_cursor"] is None:
            break
        url = f"/api/clients?limit=1&cursor={data['next_cursor']}"
    expected = list(Client.objects.filter(organization=world.clinic).order_by("pk").values_list("pk", flat=True))
    assert seen == expected
    assert pages == len(expected)


def test_a_forged_cursor_or_a_page_too_large_names_the_field(world: World) -> None:
    text = token(world, world.owner, scope="read")
    r = call("get", "/api/clients?cursor=eyJhZnRlciI6MX0:bogus", text)
    assert (r.status_code, r.json()["field"]) == (400, "cursor")
    first = call("get", "/api/clients?limit=1", text).json()["next_cursor"]
    r = call("get", f"/api/devices?cursor={first}", text)  # a cursor of another list
    assert (r.status_code, r.json()["field"]) == (400, "cursor")
    r = call("get", "/api/clients?limit=101", text)
    assert (r.status_code, r.json()["field"]) == (422, "limit")


def test_public_planners_answer_without_a_token(world: World) -> None:
    body = {"indication": "acne_scars", "zones": ["chek"], "setting": "clinic", "start": "2026-01-05"}
    r = call("post", "/api/plan", None, body)
    assert r.status_code == 400
    assert r.json()["field"] == "zone"
    assert r.json()["detail"] == "unknown zone 'chek'; did you mean 'cheek'?"
    body["zones"] = ["cheek"]
    r = call("post", "/api/plan", None, body)
    assert r.status_code == 200, r.content
    assert r.json()["schedule"][0]["date"] == "2026-01-05"
    r = call("post", "/api/plan", None, {**body, "setting": "spa"})
    assert (r.status_code, r.json()["field"]) == (422, "setting")
    r = call("get", "/api/evidence/zones?limit=2", None)
    assert r.status_code == 200
    assert len(r.json()["items"]) == 2
    assert r.json()["next_cursor"] is not None


def test_malformed_json_is_a_json_error(world: World) -> None:
    c = HttpClient()
    r = c.post("/api/screen", data="{not json", content_type="application/json")
    assert r.status_code in (400, 422)
    assert set(r.json()) == {"field", "detail", "errors"}


# --------------------------------------------------------------------------- pages


def test_tokens_page_shows_a_new_token_once(world: World) -> None:
    c = world.login(world.assistant)
    r = c.post("/api/tokens/", {"name": "script", "scope": "read", "days": "10"})
    assert r.status_code == 200
    row = ApiToken.objects.get(user=world.assistant)
    html = r.content.decode()
    assert row.prefix in html
    text = html.split('<code id="token-text">')[1].split("</code>")[0]
    assert actor_for_token(text) is not None
    again = c.get("/api/tokens/").content.decode()
    assert text not in again and row.prefix in again
    c.post(f"/api/tokens/{row.pk}/revoke/")
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert call("get", "/api/clients", text).status_code == 401


def test_someone_elses_token_cannot_be_revoked(world: World) -> None:
    token(world, world.owner)
    row = ApiToken.objects.get(user=world.owner)
    world.login(world.assistant).post(f"/api/tokens/{row.pk}/revoke/")
    row.refresh_from_db()
    assert row.revoked_at is None


def test_docs_page_lists_every_operation_without_any_script(world: World) -> None:
    r = HttpClient().get("/api/docs")
    assert r.status_code == 200
    html = r.content.decode()
    assert html.count("<tr><td><code>") == 30 + 3 + 7 + 7 + 7  # photos 3, follow-up 7, electrolysis 7, schedule 7
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts == ['<script src="/static/pinpoint/pinpoint.js" defer></script>'[:-9]]
    assert "cdn" not in html.lower()
    schema = HttpClient().get("/api/openapi.json").json()
    assert schema["openapi"] == "3.1.0"
