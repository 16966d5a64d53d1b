"""The session runner on a 390 x 844 phone: the ticks survive the anaesthetic countdown, a refused
signature answers with an error summary at the top (focused, each error a link to its field),
everything typed and ticked is kept, and the signed record shows the anaesthetic.

The runner is reached on its own ``pinpoint serve`` (its own data directory), with a running
session prepared through Pinpoint's actions, so the other stories' demo data stay as they are.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from pinpoint.web.demo import DEMO_PASSWORD, LOGINS
from tests.browser.conftest import DESKTOP, PHONE, Server, _wait_ready, free_port
from tests.browser.pages import shot, sign_in

PRACTITIONER = LOGINS[1]
LMX4 = "Liposomal lidocaine 4% (LMX4)"

PREPARE = """
import datetime as dt
import django
django.setup()
from django.utils import timezone
from pinpoint.web.accounts.models import Membership, Organization, User
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.clients.actions import ClientData, create_client, record_questionnaire
from pinpoint.web.consents.actions import sign_consent
from pinpoint.web.demo import _answers
from pinpoint.web.treatments import actions as tx

org = Organization.objects.get(name="Demo Clinic")
user = User.objects.get(email=%(email)r)
actor = Actor(user=user, organization=org, role=Membership.objects.get(organization=org, user=user).role)
today = timezone.localdate()
born = dt.date(1980, 7, 25)
rosa = create_client(actor, ClientData(full_name="Rosalind Franklin", birth_date=born))
record_questionnaire(actor, rosa, _answers(["cheek", "forehead"], born, "clinic"), today)
sign_consent(actor, rosa, "microneedling", signed_name="Rosalind Franklin", signer="client",
             photo_clinical=True, photo_marketing=False, now=timezone.now())
data = tx.CourseData(indication="acne_scars", zones=("cheek", "forehead"), setting="clinic", start_on=today,
                     device="pen_14")
course = tx.create_course(actor, rosa, data)
first, *_ = tx.book_sessions(actor, course)
tx.start_session(actor, first, today)
print(first.pk)
"""


@pytest.fixture(scope="module")
def runner_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, int]]:
    """A ``pinpoint serve`` of its own with the demo, and the id of a session started today."""
    data = tmp_path_factory.mktemp("pinpoint-runner")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"PINPOINT_DATA_DIR": str(data), "PINPOINT_PROFILE": "development", "PYTHONUNBUFFERED": "1"}
    log = data / "server.log"
    cmd = [sys.executable, "-m", "pinpoint.cli.main", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=data, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(proc, url, log)
        env["DJANGO_SETTINGS_MODULE"] = "pinpoint.web.settings"
        prepared = subprocess.run(
            [sys.executable, "-c", PREPARE % {"email": PRACTITIONER[0]}],
            cwd=data,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert prepared.returncode == 0, prepared.stderr[-3000:]
        yield Server(url=url, database=data / "pinpoint.sqlite3", log=log), int(prepared.stdout.split()[-1])
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _both_sizes(page: Any, folder: Path, name: str) -> int:
    """Screenshots at desk and phone size; the page's height on the phone (px)."""
    page.set_viewport_size(DESKTOP)
    shot(page, folder, f"runner_desk_{name}")
    page.set_viewport_size(PHONE)
    shot(page, folder, f"runner_phone_{name}")
    return int(page.evaluate("document.documentElement.scrollHeight"))


def test_the_runner_on_a_phone_keeps_ticks_and_sums_up_a_refused_signature(
    runner_server: tuple[Server, int], open_browser: Any, shots_dir: Path
) -> None:
    server, pk = runner_server
    context = open_browser("UTC")
    page = context.new_page()
    page.set_viewport_size(PHONE)
    sign_in(page, server.url, PRACTITIONER[0], DEMO_PASSWORD)
    run_url = f"{server.url}/sessions/{pk}/run/"
    page.goto(run_url)
    expect(page.locator("#draft-saved")).to_have_count(0)

    # Two steps ticked, then the countdown: both stay ticked, saved with the draft.
    page.locator("#step-0").check()
    page.locator("#step-3").check()
    page.get_by_role("button", name="Anaesthetic applied: start the countdown").click()
    expect(page).to_have_url(run_url + "#anaesthetic")
    expect(page.locator("#anaesthetic-countdown")).to_have_text(re.compile(r"^\d\d:\d\d$"))
    expect(page.locator("#step-0")).to_be_checked()
    expect(page.locator("#step-3")).to_be_checked()
    expect(page.locator("#step-1")).not_to_be_checked()
    [(checklist, saved_at)] = server.query("SELECT checklist, draft_saved_at FROM treatments_session WHERE id = ?", pk)
    assert checklist == "[0, 3]"
    saved = re.search(r"(\d\d:\d\d):\d\d", saved_at)
    assert saved is not None
    expect(page.locator("#draft-saved")).to_have_text(f"Draft saved at {saved.group(1)}.")
    expect(page.locator("#anaesthetic-times")).to_contain_text("ready at")
    height = _both_sizes(page, shots_dir, "before_signing")
    print(f"runner height at 390x844 before signing: {height} px")

    # One zone at a time: the first is open, the second opens from its summary (and the first closes).
    first, second = (str(z.get_attribute("id")).removeprefix("zone-") for z in page.locator("details.zone").all())
    expect(page.locator(f"#zone-{first}")).to_have_attribute("open", "")
    expect(page.locator(f"#zone-{second} .zone-progress")).to_have_text("Zone 2 of 2")
    page.locator(f"#zone-{second} > summary").click()
    expect(page.locator(f"#zone-{second}")).to_have_attribute("open", "")
    expect(page.locator(f"#zone-{first}")).not_to_have_attribute("open", "")

    # A depth beyond the zone's range, no passes on the other zone, signed during the countdown: refused.
    page.locator(f"#zone-{second}").get_by_label("Needle depth (mm)").fill("0.5")
    page.locator(f"#zone-{first} > summary").click()
    page.locator(f"#zone-{first}").get_by_label("Needle depth (mm)").fill("9")
    page.locator(f"#zone-{first}").get_by_role("spinbutton", name="Passes").fill("4")
    page.get_by_label("I confirm this record is complete and accurate").check()
    page.get_by_role("button", name="Sign the session").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_be_in_viewport()
    targets = [a.get_attribute("href") for a in summary.locator("a").all()]
    assert targets == [f"#id_{first}-depth_mm", f"#id_{second}-passes", "#id_needled_before_ready"]
    expect(summary.locator("a").nth(2)).to_contain_text(f"{LMX4} went on at")
    # everything kept: the confirmation, the ticks, the values typed
    expect(page.get_by_label("I confirm this record is complete and accurate")).to_be_checked()
    expect(page.locator("#step-0")).to_be_checked()
    expect(page.locator("#step-3")).to_be_checked()
    expect(page.locator(f"#id_{first}-depth_mm")).to_have_value("9")
    expect(page.locator(f"#id_{second}-depth_mm")).to_have_value("0.5")
    assert server.query("SELECT status FROM treatments_session WHERE id = ?", pk) == [("in_progress",)]
    height = _both_sizes(page, shots_dir, "refused")
    print(f"runner height at 390x844 after a refused signature: {height} px")

    # A link of the summary goes to its field, opening its zone, with the error beside the field too.
    page.locator("#error-summary a").first.click()
    expect(page.locator(f"#id_{first}-depth_mm")).to_be_focused()
    expect(page.locator(f"#id_{first}-depth_mm")).to_be_in_viewport()
    expect(page.locator(f"#zone-{first} .errorlist").first).to_be_visible()

    # Corrected, the early needling acknowledged: signed, and the record shows the anaesthetic.
    page.locator(f"#id_{first}-depth_mm").fill("0.5")
    page.locator("#error-summary a").nth(1).click()
    expect(page.locator(f"#id_{second}-passes")).to_be_focused()
    page.locator(f"#id_{second}-passes").fill("4")
    page.get_by_label("Needled before the anaesthetic was ready").check()
    page.get_by_role("button", name="Sign the session").click()
    expect(page).to_have_url(f"{server.url}/sessions/{pk}/")
    expect(page.locator("#hash-ok")).to_be_visible()
    expect(page.locator("#record-anaesthetic")).to_contain_text(f"Topical anaesthetic: {LMX4}, on at ")
    expect(page.locator("#record-needled-early")).to_have_text("Needled before it was ready (acknowledged at signing).")
    expect(page.locator("#signed-aftercare h2")).to_have_text("Aftercare handed over")
    _both_sizes(page, shots_dir, "signed_record")
