"""Datasets users bring: what the core needs of one, and how it finds one by id.

They live outside the core (in the service's store); the service registers a source that finds
an upload by its id, so that `load_dataset` can build a session's data from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

UPLOAD_PREFIX = "up_"  # the ids of datasets users bring start so; built-in ids never do


@dataclass(frozen=True)
class Upload:
    """A dataset a user brought, as it was written (raw values), and whether to standardise it."""

    name: str
    X: NDArray[np.float64]
    y: NDArray[np.int64]
    feature_names: list[str]
    class_names: list[str]
    standardize: bool = True


# Uploads live outside the core (a store); the service registers how to find one by id.
UploadSource = Callable[[str], "Upload | None"]
_UPLOAD_SOURCES: list[UploadSource] = []


def add_upload_source(source: UploadSource) -> None:
    _UPLOAD_SOURCES.append(source)


def remove_upload_source(source: UploadSource) -> None:
    if source in _UPLOAD_SOURCES:
        _UPLOAD_SOURCES.remove(source)


def is_upload_id(dataset_id: str) -> bool:
    return dataset_id.startswith(UPLOAD_PREFIX)


def find_upload(dataset_id: str) -> Upload | None:
    for source in reversed(_UPLOAD_SOURCES):  # the newest service first
        upload = source(dataset_id)
        if upload is not None:
            return upload
    return None
