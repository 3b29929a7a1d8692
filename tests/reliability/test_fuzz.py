"""Schemathesis against the app's own OpenAPI schema, in-process (ASGI), with a real SQLite file.

Every operation gets generated requests, valid and invalid (schemathesis' coverage phase for
boundaries and wrong types, then a bounded fuzzing phase): no answer may be a 500, every status
and content type must be documented, every body must match its documented schema, and a request
that breaks the schema must be refused. Half the cases that name a session are aimed at a real one
(with its control token, a wrong token, or the generated header), so changing, training and
deleting a session are fuzzed too, not only their 401/403/404 refusals.

FUZZ_EXAMPLES=400 runs a longer hunt; the default keeps CI under a minute on two cores.
"""

from __future__ import annotations

import os
import zlib
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance, negative_data_rejection, not_a_server_error,
    response_schema_conformance, status_code_conformance,
)  # fmt: skip
from schemathesis.python import asgi

from app.main import create_app
from app.settings import Settings

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, negative_data_rejection]  # fmt: skip
# Not positive_data_acceptance: cross-field rules (one of epochs/samples, inputs as wide as the
# dataset, work budgets) rightly refuse some schema-valid bodies with 422.
MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))  # per operation, fuzzing phase
CONFIG = {"seed": 20240601}  # with derandomize below: the same cases on every run


class Steering:
    """A real session the fuzzer may address, recreated after a fuzzed DELETE or eviction."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.session_id, self.token = self._create()

    def _create(self) -> tuple[str, str]:
        with asgi.get_client(self.app) as http:  # type: ignore[arg-type]
            created = http.post("/api/sessions", json={"dataset": "and"}).json()
        return created["id"], created["control_token"]

    def current(self) -> tuple[str, str]:
        with asgi.get_client(self.app) as http:  # type: ignore[arg-type]
            gone = http.get(f"/api/sessions/{self.session_id}").status_code == 404
        if gone:
            self.session_id, self.token = self._create()
        return self.session_id, self.token

    def fresh(self) -> tuple[str, str]:
        """A session of its own, for a DELETE that should succeed."""
        return self._create()


@pytest.fixture
def fuzz_app(tmp_path: Path) -> FastAPI:
    # Small work budgets: the fuzzer looks for wrong answers, not for slow ones (bench/ does that).
    return create_app(Settings(database=tmp_path / "sessions.sqlite3", max_work_per_call=20_000))


@pytest.fixture
def steering(fuzz_app: FastAPI) -> Steering:
    return Steering(fuzz_app)


# Only the schema document is needed to generate cases; the app that answers them is the fixture's,
# with its own database, started (lifespan) by the ASGI transport and stopped after each test.
schema = schemathesis.openapi.from_dict(
    create_app(Settings(database=Path("unused.sqlite3"))).openapi(),
    config=schemathesis.Config.from_dict(CONFIG),
)


@schema.parametrize()
# One app, database and real session per operation, shared by its examples: on purpose.
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
def test_api_answers_as_documented(case: Any, steering: Steering, fuzz_app: FastAPI) -> None:
    aim_at_real_session(case, steering)
    case.call_and_validate(app=fuzz_app, checks=CHECKS)


def aim_at_real_session(case: Any, steering: Steering) -> None:
    """Point half the cases at a real session: with its token, a wrong one, or as generated.

    The choice is a hash of the case rather than a Hypothesis draw, because `given` would switch
    off schemathesis' coverage phase (its boundary and wrong-type cases)."""
    if "session_id" not in (case.path_parameters or {}):
        return
    choice = zlib.crc32(repr((case.path_parameters, case.headers, case.body)).encode()) % 8
    if choice >= 4:
        return  # as generated: mostly an unknown id (404) or an invalid one (422)
    session_id, token = steering.fresh() if case.method.upper() == "DELETE" else steering.current()
    case.path_parameters["session_id"] = session_id
    if any(p.name == "authorization" for p in case.operation.headers):
        presented = {0: token, 1: token, 2: "not-the-token"}.get(choice)  # 3: as generated
        if presented is not None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {presented}"}
