"""The README is documentation that must stay true: its examples run, its tables are complete."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from app.neuron.datasets import DATASETS
from app.settings import Settings
from tests.conftest import ROOT, ServerProcess

README = (ROOT / "README.md").read_text()


def _block(marker: str) -> str:
    match = re.search(rf"<!-- readme-example: {marker} -->\n```\w+\n(.*?)```", README, re.S)
    assert match, f"no example marked {marker}"
    return match.group(1)


def test_every_setting_is_documented() -> None:
    for name in Settings.model_fields:
        assert f"`NEURON_{name.upper()}`" in README


def test_every_dataset_is_documented() -> None:
    for dataset_id in DATASETS:
        assert f"`{dataset_id}`" in README


def test_the_curl_examples_run_as_written(shared_server: ServerProcess, tmp_path: Path) -> None:
    script = _block("api").replace("http://127.0.0.1:8000", shared_server.url)
    path = f"{Path(sys.executable).parent}:{os.environ['PATH']}"  # python3 = ours, with numpy
    out = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, text=True,
                         env={**os.environ, "PATH": path}, capture_output=True, timeout=60,
                         check=True)  # fmt: skip
    expected = re.search(r"prints\n\n```\n(.*?)```", README, re.S)
    assert expected and out.stdout == expected.group(1)


def test_the_stream_example_runs(shared_server: ServerProcess, tmp_path: Path) -> None:
    script = _block("stream").replace("http://127.0.0.1:8000", shared_server.url)
    out = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True,
                         text=True, timeout=60, check=True)  # fmt: skip
    last = out.stdout.strip().splitlines()[-1]
    assert last == "6 [2.0, 1.0] -3.0 converged"
