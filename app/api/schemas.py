"""The wire contract: request and response models whose field bounds are the API's validation
and its documentation at /docs."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.settings import get_settings

DatasetId = Literal["and", "or", "nand", "nor", "xor", "xnor", "virus", "breast_cancer", "blobs",
                    "overlap", "circle", "custom"]  # fmt: skip
# A dataset someone uploaded (POST /api/datasets): its id as the answer gave it.
UploadId = Annotated[str, Field(pattern=r"^up_[A-Za-z0-9_-]{8,64}$")]
ActivationId = Literal["step", "sigmoid", "tanh", "relu", "linear"]
Finite = Annotated[float, Field(allow_inf_nan=False)]
# A custom point's coordinate: bounded so that the view box and the distances along the boundary
# line stay finite (a point at 1e300 overflowed them into a 500); standardise larger data.
Coordinate = Annotated[float, Field(ge=-1e6, le=1e6, allow_inf_nan=False)]


class Strict(BaseModel):
    """Unknown fields, NaN and Infinity are refused, each error naming its field."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)


class InitWeights(Strict):
    weights: list[Finite] = Field(min_length=1, max_length=64, description="one per feature")
    bias: Finite = 0.0


class Layer(Strict):
    """One layer: a row of weights per neuron (one weight per input) and a bias per neuron."""

    weights: list[Annotated[list[Finite], Field(min_length=1, max_length=64)]] = Field(
        min_length=1, max_length=8,
                                        description="a row per neuron, a weight per input")  # fmt: skip
    biases: list[Finite] = Field(min_length=1, max_length=8, description="one per neuron")


class Points(Strict):
    X: list[list[Coordinate]] = Field(
        min_length=1, max_length=10_000,
        description="rows of 1 to 64 features, each within ±1e6 (cap: NEURON_MAX_SAMPLES)")  # fmt: skip
    y: list[Literal[0, 1]] = Field(min_length=1, max_length=10_000, description="class of each row")

    @model_validator(mode="after")
    def _same_shape(self) -> Points:
        s = get_settings()
        if len(self.X) > s.max_samples:
            raise ValueError(f"X has {len(self.X)} rows; at most {s.max_samples} allowed")
        width = len(self.X[0])
        if not 1 <= width <= s.max_features:
            raise ValueError(f"X rows need 1 to {s.max_features} features")
        if any(len(row) != width for row in self.X):
            raise ValueError("X rows must all have the same number of features")
        if len(self.y) != len(self.X):
            raise ValueError("y needs one class per row of X")
        return self


NULLABLE = ("max_epochs", "plot_features")  # fields where null means something (no limit; PCA)


class ConfigFields(Strict):
    """Every field optional: a left-out field gets its default (which may depend on others)."""

    dataset: DatasetId | UploadId | None = Field(
        None, description="default 'and'; or the id of an uploaded dataset")  # fmt: skip
    activation: ActivationId | None = Field(None, description="default 'step'")
    rule: Literal["perceptron", "gradient"] | None = Field(
        None, description="default 'perceptron' with step, else 'gradient'")  # fmt: skip
    learning_rate: Finite | None = Field(
        None, gt=0, le=100, description="> 0 and ≤ 100; default 1.0 (perceptron) or 0.5")  # fmt: skip
    use_bias: bool | None = Field(None, description="default true; off fixes b at 0")
    init: Literal["zeros", "random"] | InitWeights | None = Field(
        None, description="'zeros' (default), 'random' (N(0, 0.1²) by seed) or weights and bias")  # fmt: skip
    seed: int | None = Field(None, ge=0, le=2**32 - 1, description="default 0")
    batch: Literal["online", "full"] | None = Field(
        None, description="default 'online' for the perceptron, 'full' for gradient")  # fmt: skip
    reduction: Literal["mean", "sum"] | None = Field(None, description="default 'mean'")
    loss: Literal["mse", "cross_entropy"] | None = Field(None, description="default 'mse'")
    shuffle: bool | None = Field(None, description="default false: samples in dataset order")
    points: Points | None = Field(None, description="the custom dataset's points")
    n_samples: int | None = Field(None, ge=4, le=10_000, description="synthetic sets; default 200")
    noise: Finite | None = Field(None, ge=0, le=1, description="synthetic sets; default 0.2")
    test_fraction: Finite | None = Field(
        None, ge=0, le=0.9, description="0 to 0.9; default 0.3 for breast_cancer, else 0")  # fmt: skip
    max_epochs: int | None = Field(None, ge=1, le=10_000_000, description="stop after; default none")
    grid_size: int | None = Field(None, ge=8, le=256, description="heatmap cells a side; default 64")
    plot_features: list[Annotated[int, Field(ge=0, le=63)]] | None = Field(
        None, min_length=2, max_length=2,
        description="past two features: plot these two (numbered from 0); default the principal plane")  # fmt: skip
    hidden_units: int | None = Field(
        None, ge=0, le=8, description="0 (default): one neuron; 1 to 8: a hidden layer of that many "
        "neurons (smooth activation, gradient rule; init defaults to 'random', 'zeros' is refused) "
        "before a sigmoid output neuron")  # fmt: skip

    def given(self) -> dict[str, Any]:
        """The fields the client set, as plain data (None only where it means something)."""
        data = self.model_dump(exclude_unset=True)
        return {k: v for k, v in data.items() if v is not None or k in NULLABLE}

    @model_validator(mode="after")
    def _within_settings(self) -> ConfigFields:
        s = get_settings()
        if self.n_samples is not None and self.n_samples > s.max_samples:
            raise ValueError(f"n_samples: at most {s.max_samples}")
        if self.grid_size is not None and self.grid_size > s.max_grid_size:
            raise ValueError(f"grid_size: at most {s.max_grid_size}")
        return self


class SessionConfig(ConfigFields):
    """A session's config (POST /api/sessions)."""


class HandSet(Strict):
    """Parameters set by hand: the output neuron's `weights` and `bias`, and/or every layer."""

    weights: list[Finite] | None = Field(None, min_length=1, max_length=64,
                                         description="the output neuron's")  # fmt: skip
    bias: Finite | None = None
    layers: list[Layer] | None = Field(
        None, min_length=1, max_length=2,
        description="every layer as in the state (hidden first, output last), to set single "
        "weights of any layer")  # fmt: skip

    def parameters(self) -> dict[str, Any]:
        layers = None if self.layers is None else [layer.model_dump() for layer in self.layers]
        return {"weights": self.weights, "bias": self.bias, "layers": layers}


class SessionPatch(ConfigFields, HandSet):
    """Part of a config, and/or weights and bias (or whole layers) set by hand (PATCH)."""

    def config_part(self) -> dict[str, Any]:
        return {k: v for k, v in self.given().items() if k not in ("weights", "bias", "layers")}


class StepRequest(Strict):
    epochs: int | None = Field(None, ge=1, le=10_000, description="epochs to train (cap: setting)")
    samples: int | None = Field(None, ge=1, le=1_000_000, description="online updates to apply")

    @model_validator(mode="after")
    def _one_of(self) -> StepRequest:
        if (self.epochs is None) == (self.samples is None):
            raise ValueError("give exactly one of 'epochs' or 'samples'")
        return self


class TrainRequest(SessionConfig):
    epochs: int = Field(ge=1, le=10_000, description="epochs to train (cap: setting and budget)")


class PredictRequest(Strict):
    inputs: list[list[Finite]] = Field(min_length=1, max_length=10_000)


class PredictResponse(BaseModel):
    outputs: list[float]
    predictions: list[int]


class Grid(BaseModel):
    width: int
    height: int
    data: str = Field(description="base64 uint8, row-major, top row = y_max")


class HiddenSpace(BaseModel):
    view: list[float]
    points: list[list[float]] = Field(description="each training sample at (h1, h2)")
    line: list[list[float]] | None = Field(description="the output neuron's line in hidden space")


class Boundary(BaseModel):
    view: list[float]
    line: list[list[float]] | None = Field(description="null with a hidden layer (curved)")
    grid: Grid
    plane: dict[str, Any] | None
    hidden_lines: list[list[list[float]] | None] | None = Field(
        None, description="with a hidden layer: each hidden neuron's line z_j = 0")  # fmt: skip
    hidden_space: HiddenSpace | None = Field(
        None, description="with two hidden neurons and two features: the data in hidden space")  # fmt: skip


class LayerState(BaseModel):
    weights: list[list[float]]
    biases: list[float]


class Roc(BaseModel):
    fpr: list[float] = Field(description="false-positive rate per threshold (thinned to ~41, 4 decimals)")
    tpr: list[float]
    auc: float = Field(description="area under the full curve")


class SetMetrics(BaseModel):
    confusion: dict[Literal["tn", "fp", "fn", "tp"], int]
    total: int
    precision: float | None = Field(description="null when nothing is predicted class 1")
    recall: float | None
    f1: float | None
    roc: Roc | None = Field(description="smooth activations only, with both classes present")


class Metrics(BaseModel):
    class_names: list[str] = Field(description="class 0, class 1 (the positive class)")
    train: SetMetrics
    test: SetMetrics | None


class SessionState(BaseModel):
    id: str
    config: dict[str, Any]
    epoch: int
    step: int = Field(description="samples seen (online) or full-batch steps taken")
    changes: int = Field(0, description="updates that moved a weight or the bias")
    weights: list[float] = Field(description="the output neuron's")
    bias: float
    layers: list[LayerState] = Field(description="every layer, the output neuron last")
    loss: float
    accuracy: float
    test_accuracy: float | None
    outputs: list[float]
    predictions: list[int]
    converged: bool
    status: Literal["idle", "running", "converged", "diverged"]
    last_update: dict[str, Any] | None
    boundary: Boundary
    feature_names: list[str]
    data_version: str
    lesson: int | None = Field(None, description="the page's lesson open on this session")
    metrics: Metrics
    preactivations: list[float] | None = Field(
        description="each training sample's z = w·x + b (2 decimals), full batch only; "
                    "null online and past 256 training samples")  # fmt: skip


class Landscape(BaseModel):
    i: int
    j: int
    names: list[str] = Field(description="the two features the weights belong to")
    size: int
    kind: Literal["loss", "errors"] = Field(description="errors: misclassified (perceptron)")
    x: list[float] = Field(description="w_i at each column, ascending")
    y: list[float] = Field(description="w_j at each row, top row first (descending)")
    values: list[list[float]] = Field(description="values[r][c] at (x[c], y[r])")
    path: list[list[float]] = Field(description="[w_i, w_j, epoch] per recorded epoch")
    current: list[float]
    low: float
    high: float


class CreatedSession(SessionState):
    control_token: str = Field(description="returned once; steers the session (Bearer / ?token=)")


class HistoryEntry(BaseModel):
    epoch: int
    loss: float
    accuracy: float
    test_accuracy: float | None
    weights: list[float]
    bias: float
    hidden: LayerState | None = None


class TrainResponse(BaseModel):
    state: SessionState
    history: list[HistoryEntry]


class DatasetInfo(BaseModel):
    id: str
    name: str
    n_features: int
    n_samples: int
    linearly_separable: bool | None
    description: str


class DatasetData(DatasetInfo):
    X: list[list[float]]
    y: list[int]
    feature_names: list[str]
    class_names: list[str] = Field(description="what class 0 and class 1 are called")


class UploadDescription(DatasetInfo):
    """An uploaded dataset: its description, and how its file was read."""

    feature_names: list[str]
    class_names: list[str] = Field(description="the label values that became class 0 and 1")
    label_column: str | None = Field(description="the CSV column read as the label")
    skipped_rows: int = Field(description="bad rows left out (with skip_bad=1)")
    standardized: bool = Field(description="sessions train on standardised features")


class UploadData(UploadDescription):
    X: list[list[float]] = Field(description="the rows as written (before any standardising)")
    y: list[int]


class CreatedUpload(UploadDescription):
    delete_token: str = Field(description="returned once; DELETE needs it as a Bearer token")


class UploadPoints(Strict):
    """A dataset as JSON: rows of features and a class 0/1 for each."""

    X: list[list[Annotated[float, Field(allow_inf_nan=False, ge=-1e15, le=1e15)]]] = Field(
        min_length=1, description="rows of 1 to NEURON_MAX_FEATURES features")  # fmt: skip
    y: list[Literal[0, 1]] = Field(min_length=1, description="class of each row")
    feature_names: list[Annotated[str, Field(min_length=1, max_length=100)]] | None = None
    class_names: list[Annotated[str, Field(min_length=1, max_length=100)]] | None = Field(
        None, min_length=2, max_length=2, description="names of class 0 and class 1")  # fmt: skip


class ErrorMessage(BaseModel):
    detail: str


# The error answers a route can give besides 422, documented once for /docs and schema checks.
# Always JSON, also on routes whose success is text or SVG (so no `model`, which takes the route's
# media type).
ERRORS: dict[int, str] = {
    400: "a body that is not UTF-8 text (FastAPI's answer)",
    401: "no `Authorization: Bearer <control_token>`",
    403: "a control token that does not steer this session",
    404: "no session or dataset with that id",
    413: "request body over NEURON_MAX_BODY_BYTES",
    415: "a body that is neither text/csv nor application/json",
    503: "the store could not write; nothing was kept, try again",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    content = {"application/json": {"schema": ErrorMessage.model_json_schema()}}
    return {code: {"description": ERRORS[code], "content": content} for code in codes}


class SessionData(BaseModel):
    X: list[list[float]] = Field(description="training points in view coordinates")
    X_features: list[list[float]] = Field(description="the same rows in their own features")
    y: list[int]
    X_test: list[list[float]] | None
    y_test: list[int] | None
    feature_names: list[str]
    class_names: list[str] = Field(description="what class 0 and class 1 are called")
    data_version: str
