"""Demo photos: drawn faces (no external files) at the standard face views on two of Ada's session dates."""

from __future__ import annotations

import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from pinpoint.core.photos import photo_sets
from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.photos.actions import PhotoInput, course_treatment, take_photo
from pinpoint.web.treatments.models import Session

__all__ = ["demo_photos", "drawn_face"]

_TURN = {"frontal": 0.0, "oblique_left": -0.45, "oblique_right": 0.45, "lateral_left": -0.9, "lateral_right": 0.9}


def drawn_face(view: str, marks: int, *, seed: int = 0, size: tuple[int, int] = (600, 800)) -> bytes:
    """A JPEG of a simple face turned as ``view`` says, with ``marks`` small scars on the cheeks (seeded)."""
    w, h = size
    im = Image.new("RGB", size, (214, 228, 240))
    d = ImageDraw.Draw(im)
    turn = _TURN.get(view, 0.0)
    cx, cy, rx, ry = w / 2, h * 0.48, w * 0.3, h * 0.34
    d.rectangle((cx - rx * 0.35, cy + ry * 0.7, cx + rx * 0.35, h), fill=(222, 184, 160))
    d.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=(233, 196, 170), outline=(170, 130, 110), width=3)
    shift = turn * rx * 0.8
    for side in (-1, 1):
        if abs(turn) > 0.8 and side * turn < 0:
            continue  # the far eye is hidden in profile
        ex = cx + shift + side * rx * 0.38 * (1 - abs(turn) * 0.5)
        d.ellipse(
            (ex - 18, cy - ry * 0.2 - 10, ex + 18, cy - ry * 0.2 + 10), fill=(255, 255, 255), outline=(60, 60, 60)
        )
        d.ellipse((ex - 7, cy - ry * 0.2 - 7, ex + 7, cy - ry * 0.2 + 7), fill=(70, 90, 120))
    nx = cx + shift * 1.25
    d.polygon(
        [(nx, cy - ry * 0.1), (nx + 22 * (1 + turn), cy + ry * 0.18), (nx - 10, cy + ry * 0.18)], fill=(214, 170, 150)
    )
    d.arc((nx - 55, cy + ry * 0.25, nx + 55, cy + ry * 0.5), 20, 160, fill=(150, 70, 70), width=5)
    rng = random.Random(f"{seed}-{view}")  # noqa: S311 - drawing, not security
    for _ in range(marks):
        mx = cx + shift + rng.choice((-1, 1)) * rng.uniform(rx * 0.3, rx * 0.7)
        my = cy + rng.uniform(0, ry * 0.35)
        d.ellipse((mx - 5, my - 5, mx + 5, my + 5), fill=(196, 120, 110))
    out = io.BytesIO()
    im.save(out, format="JPEG", quality=88)
    return out.getvalue()


def demo_photos(actor: Actor, sessions: list[Session]) -> int:
    """Take every standard view of each session's zones, with fewer scars at each later session; how many taken."""
    count = 0
    for n, session in enumerate(sessions):
        ev = evidence_for(actor.organization)
        course = session.course
        zones = [zp.zone for zp in course.plan_obj().zones]
        for ps in photo_sets(ev, zones, course_treatment(ev, course)):
            for v in ps.views:
                blob = drawn_face(v.id, marks=max(24 - 12 * n, 4), seed=n)
                upload = SimpleUploadedFile(f"{v.id}.jpg", blob, content_type="image/jpeg")
                data = PhotoInput(course=course, zone=ps.zone, view=v.id, taken_on=session.date, session=session)
                take_photo(actor, data, upload)
                count += 1
    return count
