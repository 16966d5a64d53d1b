"""Planning electrolysis before its questionnaire links to the questionnaire with needle electrolysis chosen."""

from __future__ import annotations

import re

from django.urls import reverse

from tests.web.conftest import World


def _chosen(page: str) -> list[str]:
    select = re.search(r'<select name="treatment".*?</select>', page, re.S)
    assert select is not None
    return re.findall(r'<option value="(\w+)"[^>]*\bselected\b', select.group(0))


def test_the_plan_page_links_the_electrolysis_questionnaire_with_the_treatment_chosen(world: World) -> None:
    c = world.login(world.practitioner)
    page = c.get(reverse("electrolysis:course_new", args=[world.ada.pk])).content.decode()
    url = reverse("clients:questionnaire_new", args=[world.ada.pk]) + "?treatment=electrolysis"
    assert f'href="{url}" id="el-questionnaire"' in page
    assert _chosen(c.get(url).content.decode()) == ["electrolysis"]
    plain = c.get(reverse("clients:questionnaire_new", args=[world.ada.pk])).content.decode()
    assert _chosen(plain) == ["microneedling"]  # Ada's last questionnaire, as before
    unknown = c.get(reverse("clients:questionnaire_new", args=[world.ada.pk]), {"treatment": "laser"})
    assert unknown.status_code == 200 and _chosen(unknown.content.decode()) == ["microneedling"]
