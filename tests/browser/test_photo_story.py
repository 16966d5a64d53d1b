"""The photo story in chromium against a real ``pinpoint serve``: a practitioner takes the standard face
views in today's session (the file input set as a phone's camera would), each with last time's photo
faintly over the frame, then compares them with the previous session side by side and with the slider.
Every photo page is saved at 1280×800 and 390×844 to var/screenshots/ (never wider than the phone).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from pinpoint.web.demo import DEMO_PASSWORD, LOGINS
from pinpoint.web.photos.demo import drawn_face
from tests.browser.conftest import PHONE, Server
from tests.browser.pages import shot, sign_in

pytestmark = pytest.mark.browser

OWNER, PRACTITIONER = LOGINS[0], LOGINS[1]
FACE = {
    "frontal": "Front",
    "oblique_left": "Left three-quarter",
    "oblique_right": "Right three-quarter",
    "lateral_left": "Left profile",
    "lateral_right": "Right profile",
}


IMAGES_LOADED = "[...document.images].filter(i => i.getAttribute('src')).every(i => i.complete && i.naturalWidth > 0)"
# A lazy image loads only near the viewport, and never while hidden (a ghost under a taken photo): the screenshot
# wants them all, so they are switched to eager, which starts every pending load at once.
EAGER = "document.querySelectorAll('img[loading=lazy]').forEach(i => { i.loading = 'eager'; })"
PENDING = (
    "[...document.images].filter(i => i.getAttribute('src') && !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
)


def _loaded(page: Any) -> None:
    """Every image loaded, the lazy ones too, before a screenshot."""
    page.evaluate(EAGER)
    _wait_images(page)


def _wait_images(page: Any, seconds: float = 30.0) -> None:  # a loaded 2-core machine needs the margin
    """Poll from here: the page's Content-Security-Policy forbids the string evaluation wait_for_function uses."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(IMAGES_LOADED):
        assert time.monotonic() < deadline, (
            f"images of {page.url} did not load within {seconds:.0f} s: {page.evaluate(PENDING)}"
        )
        time.sleep(0.05)


def _shots(context: Any, page: Any, folder: Path, name: str) -> None:
    """The page at 1280×800, then in a phone-sized tab (390×844): saved, and never wider than the phone."""
    _loaded(page)
    shot(page, folder, name)
    tab = context.new_page()
    try:
        tab.set_viewport_size(PHONE)
        tab.goto(page.url)
        _loaded(tab)
        shot(tab, folder, f"phone_{name}")
        overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name}: the page is {overflow} px wider than a phone screen"
        wide = tab.evaluate(
            "[...document.images].filter(i => i.getBoundingClientRect().right > window.innerWidth).length"
        )
        assert wide == 0, f"{name}: {wide} images run off the edge of a phone screen"
    finally:
        tab.close()


def test_photo_story(server: Server, open_browser: Any, shots_dir: Path, tmp_path: Path) -> None:
    """Take the five face views in Ada's session today, then compare today with her first session."""
    ((ada,),) = server.query("SELECT id FROM clients_client WHERE full_name = 'Ada Lovelace'")
    sessions = server.query(
        "SELECT id, performed_on, scheduled_on FROM treatments_session WHERE client_id = ? ORDER BY number", ada
    )
    today_session = sessions[1][0]
    before = server.query("SELECT count(*) FROM photos_photo WHERE session_id = ?", today_session)[0][0]
    context = open_browser("UTC")
    page = context.new_page()
    base = server.url
    sign_in(page, base, PRACTITIONER[0], DEMO_PASSWORD)

    step = f"{base}/photos/sessions/{today_session}/"
    page.goto(step)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ada Lovelace")
    zone = page.locator("section.card[id^=set-]").first.get_attribute("id").removeprefix("set-")  # type: ignore[union-attr]
    for view, name in FACE.items():
        card = page.locator(f"#view-{zone}-{view}")
        expect(card.get_by_role("heading", level=3)).to_contain_text(name)
        expect(card.locator("[data-photo-ghost]")).to_have_count(1)  # last time's photo, to line up with
        path = tmp_path / f"{view}.jpg"
        path.write_bytes(drawn_face(view, 6, seed=7))
        card.locator("input[type=file]").set_input_files(str(path))
        expect(card.locator("[data-photo-preview]")).to_be_visible()  # the chosen photo under the faint overlay
        if view == "frontal":
            shot(page, shots_dir, "photos_take_preview")
        page.locator(f"#save-{zone}-{view}").click()
        expect(page.locator(".messages")).to_contain_text("Photo saved.")
        expect(page.locator(f"#view-{zone}-{view} h3 .ok")).to_have_text("taken")
    after = server.query("SELECT count(*) FROM photos_photo WHERE session_id = ?", today_session)[0][0]
    assert after == before + 5
    _shots(context, page, shots_dir, "photos_session_step")

    # The client's photos by view, then the front view compared across dates.
    photos = f"{base}/photos/clients/{ada}/"
    page.goto(photos)
    expect(page.locator("#row-face-frontal .photo-thumb")).to_have_count(2)  # two dates: the first session, today
    _shots(context, page, shots_dir, "photos_client")
    page.locator("#compare-face-frontal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Front: Ada Lovelace")
    expect(page.locator("#side-by-side figure")).to_have_count(2)
    top = page.locator("[data-photo-slider-top]")
    expect(top).to_have_attribute("style", "clip-path: inset(0px 50% 0px 0px);")
    page.locator("#slider-range").fill("20")
    expect(top).to_have_attribute("style", "clip-path: inset(0px 80% 0px 0px);")
    _wait_images(page)
    base_img, top_img = page.locator(".photo-slider-base"), top
    assert base_img.bounding_box() == top_img.bounding_box()  # the two dates exactly over each other
    _shots(context, page, shots_dir, "photos_compare")

    page.locator("#side-by-side figure a").last.click()
    expect(page.locator("#photo-consent")).to_contain_text("clinical record")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Face, front: ")
    _shots(context, page, shots_dir, "photos_detail")

    # Having compared, the practitioner scores the improvement (GAIS) and reports a reaction after the first session.
    ((course,),) = server.query("SELECT course_id FROM treatments_session WHERE id = ?", today_session)
    first_session = sessions[0][0]
    today = server.query("SELECT scheduled_on FROM treatments_session WHERE id = ?", today_session)[0][0]
    scores = server.query("SELECT count(*) FROM outcomes_assessment WHERE course_id = ?", course)[0][0]
    page.goto(f"{base}/follow-up/courses/{course}/")
    form = page.locator("#score-form")
    form.get_by_label("Scale").select_option("gais")
    form.get_by_label("Rated by").select_option("practitioner")
    form.get_by_label("Date").fill(str(today))
    form.get_by_label("Score").fill("2")
    page.locator("#score-save").click()
    assert server.query(
        "SELECT scale, rater, value FROM outcomes_assessment WHERE course_id = ? ORDER BY id DESC LIMIT 1", course
    ) == [("gais", "practitioner", 2)]
    assert server.query("SELECT count(*) FROM outcomes_assessment WHERE course_id = ?", course)[0][0] == scores + 1

    events = server.query("SELECT count(*) FROM outcomes_adverseevent")[0][0]
    page.goto(f"{base}/follow-up/sessions/{first_session}/adverse-event/")
    report = page.locator("#adverse-form")
    report.get_by_label("What happened").select_option("prolonged_erythema")
    report.get_by_label("Mild").check()
    report.get_by_label("Began on").fill(str(sessions[0][1]))
    report.locator("input[name=zones]").first.check()
    report.get_by_label("What was done").fill("Cool compresses; reviewed after 3 days")
    page.locator("#adverse-save").click()
    assert server.query("SELECT count(*) FROM outcomes_adverseevent")[0][0] == events + 1
    assert server.query("SELECT kind, severity FROM outcomes_adverseevent ORDER BY id DESC LIMIT 1") == [
        ("prolonged_erythema", "mild")
    ]

    owner_context = open_browser("UTC")
    owner = owner_context.new_page()
    sign_in(owner, base, OWNER[0], DEMO_PASSWORD)
    owner.goto(f"{base}/photos/marketing/")
    _shots(owner_context, owner, shots_dir, "photos_marketing")
