"""Pure clinical logic: typed inputs in, typed results out; no I/O, no clock, no global random state."""

from pinpoint.core.answers import Answers, parse_answers
from pinpoint.core.errors import InputError, PinpointError, RefusedError, ScreeningBlockedError, UnknownIdError
from pinpoint.core.guide import Guide, guide, guide_for_plan
from pinpoint.core.planning import Plan, plan
from pinpoint.core.screening import Screening, screen

__all__ = [
    "Answers",
    "Guide",
    "InputError",
    "PinpointError",
    "Plan",
    "RefusedError",
    "Screening",
    "ScreeningBlockedError",
    "UnknownIdError",
    "guide",
    "guide_for_plan",
    "parse_answers",
    "plan",
    "screen",
]
