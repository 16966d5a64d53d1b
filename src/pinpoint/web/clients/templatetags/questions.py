"""``{{ key|question }}``: a questionnaire answer's key as the question the person was asked."""

from __future__ import annotations

from functools import lru_cache

from django import template

from pinpoint.evidence import load_evidence
from pinpoint.web.clients.forms import DATED_ZONE_QUESTIONS, LIST_QUESTIONS, ZONE_QUESTIONS, QuestionnaireForm

register = template.Library()


@lru_cache(maxsize=1)
def _labels() -> dict[str, str]:
    labels = {name: str(f.label) for name, f in QuestionnaireForm(evidence=load_evidence()).fields.items() if f.label}
    labels |= ZONE_QUESTIONS
    labels |= {name: q[1] for name, q in DATED_ZONE_QUESTIONS.items()}
    labels |= {name: q[0] for name, q in LIST_QUESTIONS.items()}
    return labels


@register.filter
def question(key: str) -> str:
    """The question the questionnaire asks for the answer ``key`` (the form's own label)."""
    return _labels().get(key) or key.replace("_", " ").capitalize()
