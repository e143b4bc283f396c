"""Parse + classify throughput, as a ratio to a bare `email.message_from_bytes`.

Both run over the same few thousand messages in the same process, interleaved
round by round, so a noisy machine slows both alike. Goal: ratio <= 2.
"""

from __future__ import annotations

import email
import statistics
import time
from collections.abc import Callable
from itertools import cycle, islice
from pathlib import Path

from bot.classify import Classifier
from bot.config import load_settings
from bot.mail import parse_mail

ROOT = Path(__file__).resolve().parent.parent
SOURCES = (ROOT / "demo" / "mail", ROOT / "tests" / "mail", ROOT / "tests" / "unseen")
MESSAGES = 3000
ROUNDS = 5


def corpus() -> list[bytes]:
    files = sorted(p for src in SOURCES if src.is_dir() for p in src.rglob("*.eml"))
    raws = [p.read_bytes() for p in files if p.stat().st_size < 100_000]
    return list(islice(cycle(raws), MESSAGES))


def timed(work: Callable[[bytes], object], raws: list[bytes]) -> float:
    start = time.perf_counter()
    for raw in raws:
        work(raw)
    return time.perf_counter() - start


def main() -> None:
    raws = corpus()
    classifier = Classifier(load_settings())
    ours = lambda raw: classifier.classify(parse_mail(raw))  # noqa: E731
    runs: dict[str, list[float]] = {"bare": [], "parse": [], "both": []}
    for _ in range(ROUNDS):
        runs["bare"].append(timed(email.message_from_bytes, raws))
        runs["parse"].append(timed(parse_mail, raws))
        runs["both"].append(timed(ours, raws))
    bare, parse, both = (statistics.median(runs[k]) for k in ("bare", "parse", "both"))
    print(f"messages: {len(raws)} (distinct files cycled), rounds: {ROUNDS}, median of rounds")
    print(f"bare email.message_from_bytes: {len(raws) / bare:8.0f} msg/s")
    print(f"parse_mail alone:              {len(raws) / parse:8.0f} msg/s   ratio {parse / bare:5.2f}")
    print(f"parse_mail + classify:         {len(raws) / both:8.0f} msg/s   ratio {both / bare:5.2f}   goal <= 2.00")
