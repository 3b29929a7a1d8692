"""python -m bench [training] [streaming] [admission] [memory] [page] [--quick]: run, print, save
results.json."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from bench import admission, memory, page, streaming, training
from bench.timing import machine, table

RESULTS = Path(__file__).resolve().parent / "results.json"
BENCHMARKS = {"training": training, "streaming": streaming, "admission": admission, "memory": memory,
              "page": page}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("only", nargs="*", help=f"some of {', '.join(BENCHMARKS)} (default: all)")
    parser.add_argument("--quick", action="store_true", help="fewer repeats and scenarios")
    args = parser.parse_args()
    unknown = sorted(set(args.only) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    chosen = args.only or list(BENCHMARKS)

    results: dict[str, Any] = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["machine"] = machine()
    results["command"] = "make bench" if not args.only and not args.quick else " ".join(
        ["python -m bench", *chosen, *(["--quick"] if args.quick else [])])  # fmt: skip
    started = time.monotonic()
    for name in chosen:
        module = BENCHMARKS[name]
        print(f"== {name}", flush=True)
        load_before = os.getloadavg()
        t0 = time.monotonic()
        section = module.run(quick=args.quick)
        section["seconds"] = round(time.monotonic() - t0, 1)
        section["load_average"] = {"before": [round(v, 2) for v in load_before],
                                   "after": [round(v, 2) for v in os.getloadavg()]}  # fmt: skip
        section["verdicts"] = [list(v) for v in module.verdicts(section)]
        results[name] = section
        print(module.report(section), flush=True)
        print(f"({section['seconds']:g} s; load average before {load_before[0]:.2f}, "
              f"after {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores)\n", flush=True)  # fmt: skip
    results["seconds"] = round(time.monotonic() - started, 1)
    RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")

    rows = [[target, figure, "yes" if met else "NO"]
            for name in BENCHMARKS if name in results
            for target, figure, met in results[name].get("verdicts", [])]  # fmt: skip
    print("== targets")
    print(table(["target", "measured", "met"], rows))
    print(f"\nwrote {RESULTS} in {results['seconds']:g} s", file=sys.stderr)


if __name__ == "__main__":
    main()
