"""`cassbot classify PATH...`: what each mail is, one JSON line per mail, without a store or a mailbox."""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from bot.classify import Classifier
from bot.config import Settings
from bot.errors import Exit
from bot.library_warnings import heard
from bot.mail import parse_mail
from bot.reading import facts_of

log = logging.getLogger(__name__)


def run(args: argparse.Namespace, settings: Settings) -> int:
    classifier = Classifier(settings)
    for path in _eml_files(args.paths):
        print(json.dumps(classify_file(classifier, path, args.facts), ensure_ascii=False), flush=True)
    return Exit.OK


def _eml_files(paths: Sequence[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.glob("*.eml") if p.is_file())
        else:
            yield path


def classify_file(classifier: Classifier, path: Path, facts: bool = False) -> dict[str, object]:
    """One line of `cassbot classify` output; an unreadable file still gets one."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        log.info("cannot read %s: %s", path, exc.strerror)
        return {"path": str(path), "kind": "other", "urgent": False, "rao": None,
                "sender_trusted": None, "reference": None, "reasons": [],
                "error": f"cannot read file: {exc.strerror}"}
    with heard() as libraries:
        mail = parse_mail(raw)
        found = classifier.classify(mail)
        line: dict[str, object] = {"path": str(path), **found.as_json()}
        if facts:
            line["facts"] = facts_of(mail, found, classifier.settings, datetime.now(UTC))
    libraries.log(mail.message_id or str(path))
    return line
