"""Parse + classify throughput, as a ratio to a bare `email.message_from_bytes`.

All run over the same few thousand messages in the same process, interleaved
round by round, so a noisy machine slows them alike. Goals (issue 24): `parse_mail`
at most 2 times a bare parse, parse + classify at most 3 times. A short mail with a
PDF or Word document attached ("Please see attached") is classified on the document's
words too, which costs reading it (milliseconds for a PDF): such mail is also measured
apart, each part against its own bare parse.
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
from bot.extract.forms import says_little
from bot.mail import ParsedMail, document_kind, parse_mail

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


def reads_a_document(mail: ParsedMail) -> bool:
    """Whether classifying the mail reads an attachment's words (its own are few, a document is attached)."""
    return says_little(mail.fresh_text) and any(document_kind(a.name, a.content_type) for a in mail.attachments)


def measure(raws: list[bytes], classifier: Classifier) -> dict[str, float]:
    ours = lambda raw: classifier.classify(parse_mail(raw))  # noqa: E731
    runs: dict[str, list[float]] = {"bare": [], "parse": [], "both": []}
    for _ in range(ROUNDS):
        runs["bare"].append(timed(email.message_from_bytes, raws))
        runs["parse"].append(timed(parse_mail, raws))
        runs["both"].append(timed(ours, raws))
    return {k: statistics.median(v) for k, v in runs.items()}


def main() -> None:
    raws = corpus()
    classifier = Classifier(load_settings())
    document = [reads_a_document(parse_mail(raw)) for raw in raws]
    own_words = [raw for raw, read in zip(raws, document, strict=True) if not read]
    with_document = [raw for raw, read in zip(raws, document, strict=True) if read]
    print(f"messages: {len(raws)} (distinct files cycled), rounds: {ROUNDS}, median of rounds")
    for name, part in (("all mail", raws), ("mail classified on its own words", own_words),
                       ("short mail with a document attached, read to classify it", with_document)):
        t = measure(part, classifier)
        print(f"-- {name}: {len(part)} messages")
        print(f"bare email.message_from_bytes: {len(part) / t['bare']:8.0f} msg/s")
        for label, key, goal in (("parse_mail alone:             ", "parse", 2), ("parse_mail + classify:        ",
                                                                              "both", 3)):
            print(f"{label} {len(part) / t[key]:8.0f} msg/s   ratio {t[key] / t['bare']:5.2f}   goal <= {goal:.2f}")
