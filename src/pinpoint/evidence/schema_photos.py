"""Schema of ``photos.toml``: the standard photo views, grouped in series by zone and treatment.

A view's angle is either sourced (``angle_degrees``) or a policy default (``angle_policy``, an id
in ``policy.toml``); a series lists the zones and treatments it serves, and no zone is served by
two series for the same treatment.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from pinpoint.evidence.schema import Model, Treatment, Value, _unit

__all__ = ["Data", "PhotoSeries", "PhotoView", "Protocol"]

DegreesValue = Annotated[Value, _unit("degrees")]


class Protocol(Model):
    """The photo protocol as a whole: its id and version are stored with each photo."""

    id: str = Field(min_length=1)
    version: str = Field(pattern=r"^[0-9]+$")
    setup: str = Field(min_length=1)
    sources: tuple[str, ...] = Field(min_length=1)


class PhotoView(Model):
    """One standard view: its name in people's words, how to take it, the turn from facing the camera."""

    name: str = Field(min_length=1)
    how: str = Field(min_length=1)
    angle_degrees: DegreesValue | None = None
    angle_policy: str | None = None
    sources: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_angle(self) -> PhotoView:
        if self.angle_degrees is not None and self.angle_policy is not None:
            msg = "give angle_degrees or angle_policy, not both"
            raise ValueError(msg)
        return self


class PhotoSeries(Model):
    """The views taken of some zones for some treatments."""

    name: str = Field(min_length=1)
    treatments: tuple[Treatment, ...] = Field(min_length=1)
    zones: tuple[str, ...] = Field(min_length=1)
    views: tuple[str, ...] = Field(min_length=1)
    shared: bool
    framing: str = ""
    sources: tuple[str, ...] = Field(min_length=1)
    note: str = ""


class Data(Model):
    """The whole of ``photos.toml``."""

    protocol: Protocol
    views: dict[str, PhotoView]
    series: dict[str, PhotoSeries]

    @model_validator(mode="after")
    def _consistent(self) -> Data:
        served: dict[tuple[str, str], str] = {}
        for sid, s in self.series.items():
            for v in s.views:
                if v not in self.views:
                    msg = f"series '{sid}' names an unknown view '{v}'"
                    raise ValueError(msg)
            for z in s.zones:
                for t in s.treatments:
                    if (z, t) in served:
                        msg = f"zone '{z}' for {t} is in two series: '{served[z, t]}' and '{sid}'"
                        raise ValueError(msg)
                    served[z, t] = sid
        return self
