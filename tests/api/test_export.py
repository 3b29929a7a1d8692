"""The exported script, run in its own interpreter, reproduces the session's weights."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.helpers import create

RUNS: list[tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]]] = [
    ({"dataset": "and"}, [("step", {"epochs": 10})]),
    ({"dataset": "or", "activation": "sigmoid", "learning_rate": 0.05, "reduction": "sum",
      "init": {"weights": [0.1, 0.2], "bias": 0.3}}, [("step", {"epochs": 2000})]),
    ({"dataset": "breast_cancer", "activation": "sigmoid", "batch": "online", "shuffle": True,
      "init": "random", "seed": 7}, [("step", {"epochs": 3}), ("step", {"samples": 50})]),
    ({"dataset": "virus", "activation": "tanh", "batch": "online", "use_bias": False},
     [("step", {"epochs": 20})]),
    ({"dataset": "blobs", "activation": "sigmoid", "loss": "cross_entropy", "noise": 0.9},
     [("step", {"epochs": 40})]),
    ({"dataset": "xor", "shuffle": True, "seed": 3},
     [("step", {"samples": 5}), ("patch", {"learning_rate": 0.25}), ("step", {"epochs": 7}),
      ("patch", {"weights": [0.5, -0.5], "bias": 0.1}), ("step", {"samples": 3}),
      ("patch", {"activation": "sigmoid"}), ("step", {"epochs": 30}),
      ("patch", {"batch": "online"}), ("step", {"samples": 9})]),
]  # fmt: skip


@pytest.mark.parametrize(("config", "actions"), RUNS)
def test_export_reproduces_the_weights(client: TestClient, tmp_path: Path, config: dict[str, Any],
                                       actions: list[tuple[str, dict[str, Any]]]) -> None:  # fmt: skip
    state, auth = create(client, **config)
    sid = state["id"]
    for action, body in actions:
        if action == "step":
            response = client.post(f"/api/sessions/{sid}/step", json=body, headers=auth)
        else:
            response = client.patch(f"/api/sessions/{sid}", json=body, headers=auth)
        assert response.status_code == 200, response.text
    final = client.get(f"/api/sessions/{sid}").json()
    script = tmp_path / "neuron.py"
    script.write_text(client.get(f"/api/sessions/{sid}/export.py").text)
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True)
    replayed = json.loads(out.stdout)
    assert replayed["weights"] == pytest.approx(final["weights"], abs=1e-9)
    assert replayed["bias"] == pytest.approx(final["bias"], abs=1e-9)
    assert replayed["epoch"] == final["epoch"]


def test_export_is_plain_python_with_data_as_a_string_literal(client: TestClient) -> None:
    state, _ = create(client)
    script = client.get(f"/api/sessions/{state['id']}/export.py")
    assert script.headers["content-type"].startswith("text/x-python")
    assert "import numpy as np" in script.text and "RUN = json.loads('" in script.text
    compile(script.text, "export.py", "exec")
