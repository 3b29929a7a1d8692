"""The stream's client → server messages, one model per `type`."""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field, TypeAdapter

from app.api.schemas import ConfigFields, Finite, Strict


class Play(Strict):
    type: Literal["play"]


class Pause(Strict):
    type: Literal["pause"]


class Reset(Strict):
    type: Literal["reset"]


class Step(Strict):
    type: Literal["step"]
    epochs: int | None = Field(None, ge=1, le=10_000)
    samples: int | None = Field(None, ge=1, le=1_000_000)


class Set(Strict):
    type: Literal["set"]
    config: ConfigFields | None = None
    weights: list[Finite] | None = Field(None, min_length=1, max_length=64)
    bias: Finite | None = None


class Speed(Strict):
    type: Literal["speed"]
    fps: int | None = Field(None, ge=1, le=60, description="frames per second, 1 to 60")
    steps_per_frame: int | None = Field(None, ge=1, le=1000, description="epochs per frame")


Command = Annotated[Union[Play, Pause, Reset, Step, Set, Speed], Field(discriminator="type")]
COMMAND = TypeAdapter(Command)
