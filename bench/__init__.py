"""Benchmarks of PRODUCT.md §12: training speed, streaming, memory per session, page load.

`python -m bench` (or `make bench`) runs them all, prints a table each and writes results.json.
They are measurements, not tests: nothing here runs under `make test`.
"""
