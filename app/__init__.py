"""Neuron Playground: watch a single artificial neuron learn."""

__version__ = "0.1.0"
