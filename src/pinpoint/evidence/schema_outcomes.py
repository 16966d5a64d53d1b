"""Schema of ``outcomes.toml``: outcome scales, the mMASI regions, adverse events and their severity.

A scale of kind ``levels`` labels every whole number of its range; ``score`` and ``mmasi`` have a
sourced range; ``count`` has a sourced floor and no maximum. Checked on load.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from pinpoint.evidence.schema import Model, Range, Value, _unit

__all__ = ["AdverseEventKind", "Data", "Mmasi", "MmasiRegion", "Scale", "Severity"]

ScaleKind = Literal["levels", "score", "count", "mmasi"]
Rater = Literal["practitioner", "client"]
PointsRange = Annotated[Range, _unit("points")]
FractionValue = Annotated[Value, _unit("fraction")]


class Scale(Model):
    """One outcome scale: what is recorded, who rates it, which way is better, its bounds."""

    name: str = Field(min_length=1)
    short: str = Field(min_length=1)
    kind: ScaleKind
    raters: tuple[Rater, ...] = Field(min_length=1)
    better: Literal["lower", "higher"]
    range: PointsRange | None = None
    floor: Value | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    sources: tuple[str, ...] = Field(min_length=1)
    note: str = ""

    @model_validator(mode="after")
    def _bounds(self) -> Scale:
        if (self.range is None) == (self.floor is None):
            msg = "give a range or a floor, exactly one"
            raise ValueError(msg)
        if self.kind == "count" and self.floor is None:
            msg = "a count scale has a floor"
            raise ValueError(msg)
        if self.kind != "count" and self.range is None:
            msg = f"a {self.kind} scale has a range"
            raise ValueError(msg)
        if self.kind == "levels":
            assert self.range is not None  # noqa: S101 - checked just above
            wanted = {str(n) for n in range(int(self.range.min), int(self.range.max) + 1)}
            if set(self.labels) != wanted:
                msg = f"a levels scale labels each of {sorted(wanted, key=int)}, got {sorted(self.labels)}"
                raise ValueError(msg)
        return self


class MmasiRegion(Model):
    """One region of the mMASI: its name and weight."""

    name: str = Field(min_length=1)
    weight: FractionValue


class Mmasi(Model):
    """The mMASI's regions, area grades (with labels) and darkness grades."""

    area: PointsRange
    darkness: PointsRange
    area_labels: dict[str, str]
    regions: dict[str, MmasiRegion] = Field(min_length=1)
    sources: tuple[str, ...] = Field(min_length=1)


class AdverseEventKind(Model):
    """An adverse event in the literature's words."""

    name: str = Field(min_length=1)
    about: str = Field(min_length=1)
    persistent: bool = False
    sources: tuple[str, ...] = Field(min_length=1)


class Severity(Model):
    """A severity grade: CTCAE grade and the FHIR R4B severity it maps to."""

    name: str = Field(min_length=1)
    means: str = Field(min_length=1)
    ctcae: str = Field(pattern=r"^[1-4]$")
    fhir: Literal["mild", "moderate", "severe"]
    sources: tuple[str, ...] = Field(min_length=1)


class Data(Model):
    """The whole of ``outcomes.toml``."""

    scales: dict[str, Scale] = Field(min_length=1)
    mmasi: Mmasi
    adverse_events: dict[str, AdverseEventKind] = Field(min_length=1)
    severities: dict[str, Severity] = Field(min_length=1)
