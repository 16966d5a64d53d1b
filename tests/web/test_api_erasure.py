"""POST /api/clients/{id}/erase: the owner's read-and-write token erases, every other caller changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from pinpoint.core.erasure import pseudonym
from pinpoint.web.audit.models import Erasure
from pinpoint.web.clients.models import Client
from pinpoint.web.records.verify import verify_all
from tests.web.conftest import World, fingerprint
from tests.web.test_api import call, token

pytestmark = pytest.mark.django_db

REASON = {"reason": "  The client's written request of 2 March  "}


def erase(world: World, tok: str | None, body: Any = REASON, client: int | None = None) -> Any:
    return call("post", f"/api/clients/{client or world.ada.pk}/erase", tok, body)


def test_owner_write_token_erases_and_the_chain_still_verifies(world: World) -> None:
    r = erase(world, token(world, world.owner))
    assert r.status_code == 201, r.content
    body = r.json()
    row = Erasure.objects.get(client=world.ada)
    assert body["id"] == row.pk
    assert (body["client_id"], body["erased_by_id"], body["reason"]) == (
        world.ada.pk,
        world.owner.pk,
        "The client's written request of 2 March",
    )
    assert body["fields"] == len(row.fields) > 0
    ada = Client.objects.get(pk=world.ada.pk)
    assert (ada.full_name, ada.email, ada.phone, ada.birth_date) == (pseudonym(ada.pk), "", "", None)
    assert all(report.problem is None for report in verify_all())
    again = erase(world, token(world, world.owner))
    assert again.status_code == 409
    assert again.json()["detail"] == f"{pseudonym(ada.pk)}'s personal data was already erased"


@pytest.mark.parametrize("who", ["practitioner", "assistant"])
def test_other_roles_answer_403_and_change_nothing(world: World, who: str) -> None:
    tok = token(world, getattr(world, who))
    before = fingerprint()
    r = erase(world, tok)
    assert (r.status_code, r.json()["field"]) == (403, "authorization")
    assert fingerprint() == before


def test_reason_is_required_and_named(world: World) -> None:
    tok = token(world, world.owner)
    before = fingerprint()
    r = erase(world, tok, {"reason": "   "})
    assert r.status_code == 400
    assert r.json()["field"] == "reason"
    assert r.json()["detail"].startswith("say why the personal data is erased")
    r = erase(world, tok, {})
    assert r.status_code == 422
    assert fingerprint() == before


def test_no_token_read_token_and_another_organization(world: World) -> None:
    read, other = token(world, world.owner, scope="read"), token(world, world.home_user)
    before = fingerprint()
    assert erase(world, None).status_code == 401
    r = erase(world, read)
    assert (r.status_code, r.json()["field"]) == (403, "scope")
    r = erase(world, other)
    assert (r.status_code, r.json()["detail"]) == (404, "not found")
    assert fingerprint() == before
