"""The web app's choices are core's vocabularies: forms and model fields offer exactly them."""

from __future__ import annotations

from typing import Any

from pinpoint.core.vocab import ROMAN, setting_choices, skin_type_choices, treatment_choices
from pinpoint.evidence.loader import load_evidence
from pinpoint.web.clients.forms import QuestionnaireForm, initial_from_answers
from pinpoint.web.consents.forms import TemplateForm
from pinpoint.web.consents.models import Consent, ConsentTemplate
from pinpoint.web.treatments.forms import CourseForm


def _choices(field: Any) -> list[tuple[str, str]]:
    return [(str(v), str(label)) for v, label in field.choices if v != ""]


def test_forms_and_models_offer_core_vocabularies() -> None:
    ev = load_evidence()
    questionnaire = QuestionnaireForm(evidence=ev)
    course = CourseForm(evidence=ev, personal=False)
    assert _choices(questionnaire.fields["treatment"]) == list(treatment_choices())
    assert _choices(questionnaire.fields["setting"]) == list(setting_choices())
    assert _choices(questionnaire.fields["skin_type"]) == list(skin_type_choices())
    assert _choices(course.fields["setting"]) == list(setting_choices())
    assert _choices(course.fields["skin_type"]) == [(str(n), r) for r, n in ROMAN.items()]
    assert _choices(CourseForm(evidence=ev, personal=True).fields["setting"]) == [("home", "At home")]
    assert _choices(TemplateForm().fields["treatment"]) == list(treatment_choices())
    for model in (Consent, ConsentTemplate):
        assert _choices(model._meta.get_field("treatment")) == list(treatment_choices())


def test_a_stored_skin_type_shows_as_its_roman_numeral_whatever_its_form() -> None:
    assert [initial_from_answers({"skin_type": v})["skin_type"] for v in (3, "3", "III", "iv")] == [
        "III",
        "III",
        "III",
        "IV",
    ]
