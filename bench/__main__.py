"""Run every benchmark: `python -m bench [NAME...]`."""

from __future__ import annotations

import sys

from bench import classify_throughput

BENCHMARKS = {"classify": classify_throughput.main}


def main(names: list[str]) -> int:
    for name in names or list(BENCHMARKS):
        print(f"== {name}")
        BENCHMARKS[name]()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
