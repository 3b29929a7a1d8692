"""The lessons (PRODUCT.md §11 and §18): each a config, the epochs it runs and a short
explanation in our own words. The one source: `GET /api/lessons` lists them and the page gets
them embedded in its HTML (a lesson is a link, `?lesson=N`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.neuron.config import complete_config


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    config: dict[str, Any]  # the fields the lesson sets; the rest are the defaults
    epochs: int  # what the lesson runs (a script stepping this many epochs reproduces it)
    text: str  # HTML, our own static text
    page: dict[str, Any] = field(default_factory=dict)  # the page's speed and view for it
    number: int = 0

    def complete_config(self) -> dict[str, Any]:
        return complete_config(self.config).as_dict()

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "number": self.number, "title": self.title, "text": self.text,
                "config": self.complete_config(), "epochs": self.epochs, "page": self.page}  # fmt: skip


GATE = {"activation": "step", "rule": "perceptron", "learning_rate": 1.0, "batch": "online",
        "use_bias": True, "init": "zeros"}  # fmt: skip
SIGMOID_OR = {"dataset": "or", "activation": "sigmoid", "rule": "gradient", "learning_rate": 0.05,
              "batch": "full", "reduction": "sum", "use_bias": True,
              "init": {"weights": [0.1, 0.2], "bias": 0.3}, "max_epochs": 10_000}  # fmt: skip
FAST = {"fps": 60, "steps_per_frame": 100}

_LESSONS = [
    Lesson(
        "perceptron-learns-and", "The perceptron learns AND", {"dataset": "and", **GATE}, 10,
        """<p>Rosenblatt's perceptron adds its weighted inputs and a bias, <i>z</i> = <b>w</b>·<b>x</b> + <i>b</i>,
      and answers 1 when <i>z</i> ≥ 0, else 0. Each time it answers a sample wrongly, it moves every weight by
      η·<i>e</i>·<i>x</i>, where <i>e</i> = <i>d</i> − <i>y</i> is the target minus its answer; right answers change nothing.</p>
      <p>Here it starts from zero weights with η = 1. Press <b>Step sample</b> to watch one update at a time, or <b>Play</b>.
      After a few epochs it makes no more mistakes and stops at <b>w</b> = [2, 1], <i>b</i> = −3:
      only the input (1, 1) brings <i>z</i> = 2 + 1 − 3 up to the threshold 0.</p>""",
        {"fps": 2, "steps_per_frame": 1},
    ),
    Lesson(
        "or-nand-nor", "OR, NAND and NOR", {"dataset": "or", **GATE}, 10,
        """<p>The same rule learns OR, and also <a href="?lesson=2&amp;dataset=nand">NAND</a> and
      <a href="?lesson=2&amp;dataset=nor">NOR</a>: for each of them a straight line has all the 1s on one side and
      all the 0s on the other, and the perceptron is guaranteed to find such a line when one exists.</p>
      <p>Watch the boundary tilt and slide. NAND and NOR answer 1 for the input (0, 0), where every weight is
      multiplied by zero, so only a positive bias can make them fire there.</p>""",
        {"fps": 2, "steps_per_frame": 1},
    ),
    Lesson(
        "xor-defeats-one-neuron", "XOR cannot be learned by one neuron", {"dataset": "xor", **GATE}, 100,
        """<p>XOR answers 1 when exactly one input is 1. Its 1s, (0, 1) and (1, 0), sit on one diagonal of the square and
      its 0s on the other. A neuron's boundary is one straight line, and no straight line separates two crossing
      diagonals: whatever the weights, at least one corner is on the wrong side.</p>
      <p>Press Play and watch the weights go round in circles: there is always a mistake to correct, so the
      perceptron never converges. Solving XOR takes a second layer of neurons, which is where networks begin:
      <a href="?lesson=8">lesson 8</a> adds it.</p>""",
        {"fps": 10, "steps_per_frame": 1},
    ),
    Lesson(
        "sigmoid-learns-or", "The sigmoid neuron learns OR by gradient descent", SIGMOID_OR, 10_000,
        """<p>Replace the hard step with the smooth sigmoid σ(<i>z</i>) = 1 / (1 + e<sup>−<i>z</i></sup>) and the neuron can learn
      by gradient descent: it lowers the squared error <i>E</i> = ½ Σ (<i>o</i> − <i>t</i>)² by moving each weight against
      its gradient, δ·<i>x</i> with δ = (<i>o</i> − <i>t</i>)·σ′(<i>z</i>). As in the tutorial it starts from
      <b>w</b> = [0.1, 0.2], <i>b</i> = 0.3, sums the gradients of the four rows and takes 10,000 steps with η = 0.05.
      The outputs end near 0 for (0, 0) and near 1 for the other three.</p>
      <p class="aside">The tutorial's code hands the neuron's output, already a sigmoid, to its derivative function, so it
      computes σ′ of σ(<i>z</i>) — the sigmoid applied twice. We use the correct σ′(<i>z</i>) = σ(<i>z</i>)(1 − σ(<i>z</i>)), so our
      numbers differ a little from the tutorial's, and our neuron learns a little faster.</p>""",
        {"fps": 30, "steps_per_frame": 10},  # 300 epochs a second: a class can follow it
    ),
    Lesson(
        "why-the-bias-matters", "Why the bias matters",
        {**SIGMOID_OR, "use_bias": False, "init": {"weights": [0.1, 0.2], "bias": 0.0}}, 10_000,
        """<p>The same neuron with its bias switched off. Its boundary must now pass through the origin, and for the input
      (0, 0) it computes <i>z</i> = <i>w</i>₁·0 + <i>w</i>₂·0 = 0 whatever its weights, so its output there stays exactly
      σ(0) = 0.5 however long it trains: it can never say a clear “no” to (0, 0).</p>
      <p>The bias is the weight of an extra input that is always 1. It moves the line away from the origin; compare with
      <a href="?lesson=4">the previous lesson</a>.</p>""",
        FAST,
    ),
    Lesson(
        "symptoms-table", "The symptoms table",
        {"dataset": "virus", "activation": "sigmoid", "rule": "gradient", "learning_rate": 0.5,
         "batch": "full", "reduction": "mean", "use_bias": True, "init": "zeros", "max_epochs": 5000},
        5000,
        """<p>Eight patients, four yes/no symptoms each: loss of smell, weight loss, runny nose and body pain, and whether
      the test for the virus came back positive. The neuron weighs the evidence, and once trained its weight bars read
      like a rule of thumb: loss of smell gets the largest weight and weight loss the smallest.</p>
      <p>With four inputs the plot shows the data in the plane of its first two principal components. The row
      [0, 0, 1, 1] appears twice, once positive and once negative, so no neuron can get all eight rows right; it settles
      on the best compromise.</p>""",
        {"fps": 60, "steps_per_frame": 20},
    ),  # fmt: skip
    Lesson(
        "breast-cancer", "Breast cancer: train and test accuracy",
        {"dataset": "breast_cancer", "activation": "sigmoid", "rule": "gradient", "learning_rate": 0.5,
         "batch": "full", "reduction": "mean", "use_bias": True, "init": "random", "seed": 0,
         "test_fraction": 0.3, "max_epochs": 1000},
        1000,
        """<p>569 tumours, 30 measurements of their cell nuclei each, labelled benign (class 1) or malignant (class 0). The
      neuron learns from 70% of them; the other 30%, which it never trains on, test it. The test accuracy is the one
      that tells how it would do on new patients.</p>
      <p>The plot shows the tumours in the plane of their first two principal components (PC 1 and PC 2), the two
      directions in which they differ most, with the neuron's boundary where it cuts that plane; hollow markers are
      test tumours. The tutorial reports 90.49% mean test accuracy; standardising the features first, as we do,
      usually does better.</p>""",
        {"show_test": True, "fps": 30, "steps_per_frame": 5},
    ),  # fmt: skip
    Lesson(
        "two-neurons-solve-xor", "Two neurons solve XOR",
        {"dataset": "xor", "hidden_units": 2, "activation": "tanh", "rule": "gradient",
         "loss": "cross_entropy", "learning_rate": 0.5, "batch": "online", "use_bias": True,
         "init": "random", "seed": 3, "max_epochs": 200},
        200,
        """<p>One neuron draws one straight line, and XOR needs its two 1s, (0, 1) and (1, 0), split off from the two 0s
      on the other diagonal: no single line does that (<a href="?lesson=3">lesson 3</a>). Two lines do. Put two
      <em>hidden</em> neurons in front of the output: each draws its own line across the square (the dashed lines), and
      each answers, softly, which side of its line a point is on.</p>
      <p>The output neuron never sees the inputs, only the two hidden answers, <i>h</i>₁ and <i>h</i>₂. In their terms the four
      corners are moved: (0, 0) and (1, 1) land on the same side of a line and the other two on the other, so XOR
      has become a problem one neuron <em>can</em> solve. The small plot shows the points where the hidden neurons
      put them.</p>
      <p>They learn together by <b>backpropagation</b>: the output's error signal δ = <i>o</i> − <i>t</i> moves the output
      weights by −η·δ·<i>h</i>, and travels back along each output weight to tell hidden neuron <i>j</i> its share,
      δ<sub><i>j</i></sub> = δ·<i>w</i><sub><i>j</i></sub>·tanh′(<i>z</i><sub><i>j</i></sub>), which moves its weights by −η·δ<sub><i>j</i></sub>·<b>x</b>.
      Press <b>Step sample</b> to see those numbers for one sample, or <b>Play</b>: within about twenty epochs every
      corner is right, and by epoch 200 the outputs are close to 0 and 1.</p>
      <p class="aside">The weights start at random values drawn from the seed (3): starting from zeros, both hidden
      neurons would stay identical for ever. Not every start works — with some seeds the network settles with one
      corner wrong, a local minimum that one neuron's smooth error never has. Try another seed, or a third hidden
      neuron.</p>""",
        {"fps": 20, "steps_per_frame": 1},
    ),  # fmt: skip
]

LESSONS: list[Lesson] = [
    Lesson(**{**lesson.__dict__, "number": i}) for i, lesson in enumerate(_LESSONS, start=1)
]
BY_ID = {lesson.id: lesson for lesson in LESSONS}


def lesson_by_id(lesson_id: str) -> Lesson:
    return BY_ID[lesson_id]


def lessons_as_dicts() -> list[dict[str, Any]]:
    return [lesson.as_dict() for lesson in LESSONS]
