"""A session with a hidden layer survives its storage form (a restart) and resumes exactly."""

from __future__ import annotations

from app.lessons import lesson_by_id
from app.neuron.config import complete_config
from app.sessions.session import Session


def test_a_network_session_comes_back_from_its_record_and_trains_on_identically() -> None:
    config = complete_config(lesson_by_id("two-neurons-solve-xor").config)
    session = Session.create("s", "hash", config)
    session.step(samples=7)  # mid-epoch: the cursor must come back too
    record = session.record_json()  # what the store keeps
    restored = Session.from_record("s", "hash", 0.0, 0.0, record)
    assert restored.state()["layers"] == session.state()["layers"]
    session.step(epochs=20)
    restored.step(epochs=20)
    assert restored.state()["layers"] == session.state()["layers"]
    assert restored.run.state.epoch == session.run.state.epoch == 21
