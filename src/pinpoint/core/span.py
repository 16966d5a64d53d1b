"""An inclusive range of numbers in a result (depths, passes, days, grams), defined once."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from pinpoint.evidence.schema import Range

__all__ = ["Span"]


class Span(BaseModel):
    """An inclusive ``[min, max]`` in the unit its field name gives."""

    model_config = ConfigDict(frozen=True)

    min: float
    max: float

    @classmethod
    def of(cls, r: Range) -> Span:
        """The span of an evidence range."""
        return cls(min=r.min, max=r.max)
