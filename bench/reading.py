"""What reading a request costs on top of parsing and classifying it.

    python -m bench reading [--rounds N]

Warm: every request in tests/corpus/requests/ is parsed and classified, then parsed,
classified and read (`read_facts`, the people, consent and history), interleaved round
by round so a noisy machine slows both alike; the median per mail of each, and what
reading alone costs (goals, issue 24: a median of 5 ms and 12 ms at the 95th percentile
on mail with no document attached). A request with a consent form attached pays for
reading the form (a PDF's layout, a scan's OCR): it is measured apart, with no goal. Cold: the first mail of a fresh
process, read from start (imports included), against a bare `python -c "import email"`
in the same run (goal: at most 0.5 s).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bot.classify import Classifier
from bot.config import load_settings
from bot.extract.facts import read_facts
from bot.mail import document_kind, parse_mail

ROOT = Path(__file__).resolve().parent.parent
REQUESTS = ROOT / "tests" / "corpus" / "requests"
NOW = datetime(2026, 11, 27, tzinfo=UTC)
_COLD = """
import time; start = time.perf_counter()
from pathlib import Path
from bot.classify import Classifier
from bot.config import load_settings
from bot.extract.facts import read_facts
from bot.mail import document_kind, parse_mail
settings = load_settings()
mail = parse_mail(Path({path!r}).read_bytes())
Classifier(settings).classify(mail)
read_facts(mail, settings, mail.date)
print(time.perf_counter() - start)
"""


def per_mail(work: list[bytes], read: bool, classifier: Classifier) -> tuple[list[float], list[float]]:
    """Each mail's time to parse, classify (and read), and to read alone."""
    settings = classifier.settings
    times, reading = [], []
    for raw in work:
        start = time.perf_counter()
        mail = parse_mail(raw)
        classifier.classify(mail)
        if read:
            started = time.perf_counter()
            read_facts(mail, settings, mail.date or NOW)
            reading.append(time.perf_counter() - started)
        times.append(time.perf_counter() - start)
    return times, reading


def has_document(raw: bytes) -> bool:
    return any(document_kind(a.name, a.content_type) for a in parse_mail(raw).attachments)


def report(name: str, raws: list[bytes], rounds: int, classifier: Classifier, goals: bool) -> None:
    plain: list[float] = []
    full: list[float] = []
    reading: list[float] = []
    for _ in range(rounds):
        plain.extend(per_mail(raws, False, classifier)[0])
        times, read = per_mail(raws, True, classifier)
        full.extend(times)
        reading.extend(read)
    base, whole = statistics.median(plain) * 1000, statistics.median(full) * 1000
    median, slowest = statistics.median(reading) * 1000, sorted(reading)[int(len(reading) * 0.95)] * 1000
    print(f"-- {name}: {len(raws)} requests")
    print(f"parse + classify:          {base:7.2f} ms")
    print(f"parse + classify + read:   {whole:7.2f} ms   ratio {whole / base:5.2f}")
    print(f"reading alone:             {median:7.2f} ms median{'   (goal <= 5)' if goals else ''}, "
          f"95th percentile {slowest:6.2f} ms{'   (goal <= 12)' if goals else ''}")


def cold_seconds(code: str) -> float:
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return float(out.stdout.strip() or time.perf_counter() - started)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench reading", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    raws = [p.read_bytes() for p in sorted(REQUESTS.glob("*.eml"))]
    classifier = Classifier(load_settings())
    per_mail(raws, True, classifier)  # warm: imports, compiled patterns, dateparser's tables
    print(f"rounds: {args.rounds}, per mail")
    document = [has_document(raw) for raw in raws]
    report("requests with no document attached", [r for r, d in zip(raws, document, strict=True) if not d],
           args.rounds, classifier, goals=True)
    report("requests with a document attached (a consent form read)",
           [r for r, d in zip(raws, document, strict=True) if d], args.rounds, classifier, goals=False)
    bare = min(cold_seconds("import email") for _ in range(3))
    first = min(cold_seconds(_COLD.format(path=str(sorted(REQUESTS.glob('*.eml'))[0]))) for _ in range(3))
    print(f"first mail of a process:   {first:7.3f} s    (bare python -c 'import email': {bare:5.3f} s; goal <= 0.5)")
