"""The datasets a session can train on: the built-in ones, and those users bring (CSV or JSON),
stored once and named by id in any session's config."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Header, HTTPException, Query, Request, Response
from fastapi.responses import PlainTextResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from app.api.deps import SettingsDep
from app.api.limits import field_error
from app.api.schemas import (
    CreatedUpload, DatasetData, DatasetInfo, UploadData, UploadPoints, error_responses,
)  # fmt: skip
from app.neuron.datasets import DATASETS, DataParams, DatasetSpec, load_dataset, raw_dataset
from app.neuron.errors import NeuronError
from app.neuron.tabular import MAX_ABS_VALUE, ReadOptions, TableError, decode, read_csv, write_csv
from app.neuron.uploads import Upload, is_upload_id
from app.sessions.store import StoreError
from app.sessions.tokens import token_matches
from app.sessions.uploads import StoredUpload, UploadStore
from app.settings import Settings

router = APIRouter(prefix="/api/datasets", tags=["datasets"])
CSV_TYPES = ("text/csv", "text/plain", "text/tab-separated-values", "application/csv")
RAW_LIMIT = 1e6  # unstandardised values stay where the view box and boundary are finite
UPLOAD_BODY = {
    "required": True,
    "content": {
        "text/csv": {"schema": {"type": "string"},
                     "example": "height,weight,label\n1.8,80,tall\n1.6,55,short\n"},
        "application/json": {"schema": UploadPoints.model_json_schema()},
    },
}  # fmt: skip


class CSVText(PlainTextResponse):
    media_type = "text/csv"


def get_uploads(request: Request) -> UploadStore:
    return request.app.state.uploads


def _info(spec: DatasetSpec) -> dict[str, Any]:
    return {"id": spec.id, "name": spec.name, "n_features": spec.n_features,
            "n_samples": spec.n_samples, "linearly_separable": spec.linearly_separable,
            "description": spec.description}  # fmt: skip


def _upload_info(stored: StoredUpload) -> dict[str, Any]:
    u = stored.upload
    n, k = u.X.shape
    label = stored.meta.get("label_column")
    read = f"read from a CSV, label column {label!r}" if label else "posted as JSON"
    scaled = "standardised for training" if u.standardize else "trained on as written"
    return {"id": stored.id, "name": u.name, "n_features": int(k), "n_samples": int(n),
            "linearly_separable": None, "feature_names": u.feature_names,
            "class_names": u.class_names, "label_column": label,
            "skipped_rows": stored.meta.get("skipped_rows", 0), "standardized": u.standardize,
            "description": f"{n} rows × {k} features, {read}; classes 0 = {u.class_names[0]!r}, "
                           f"1 = {u.class_names[1]!r}; {scaled}."}  # fmt: skip


@router.get("", response_model=list[DatasetInfo])
async def list_datasets() -> list[dict[str, Any]]:
    """The built-in datasets (uploaded ones are private to whoever knows their id)."""
    return [_info(spec) for spec in DATASETS.values()]


@router.post("", status_code=201, response_model=CreatedUpload, openapi_extra={"requestBody": UPLOAD_BODY},
             responses=error_responses(400, 413, 415, 503))  # fmt: skip
async def upload_dataset(
    request: Request,
    settings: SettingsDep,
    label: Annotated[str | None, Query(max_length=200, description="the label column's name")] = None,
    positive: Annotated[str | None, Query(max_length=200, description="the label value that is class 1")] = None,
    standardize: Annotated[bool, Query(description="train on standardised features")] = True,
    skip_bad: Annotated[bool, Query(description="leave out bad rows, counted")] = False,
    name: Annotated[str | None, Query(max_length=100, description="what to call it")] = None,
) -> dict[str, Any]:  # fmt: skip
    """Upload a dataset as CSV (`Content-Type: text/csv`) or JSON (`{"X", "y", "feature_names"?,
    "class_names"?}`); 201 with its description, `id` and `delete_token` (given this once).
    Nothing is stored unless all of it is read; reading runs off the event loop."""
    body = await request.body()
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    limit = MAX_ABS_VALUE if standardize else RAW_LIMIT
    if kind == "application/json":
        upload, meta = await run_in_threadpool(_from_json, body, settings, standardize, name, limit)
    elif kind in CSV_TYPES or kind == "":
        options = ReadOptions(label, positive, skip_bad, settings.max_samples, settings.max_features,
                              limit)  # fmt: skip
        upload, meta = await run_in_threadpool(_from_csv, body, options, standardize, name)
    else:
        raise HTTPException(415, "send the dataset as text/csv or application/json")
    try:
        stored, token = await get_uploads(request).put(upload, meta)
    except StoreError as error:
        raise HTTPException(503, str(error), headers={"Retry-After": "2"}) from None
    return {**_upload_info(stored), "delete_token": token}


def _from_csv(body: bytes, options: ReadOptions, standardize: bool,
              name: str | None) -> tuple[Upload, dict[str, Any]]:  # fmt: skip
    try:
        table = read_csv(decode(body), options)
    except TableError as error:
        detail: dict[str, Any] = {"loc": ["body"], "msg": error.message, "type": "value_error",
                                  "line": error.line, "column": error.column}  # fmt: skip
        if error.code:
            detail.update(code=error.code, ctx=error.params)
        raise HTTPException(422, [detail]) from None
    except NeuronError as error:  # a query parameter at fault (label, positive)
        raise HTTPException(422, [error.detail(where="query")]) from None
    upload = Upload(name or "Uploaded CSV", table.X, table.y, table.feature_names,
                    table.class_names, standardize)  # fmt: skip
    return upload, {"label_column": table.label_column, "skipped_rows": table.skipped_rows}


def _from_json(body: bytes, settings: Settings, standardize: bool, name: str | None,
               limit: float) -> tuple[Upload, dict[str, Any]]:  # fmt: skip
    try:
        points = UploadPoints.model_validate_json(body)
    except ValidationError as error:
        detail = [{"loc": ["body", *e["loc"]], "msg": e["msg"], "type": e["type"]}
                  for e in error.errors()[:20]]  # fmt: skip
        raise HTTPException(422, detail) from None
    X, y = points.X, points.y
    width = len(X[0])
    if len(X) > settings.max_samples:
        raise field_error("X", f"{len(X)} rows; at most {settings.max_samples} (NEURON_MAX_SAMPLES)")
    if not 1 <= width <= settings.max_features:
        raise field_error("X", f"rows need 1 to {settings.max_features} features (NEURON_MAX_FEATURES)")
    if any(len(row) != width for row in X):
        raise field_error("X", f"every row needs {width} values, as the first has")
    if len(y) != len(X):
        raise field_error("y", f"one class per row of X: {len(X)} of them, not {len(y)}")
    if any(abs(v) > limit for row in X for v in row):
        raise field_error("X", f"values within ±{limit:g} (standardize them, or use standardize=1)")
    names = points.feature_names or [f"x{i + 1}" for i in range(width)]
    if len(names) != width:
        raise field_error("feature_names", f"one name per feature: {width} of them")
    upload = Upload(name or "Uploaded points", np.array(X, dtype=np.float64),
                    np.array(y, dtype=np.int64), list(names), points.class_names or ["0", "1"],
                    standardize)  # fmt: skip
    return upload, {"label_column": None, "skipped_rows": 0}


@router.get("/{dataset_id}", response_model=UploadData | DatasetData,
            responses=error_responses(404))  # fmt: skip
async def read_dataset(dataset_id: str, request: Request) -> dict[str, Any]:
    """Every row: built-in ones with the default seed and size (breast_cancer standardised over
    all rows), uploaded ones as written."""
    if is_upload_id(dataset_id):
        stored = await _stored(request, dataset_id)
        u = stored.upload
        return {**_upload_info(stored), "X": u.X.tolist(), "y": u.y.tolist()}
    spec = _spec(dataset_id)
    if dataset_id == "custom":
        return {**_info(spec), "X": [], "y": [], "feature_names": ["x1", "x2"],
                "class_names": ["0", "1"]}  # fmt: skip
    data = load_dataset(dataset_id, DataParams())
    return {**_info(spec), "X": data.X.tolist(), "y": data.y.tolist(),
            "feature_names": data.feature_names, "class_names": data.class_names}  # fmt: skip


@router.get("/{dataset_id}/data.csv", response_class=CSVText, responses=error_responses(404))
async def download_csv(
    dataset_id: str, request: Request,
    seed: Annotated[int, Query(ge=0, le=2**32 - 1)] = 0,
    n_samples: Annotated[int, Query(ge=4, le=10_000)] = 200,
    noise: Annotated[float, Query(ge=0, le=1)] = 0.2,
) -> CSVText:  # fmt: skip
    """Every row as written (uploads and breast_cancer unscaled), the label as its class name;
    the synthetic sets as the seed, size and noise make them."""
    label = "label"
    if is_upload_id(dataset_id):
        label = (await _stored(request, dataset_id)).meta.get("label_column") or label
    elif _spec(dataset_id).id == "custom":
        raise HTTPException(404, "the custom dataset's points live in a session's config")
    data = raw_dataset(dataset_id, DataParams(seed=seed, n_samples=n_samples, noise=noise))
    text = write_csv(data.X, data.y, data.feature_names, data.class_names, label)
    headers = {"Content-Disposition": f'attachment; filename="{_filename(dataset_id)}.csv"'}
    return CSVText(text, headers=headers)


@router.delete("/{dataset_id}", status_code=204, responses=error_responses(401, 403, 404, 503))
async def delete_dataset(
    dataset_id: str, request: Request,
    authorization: Annotated[str | None, Header(description="Bearer <delete_token>")] = None,
) -> Response:  # fmt: skip
    """Only the holder of the upload's delete token may take it away. Sessions that train on it
    keep what they hold in memory; stored, they can no longer be opened."""
    uploads = get_uploads(request)
    token_hash = await uploads.token_hash(dataset_id) if is_upload_id(dataset_id) else None
    if token_hash is None:
        raise HTTPException(404, "no uploaded dataset with that id (built-in ones stay)")
    if not authorization or not authorization.startswith("Bearer "):
        raise HTTPException(401, "this route needs 'Authorization: Bearer <delete_token>'",
                            headers={"WWW-Authenticate": "Bearer"})  # fmt: skip
    if not token_matches(authorization.removeprefix("Bearer ").strip(), token_hash):
        raise HTTPException(403, "that delete token does not belong to this dataset")
    try:
        await uploads.delete(dataset_id)
    except StoreError as error:
        raise HTTPException(503, str(error), headers={"Retry-After": "2"}) from None
    return Response(status_code=204)


def _spec(dataset_id: str) -> DatasetSpec:
    spec = DATASETS.get(dataset_id)
    if spec is None:
        raise HTTPException(404, f"no dataset with that id; one of {sorted(DATASETS)} or an upload's")
    return spec


async def _stored(request: Request, dataset_id: str) -> StoredUpload:
    stored = await get_uploads(request).get(dataset_id)
    if stored is None:
        raise HTTPException(404, "no uploaded dataset with that id (it may have expired or been deleted)")
    return stored


def _filename(dataset_id: str) -> str:
    return dataset_id if not is_upload_id(dataset_id) else f"dataset-{dataset_id[3:11]}"
