"""The stream's client → server messages, one model per `type`."""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field, TypeAdapter, model_validator

from app.api.schemas import ConfigFields, HandSet, Strict


class Play(Strict):
    type: Literal["play"]


class Pause(Strict):
    type: Literal["pause"]


class Reset(Strict):
    type: Literal["reset"]


class Sync(Strict):
    """Ask for the whole state again (the next frame is complete)."""

    type: Literal["sync"]


class Outputs(Strict):
    """Ask for every sample's output and prediction, which frames leave out past 256 rows."""

    type: Literal["outputs"]


class Step(Strict):
    """One epoch unless told otherwise; never both counts (as the REST step)."""

    type: Literal["step"]
    epochs: int | None = Field(None, ge=1, le=10_000)
    samples: int | None = Field(None, ge=1, le=1_000_000)

    @model_validator(mode="after")
    def _one_count(self) -> Step:
        if self.epochs is not None and self.samples is not None:
            raise ValueError("give 'epochs' or 'samples', not both")
        if self.samples is None and self.epochs is None:
            self.epochs = 1
        return self


class Set(HandSet):
    type: Literal["set"]
    config: ConfigFields | None = None


class Speed(Strict):
    type: Literal["speed"]
    fps: int | None = Field(None, ge=1, le=60, description="frames per second, 1 to 60")
    steps_per_frame: int | None = Field(None, ge=1, le=1000, description="epochs per frame")


class Lesson(Strict):
    """The lesson the teacher has open, stored with the session so students following see it."""

    type: Literal["lesson"]
    lesson: int | None = Field(None, ge=1, le=100, description="its number; null: none")


Command = Annotated[Union[Play, Pause, Reset, Step, Set, Speed, Sync, Outputs, Lesson],
                    Field(discriminator="type")]  # fmt: skip
COMMAND = TypeAdapter(Command)
