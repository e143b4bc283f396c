"""Run every benchmark: `python -m bench [NAME...]`."""

from __future__ import annotations

import sys
from collections.abc import Callable

from bench import (
    accuracy,
    alert_latency,
    classify_throughput,
    ews_bench,
    graph_bench,
    imap_bench,
    instances_bench,
    pipeline_throughput,
    reading,
    service_bench,
)

BENCHMARKS: dict[str, Callable[[list[str]], None]] = {
    "classify": lambda args: classify_throughput.main(),
    "pipeline": pipeline_throughput.main,
    "imap": imap_bench.main,
    "service": service_bench.main,
    "instances": instances_bench.main,
    "ews": ews_bench.main,
    "graph": graph_bench.main,
    "alerts": alert_latency.main,
    "accuracy": accuracy.main,
    "reading": reading.main,
}


def main(argv: list[str]) -> int:
    """`python -m bench` runs them all; `python -m bench NAME [ARGS...]` runs one."""
    if argv and argv[0] in BENCHMARKS:
        BENCHMARKS[argv[0]](argv[1:])
        return 0
    for name, run in BENCHMARKS.items():
        print(f"== {name}")
        run([])
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
