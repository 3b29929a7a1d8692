"""The core stays pure: importing every module of app.neuron pulls in no web, database or
template library (STYLE.md, "data flows one way")."""

from __future__ import annotations

import json
import subprocess
import sys

FORBIDDEN = ("fastapi", "starlette", "pydantic", "uvicorn", "sqlite3", "jinja2")

# Run in a fresh interpreter: this test process has already imported the app for other tests.
PROBE = """
import importlib, json, pkgutil, sys
import app.neuron
names = [m.name for m in pkgutil.walk_packages(app.neuron.__path__, "app.neuron.")]
for name in names:
    importlib.import_module(name)
print(json.dumps({"modules": names, "loaded": sorted(sys.modules)}))
"""


def test_core_imports_no_web_database_or_template_library() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                          check=True, timeout=60)  # fmt: skip
    report = json.loads(done.stdout)
    assert {"app.neuron.training", "app.neuron.boundary", "app.neuron.config"} <= set(
        report["modules"]
    )
    leaked = sorted(m for m in report["loaded"] if m.split(".")[0] in FORBIDDEN)
    assert leaked == []
