"""Datasets users bring: uploaded once as CSV or JSON, named by id in any session, refused with
the line and column at fault, taken away only with their delete token."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
import redis
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from tests.api.helpers import create
from tests.conftest import ServerProcess

AND_CSV = "in1;in2;Ergebnis\r\n0;0;nein\r\n0;1;nein\r\n1;0;nein\r\n1;1;ja\r\n"
CSV = {"Content-Type": "text/csv"}


def upload(client: TestClient | httpx.Client, text: str, query: str = "", **expect: Any) -> dict[str, Any]:
    response = client.post(f"/api/datasets{query}", content=text.encode(), headers=CSV)
    assert response.status_code == expect.get("status", 201), response.text
    return response.json()  # type: ignore[no-any-return]


def stored_uploads(settings: Settings) -> int:
    """How many uploads the configured store holds (the SQLite table, or Redis's index of them)."""
    if settings.redis_url:
        with redis.Redis.from_url(settings.redis_url) as r:
            return int(r.zcard(f"{settings.redis_prefix}uploads"))
    with sqlite3.connect(settings.database) as db:
        return int(db.execute("SELECT COUNT(*) FROM uploads").fetchone()[0])


def test_an_uploaded_gate_trains_to_the_tutorials_weights(client: TestClient) -> None:
    """AND written by a spreadsheet (semicolons, CRLF, words as labels), trained as written:
    Rosenblatt's rule gives the same w = [2, 1], b = -3 as the built-in gate, with
    class 1 = 'nein' unless ?positive= says 'ja'."""
    described = upload(client, AND_CSV, "?standardize=0&positive=ja&name=AND%20sheet")
    assert described["name"] == "AND sheet"
    assert described["class_names"] == ["nein", "ja"]
    assert described["feature_names"] == ["in1", "in2"]
    assert described["label_column"] == "Ergebnis"
    assert (described["n_samples"], described["n_features"]) == (4, 2)
    assert described["standardized"] is False
    state, auth = create(client, dataset=described["id"])
    assert state["feature_names"] == ["in1", "in2"]
    done = client.post(f"/api/sessions/{state['id']}/step", json={"epochs": 10}, headers=auth).json()
    assert (done["weights"], done["bias"], done["status"]) == ([2.0, 1.0], -3.0, "converged")
    data = client.get(f"/api/sessions/{state['id']}/data").json()
    assert data["class_names"] == ["nein", "ja"]
    assert data["X"] == [[0, 0], [0, 1], [1, 0], [1, 1]] and data["y"] == [0, 0, 0, 1]


def test_sessions_train_on_standardised_values_and_the_raw_ones_are_kept(client: TestClient) -> None:
    text = "height,weight,label\n150,50,a\n170,70,b\n190,90,a\n170,60,b\n"
    described = upload(client, text)
    assert described["standardized"] is True
    raw = client.get(f"/api/datasets/{described['id']}").json()
    assert raw["X"] == [[150, 50], [170, 70], [190, 90], [170, 60]] and raw["y"] == [0, 1, 0, 1]
    state, _ = create(client, dataset=described["id"], activation="sigmoid")
    X = np.array(client.get(f"/api/sessions/{state['id']}/data").json()["X_features"])
    expected = np.array(raw["X"], dtype=float)
    expected = (expected - expected.mean(axis=0)) / expected.std(axis=0)
    assert np.allclose(X, expected, rtol=0, atol=1e-12)


def test_the_data_is_stored_once_and_never_in_a_sessions_state(client: TestClient, settings: Settings) -> None:
    rows = "\n".join(f"{i % 97},{(i * 7) % 89},{i % 2}" for i in range(3000))
    described = upload(client, "a,b,label\n" + rows)
    first, _ = create(client, dataset=described["id"])
    second, _ = create(client, dataset=described["id"], activation="sigmoid")
    for state in (first, second):
        assert state["config"]["dataset"] == described["id"] and state["config"]["points"] is None
        assert len(json.dumps(state["config"])) < 600  # 3,000 rows as points: some 40 kB
    store = client.app.state.sessions.store  # type: ignore[attr-defined]
    records = [client.portal.call(store.get, s["id"]).record for s in (first, second)]  # type: ignore[union-attr]
    assert client.portal.call(store.count) == 2  # type: ignore[union-attr]
    assert len(records) == 2 and all(len(r) < 4_000 for r in records)
    assert stored_uploads(settings) == 1


CSV_REFUSALS = [
    ("", "?", {"msg": "the file is empty; it needs a header row and rows of data", "line": None, "column": None}),
    ("a,b,label\n", "?", {"msg": "line 1: a header with no rows of data below it", "line": 1, "column": None}),
    ("a,label\n1,x\n2,x\n", "?", {"line": None, "column": "label"}),
    ("a,label\n1,x\n2,y\n3,z\n", "?", {"line": 4, "column": "label"}),
    ("a,b,label\n1,2,0\n3,1\n", "?", {"msg": "line 3: 2 values, but the header has 3 columns", "line": 3}),
    ("a;b;label\n1;;0\n2;3;1\n", "?", {"msg": "line 2, column 'b': the value is missing", "line": 2, "column": "b"}),
    ("a,b,label\n1,2,0\n2,zwei,1\n", "?", {"msg": "line 3, column 'b': 'zwei' is not a number", "column": "b"}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "query", "detail"), CSV_REFUSALS)
def test_bad_csv_is_refused_where_it_is_wrong_and_nothing_is_stored(
    client: TestClient, settings: Settings, text: str, query: str, detail: dict[str, Any]
) -> None:
    refused = upload(client, text, query, status=422)["detail"][0]
    assert refused["loc"] == ["body"]
    assert {k: refused[k] for k in detail} == detail
    assert stored_uploads(settings) == 0


@pytest.fixture
def small_client(tmp_path: Path) -> Any:
    settings = Settings(database=tmp_path / "small.sqlite3", max_samples=3, max_features=2,
                        max_body_bytes=1024)  # fmt: skip
    with TestClient(create_app(settings)) as c:
        yield c


def test_the_limits_are_named_and_the_body_cap_is_a_413(small_client: TestClient) -> None:
    rows = upload(small_client, "a,label\n1,0\n2,1\n3,0\n4,1\n", status=422)["detail"][0]
    assert rows["msg"] == "line 5: more than 3 rows of data; at most 3 allowed (NEURON_MAX_SAMPLES)"
    wide = upload(small_client, "a,b,c,label\n1,2,3,0\n", status=422)["detail"][0]
    assert wide["msg"] == "line 1: 3 features; at most 2 allowed (NEURON_MAX_FEATURES)"
    big = upload(small_client, "a,label\n" + "1,0\n" * 400, status=413)
    assert big["detail"] == "request body too large: at most 1024 bytes"


def test_skip_bad_leaves_bad_rows_out_and_says_how_many(client: TestClient) -> None:
    described = upload(client, "a,b,label\n1,2,0\n3,,1\nx,4,1\n5,6,1\n", "?skip_bad=1")
    assert (described["n_samples"], described["skipped_rows"]) == (2, 3 - 1)
    assert client.get(f"/api/datasets/{described['id']}").json()["X"] == [[1, 2], [5, 6]]


def test_label_and_positive_in_the_query(client: TestClient) -> None:
    text = "diagnosis,radius,texture\nM,17.99,10.38\nB,13.54,14.36\nM,20.57,17.77\n"
    described = upload(client, text, "?label=Diagnosis&positive=M")  # the name's case may differ
    assert described["label_column"] == "diagnosis" and described["class_names"] == ["B", "M"]
    assert upload(client, text, status=422)["detail"][0]["column"] == "diagnosis"  # label: last
    wrong = upload(client, text, "?label=outcome", status=422)["detail"][0]
    assert wrong["loc"] == ["query", "label"]
    assert wrong["msg"] == "no column named 'outcome'; the columns are ['diagnosis', 'radius', 'texture']"
    by_name = upload(client, "radius,texture\n1,10\n2,11\n3,12\n", "?label=texture", status=422)
    assert by_name["detail"][0]["column"] == "texture" and by_name["detail"][0]["line"] == 4


def test_json_upload_with_names(client: TestClient) -> None:
    body = {"X": [[0, 0], [1, 1], [2, 0]], "y": [0, 1, 1], "feature_names": ["u", "v"],
            "class_names": ["off", "on"]}  # fmt: skip
    described = client.post("/api/datasets?standardize=0", json=body).json()
    assert described["class_names"] == ["off", "on"] and described["feature_names"] == ["u", "v"]
    assert described["label_column"] is None
    again = client.get(f"/api/datasets/{described['id']}").json()
    assert again["X"] == body["X"] and again["y"] == body["y"]
    for bad, field in [({"X": [[0], [1, 2]], "y": [0, 1]}, "X"), ({"X": [[0], [1]], "y": [0]}, "y"),
                       ({"X": [[0], [1]], "y": [0, 2]}, "y"), ({"X": [[1e16], [1]], "y": [0, 1]}, "X")]:  # fmt: skip
        refused = client.post("/api/datasets", json=bad)
        assert refused.status_code == 422 and refused.json()["detail"][0]["loc"][:2] == ["body", field]


def test_json_points_of_one_class_are_kept_as_placed(client: TestClient) -> None:
    """The first point placed on the page is one class: as JSON (points, not a CSV's label
    column to guess) that is a dataset, and the neuron gets it right at once."""
    one = client.post("/api/datasets?standardize=0", json={"X": [[0.5, -0.5]], "y": [1]}).json()
    state, auth = create(client, dataset=one["id"])
    done = client.post(f"/api/sessions/{state['id']}/step", json={"epochs": 1}, headers=auth).json()
    assert done["status"] == "converged" and done["predictions"] == [1]


def test_an_unsupported_content_type_is_a_415(client: TestClient) -> None:
    response = client.post("/api/datasets", content=b"<x/>", headers={"Content-Type": "application/xml"})
    assert response.status_code == 415


def test_delete_needs_the_delete_token(client: TestClient, settings: Settings) -> None:
    described = upload(client, AND_CSV)
    path = f"/api/datasets/{described['id']}"
    assert client.delete(path).status_code == 401
    assert client.delete(path, headers={"Authorization": "Bearer guess"}).status_code == 403
    assert client.get(path).status_code == 200
    with sqlite3.connect(settings.database) as db:
        dump = "\n".join(db.iterdump())
    assert described["delete_token"] not in dump  # kept as a hash only
    assert client.delete(path, headers={"Authorization": f"Bearer {described['delete_token']}"}).status_code == 204
    assert client.get(path).status_code == 404
    gone = client.post("/api/sessions", json={"dataset": described["id"]})
    assert gone.status_code == 422 and gone.json()["detail"][0]["loc"] == ["body", "dataset"]
    assert client.delete("/api/datasets/and").status_code == 404  # built-in ones stay


def test_ids_are_unguessable_and_unknown_ones_are_404(client: TestClient) -> None:
    ids = {upload(client, AND_CSV)["id"] for _ in range(3)}
    assert len(ids) == 3 and all(i.startswith("up_") and len(i) == 25 for i in ids)
    assert client.get("/api/datasets/up_doesnotexist00000000").status_code == 404
    refused = client.post("/api/sessions", json={"dataset": "up_doesnotexist00000000"})
    assert refused.status_code == 422


def test_download_csv_of_a_built_in_and_of_an_upload(client: TestClient) -> None:
    gate = client.get("/api/datasets/and/data.csv")
    assert gate.headers["content-type"].startswith("text/csv")
    assert gate.text == "x1,x2,label\r\n0,0,0\r\n0,1,0\r\n1,0,0\r\n1,1,1\r\n"
    cancer = client.get("/api/datasets/breast_cancer/data.csv").text.splitlines()
    assert len(cancer) == 570 and cancer[0].endswith(",worst fractal dimension,label")
    assert cancer[1].startswith("17.99,10.38,") and cancer[1].endswith(",malignant")  # unscaled
    blobs = client.get("/api/datasets/blobs/data.csv?seed=3&n_samples=10").text.splitlines()
    assert len(blobs) == 11
    described = upload(client, AND_CSV, "?positive=ja")
    text = client.get(f"/api/datasets/{described['id']}/data.csv").text
    assert text == "in1,in2,Ergebnis\r\n0,0,nein\r\n0,1,nein\r\n1,0,nein\r\n1,1,ja\r\n"


def test_the_export_of_a_run_on_an_upload_reproduces_it(client: TestClient, tmp_path: Path) -> None:
    described = upload(client, "a;b;label\n1,5;2;x\n-1;0,5;y\n0,25;-2;x\n3;1;y\n")
    state, auth = create(client, dataset=described["id"], activation="sigmoid")
    done = client.post(f"/api/sessions/{state['id']}/step", json={"epochs": 50}, headers=auth).json()
    script = tmp_path / "run.py"
    script.write_text(client.get(f"/api/sessions/{state['id']}/export.py").text)
    out = json.loads(subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                                    check=True, timeout=60).stdout)  # fmt: skip
    assert np.allclose(out["weights"], done["weights"], rtol=0, atol=1e-12)
    assert '"class_names": ["x", "y"]' in script.read_text()  # inside the one JSON literal


def test_a_session_on_an_upload_survives_a_restart(server: ServerProcess) -> None:
    with httpx.Client(base_url=server.url) as http:
        described = upload(http, AND_CSV, "?standardize=0&positive=ja")
        state = http.post("/api/sessions", json={"dataset": described["id"]}).json()
        auth = {"Authorization": f"Bearer {state['control_token']}"}
        http.post(f"/api/sessions/{state['id']}/step", json={"epochs": 3}, headers=auth)
    server.restart()
    with httpx.Client(base_url=server.url) as http:
        again = http.get(f"/api/sessions/{state['id']}").json()
        assert again["config"]["dataset"] == described["id"] and again["epoch"] == 3
        done = http.post(f"/api/sessions/{state['id']}/step", json={"epochs": 7}, headers=auth).json()
        assert (done["weights"], done["bias"]) == ([2.0, 1.0], -3.0)
        assert http.get(f"/api/sessions/{state['id']}/data").json()["class_names"] == ["nein", "ja"]


def test_two_chosen_columns_are_plotted_as_themselves(client: TestClient) -> None:
    """Past two features the plot shows the principal plane, or two columns the user picks: then
    each point sits at its own values of those two, the others held at their training mean."""
    text = "a,b,c,label\n0,5,1,0\n1,3,2,1\n2,8,0,0\n3,1,4,1\n"
    described = upload(client, text, "?standardize=0")
    state, auth = create(client, dataset=described["id"], plot_features=[2, 0])
    assert state["boundary"]["plane"]["features"] == [2, 0]
    assert state["boundary"]["plane"]["mean"] == [0.0, 4.25, 0.0]
    data = client.get(f"/api/sessions/{state['id']}/data").json()
    assert data["X"] == [[1, 0], [2, 1], [0, 2], [4, 3]]
    assert state["boundary"]["view"] == [-1.0, 5.0, -0.75, 3.75]
    changed = client.patch(f"/api/sessions/{state['id']}", json={"plot_features": None}, headers=auth)
    principal = changed.json()["boundary"]["plane"]
    assert principal["features"] is None and changed.json()["data_version"] != state["data_version"]
    back = client.patch(f"/api/sessions/{state['id']}", json={"plot_features": [0, 1]}, headers=auth).json()
    assert client.get(f"/api/sessions/{state['id']}/data").json()["X"][3] == [3, 1]
    assert back["epoch"] == 0 and back["boundary"]["plane"]["features"] == [0, 1]
    other = client.patch(f"/api/sessions/{state['id']}", json={"dataset": "virus"}, headers=auth).json()
    assert other["config"]["plot_features"] is None  # column numbers do not carry over
    same = client.post("/api/sessions", json={"dataset": "and", "plot_features": [1, 1]})
    assert same.status_code == 422 and same.json()["detail"][0]["loc"] == ["body", "plot_features"]


def test_a_stored_session_whose_upload_was_deleted_says_so(server: ServerProcess) -> None:
    """Deleting an upload is the owner's right; a stored session on it cannot be rebuilt, and
    says why instead of failing with a 500."""
    with httpx.Client(base_url=server.url) as http:
        described = upload(http, AND_CSV)
        state = http.post("/api/sessions", json={"dataset": described["id"]}).json()
        deleted = http.delete(f"/api/datasets/{described['id']}",
                              headers={"Authorization": f"Bearer {described['delete_token']}"})  # fmt: skip
        assert deleted.status_code == 204
        assert http.get(f"/api/sessions/{state['id']}").status_code == 200  # still in memory
    server.restart()
    with httpx.Client(base_url=server.url) as http:
        gone = http.get(f"/api/sessions/{state['id']}")
        assert gone.status_code == 422
        assert gone.json()["detail"][0]["msg"].startswith("no uploaded dataset with that id")


@contextlib.contextmanager
def full_store(settings: Settings) -> Iterator[str]:
    """The configured store refusing every write, as a full disk or a full Redis would; yields
    the words of its refusal."""
    if settings.redis_url:
        with redis.Redis.from_url(settings.redis_url) as r:
            r.config_set("maxmemory", 1)  # with the default noeviction: writes answer OOM
            try:
                yield "command not allowed when used memory > 'maxmemory'"
            finally:
                r.config_set("maxmemory", 0)
        return
    with sqlite3.connect(settings.database) as db:
        db.execute("CREATE TRIGGER full BEFORE INSERT ON uploads BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    try:
        yield "disk full"
    finally:
        with sqlite3.connect(settings.database) as db:
            db.execute("DROP TRIGGER full")


def test_an_upload_the_store_cannot_write_is_a_503_and_nothing_is_kept(
    client: TestClient, settings: Settings
) -> None:
    with full_store(settings) as refusal:
        refused = client.post("/api/datasets", content=AND_CSV.encode(), headers=CSV)
        assert refused.status_code == 503 and refusal in refused.json()["detail"]
        assert "token_hash" not in refused.json()["detail"]  # the refusal, not the command
    assert stored_uploads(settings) == 0
    assert upload(client, AND_CSV)["n_samples"] == 4  # and the store works again
