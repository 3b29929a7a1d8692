"""A session as it would look with other parameters, the session itself untouched: what the
timeline shows for a recorded epoch (its boundary, outputs, table and scores)."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

from app.neuron.errors import NeuronError
from app.neuron.landscape import SINGLE_NEURON
from app.neuron.training import Run
from app.sessions.session import Session


def state_with(session: Session, weights: list[float], bias: float) -> dict[str, Any]:
    """The session state with these weights and bias; the parameters are checked as a PATCH
    checks them (one weight per feature; b = 0 with the bias off)."""
    run = session.run
    if run.hidden is not None:  # a recorded epoch of a network is more than a weight vector
        raise NeuronError("hidden_units", SINGLE_NEURON)
    probe = Run(run.config, replace(run.state, last_update=None), run.data)
    probe.set_parameters(weights, bias)
    view = copy.copy(session)  # shares the data and its cached view box and plane
    view.run = probe
    view.playing = False
    return view.state()
