"""The datasets a session can train on."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from app.api.schemas import DatasetData, DatasetInfo, error_responses
from app.neuron.datasets import DATASETS, DataParams, DatasetSpec, load_dataset

router = APIRouter(prefix="/api/datasets", tags=["datasets"])


def _info(spec: DatasetSpec) -> dict[str, Any]:
    return {"id": spec.id, "name": spec.name, "n_features": spec.n_features,
            "n_samples": spec.n_samples, "linearly_separable": spec.linearly_separable,
            "description": spec.description}  # fmt: skip


@router.get("", response_model=list[DatasetInfo])
async def list_datasets() -> list[dict[str, Any]]:
    return [_info(spec) for spec in DATASETS.values()]


@router.get("/{dataset_id}", response_model=DatasetData, responses=error_responses(404))
async def read_dataset(dataset_id: str) -> dict[str, Any]:
    """Every row with the default seed and size (breast_cancer standardised over all rows)."""
    spec = DATASETS.get(dataset_id)
    if spec is None:
        raise HTTPException(404, f"no dataset with that id; one of {sorted(DATASETS)}")
    if dataset_id == "custom":
        return {**_info(spec), "X": [], "y": [], "feature_names": ["x1", "x2"]}
    data = load_dataset(dataset_id, DataParams())
    return {**_info(spec), "X": data.X.tolist(), "y": data.y.tolist(),
            "feature_names": data.feature_names}  # fmt: skip
