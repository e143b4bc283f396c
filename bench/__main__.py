"""The benchmarks: `python -m bench` runs them all, `python -m bench NAME [ARGS...]` one, `--help` lists them.

Each prints ratios against a baseline measured in the same run (these machines are noisy).
"""

from __future__ import annotations

import sys
from importlib import import_module

# name: (module in bench/, what it measures)
BENCHMARKS: dict[str, tuple[str, str]] = {
    "classify": ("classify_throughput", "classifying mail: mails per second against parsing alone"),
    "pipeline": ("pipeline_throughput", "the whole pipeline on Maildir, 1k and 100k stored mails"),
    "imap": ("imap_bench", "a poll over the test Dovecot against a bare IMAP fetch"),
    "service": ("service_bench", "the service's poll loop and restart"),
    "instances": ("instances_bench", "several instances on one PostgreSQL store"),
    "ews": ("ews_bench", "the EWS backend against a local EWS endpoint"),
    "graph": ("graph_bench", "the Graph backend against a local Graph endpoint"),
    "alerts": ("alert_latency", "from an urgent mail's arrival to its alert"),
    "accuracy": ("accuracy", "reading accuracy per field on a labelled corpus (--misses, --only, --corpus DIR)"),
    "reading": ("reading", "the cost of reading a request's facts"),
    "form-speed": ("form_speed", "what an attached consent form costs to read: text layer, OCR a page, a long scan"),
    "forms": ("forms", "reading consent forms attached to requests, per field and per format (--misses, --corpus)"),
    "startup": ("startup", "how fast each command starts, against a bare `python -c 'import email'`"),
    "pilot": ("pilot_bench", "a pilot over a year of mail (--mails N, 20,000) against run --once over the same"),
    "report": ("report_bench", "the month in figures over a year of mail (--mails N, 20,000), and the acceptance "
                               "measure per sent mail"),
}


def usage() -> str:
    width = max(map(len, BENCHMARKS))
    lines = ["usage: python -m bench [NAME [ARGS...]]", "", "Runs every benchmark, or the one named:", ""]
    lines += [f"  {name:<{width}}  {what}" for name, (_, what) in BENCHMARKS.items()]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help", "help"):
        print(usage())
        return 0
    if argv and argv[0] not in BENCHMARKS:
        print(f"no benchmark {argv[0]!r}\n\n{usage()}", file=sys.stderr)
        return 2
    chosen = [argv[0]] if argv else list(BENCHMARKS)
    for name in chosen:
        if not argv:
            print(f"== {name}")
        module = import_module(f"bench.{BENCHMARKS[name][0]}")
        if name == "classify":
            module.main()
        else:
            module.main(argv[1:] if argv else [])
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
