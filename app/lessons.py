"""The lessons (PRODUCT.md §11 and §18): each a config, the epochs it runs and a short
explanation in our own words. The one source: `GET /api/lessons` lists them and the page gets
them embedded in its HTML (a lesson is a link, `?lesson=N`). Titles and texts live in the
language catalogs (static/i18n/<lang>.json, keys lesson.<id>.title and lesson.<id>.text), so a
lesson reads the same in every language, numbers included.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.i18n import DEFAULT, translate
from app.neuron.config import complete_config


@dataclass(frozen=True)
class Lesson:
    id: str
    config: dict[str, Any]  # the fields the lesson sets; the rest are the defaults
    epochs: int  # what the lesson runs (a script stepping this many epochs reproduces it)
    page: dict[str, Any] = field(default_factory=dict)  # the page's speed and view for it
    number: int = 0

    def complete_config(self) -> dict[str, Any]:
        return complete_config(self.config).as_dict()

    def title(self, lang: str = DEFAULT) -> str:
        return translate(lang, f"lesson.{self.id}.title")

    def text(self, lang: str = DEFAULT) -> str:
        """HTML, our own static text from the catalog."""
        return translate(lang, f"lesson.{self.id}.text")

    def as_dict(self, lang: str = DEFAULT) -> dict[str, Any]:
        return {"id": self.id, "number": self.number, "title": self.title(lang),
                "text": self.text(lang), "config": self.complete_config(), "epochs": self.epochs,
                "page": self.page}  # fmt: skip


GATE = {"activation": "step", "rule": "perceptron", "learning_rate": 1.0, "batch": "online",
        "use_bias": True, "init": "zeros"}  # fmt: skip
SIGMOID_OR = {"dataset": "or", "activation": "sigmoid", "rule": "gradient", "learning_rate": 0.05,
              "batch": "full", "reduction": "sum", "use_bias": True,
              "init": {"weights": [0.1, 0.2], "bias": 0.3}, "max_epochs": 10_000}  # fmt: skip
FAST = {"fps": 60, "steps_per_frame": 100}

_LESSONS = [
    Lesson(
        "perceptron-learns-and", {"dataset": "and", **GATE}, 10,
        {"fps": 2, "steps_per_frame": 1},
    ),
    Lesson(
        "or-nand-nor", {"dataset": "or", **GATE}, 10,
        {"fps": 2, "steps_per_frame": 1},
    ),
    Lesson(
        "xor-defeats-one-neuron", {"dataset": "xor", **GATE}, 100,
        {"fps": 10, "steps_per_frame": 1},
    ),
    Lesson(
        "sigmoid-learns-or", SIGMOID_OR, 10_000,
        {"fps": 30, "steps_per_frame": 10},  # 300 epochs a second: a class can follow it
    ),
    Lesson(
        "why-the-bias-matters",
        {**SIGMOID_OR, "use_bias": False, "init": {"weights": [0.1, 0.2], "bias": 0.0}}, 10_000,
        FAST,
    ),
    Lesson(
        "symptoms-table",
        {"dataset": "virus", "activation": "sigmoid", "rule": "gradient", "learning_rate": 0.5,
         "batch": "full", "reduction": "mean", "use_bias": True, "init": "zeros", "max_epochs": 5000},
        5000,
        {"fps": 60, "steps_per_frame": 20},
    ),  # fmt: skip
    Lesson(
        "breast-cancer",
        {"dataset": "breast_cancer", "activation": "sigmoid", "rule": "gradient", "learning_rate": 0.5,
         "batch": "full", "reduction": "mean", "use_bias": True, "init": "random", "seed": 0,
         "test_fraction": 0.3, "max_epochs": 1000},
        1000,
        {"show_test": True, "fps": 30, "steps_per_frame": 5},
    ),  # fmt: skip
    Lesson(
        "two-neurons-solve-xor",
        {"dataset": "xor", "hidden_units": 2, "activation": "tanh", "rule": "gradient",
         "loss": "cross_entropy", "learning_rate": 0.5, "batch": "online", "use_bias": True,
         "init": "random", "seed": 3, "max_epochs": 200},
        200,
        {"fps": 20, "steps_per_frame": 1},
    ),  # fmt: skip
]

LESSONS: list[Lesson] = [
    Lesson(**{**lesson.__dict__, "number": i}) for i, lesson in enumerate(_LESSONS, start=1)
]
BY_ID = {lesson.id: lesson for lesson in LESSONS}


def lesson_by_id(lesson_id: str) -> Lesson:
    return BY_ID[lesson_id]


def lessons_as_dicts(lang: str = DEFAULT) -> list[dict[str, Any]]:
    return [lesson.as_dict(lang) for lesson in LESSONS]
