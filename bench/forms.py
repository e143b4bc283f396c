"""Reading consent forms: per-field accuracy on request mail whose facts are in the attached form, by format.

    python -m bench forms [--corpus DIR] [--misses] [--only TEXT]

Each `.eml` in DIR (default tests/forms/) carries a consent form (Word, text PDF, a scan
or photo, OpenDocument, RTF, an encrypted or damaged file, or none) and a label as
tests/forms/README.md says. For each format it prints how often the request's fields came
out right, person by person on the form (who must sign, who signed, their signing date),
and the consent decision three ways: right, cautious (a person is asked to look, where
the label's decision is not "ok"... or the bot held back from a decision the form would
have allowed), and unsafe (checks drafted where the form shows consent is not in order).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.accuracy import ROOT, agrees, read_request_and_facts, same_name
from bot.classify import Classifier
from bot.config import Settings, load_settings
from bot.extract.facts import RequestFacts

FORMS = ROOT / "tests" / "forms"
FIELDS = ("kind", "applicants", "household_over_16", "household_under_16", "dates_of_birth", "consent",
          "consent_signed_on", "expected_drafts")
_CHECKS = {"lado_check_request", "charms_check_request"}


def _format(label: dict[str, Any]) -> str:
    form = label.get("form")
    return form["format"] if form else "none"


def _people_scores(label: dict[str, Any], facts: RequestFacts | None) -> list[tuple[str, bool, str]]:
    """(field, right, what was wrong) for each person the form says must sign."""
    form = label.get("form") or {}
    if facts is None:
        return []
    said = {name: (kind, day) for name, kind, day in facts.consent.per_person}
    out = []
    for person in (p for p in form.get("people", []) if p.get("must_sign")):
        found = next(((k, d) for n, (k, d) in said.items() if same_name(n, person["name"])), None)
        signed = found is not None and str(found[0]) == "signed"
        out.append(("must sign, found", found is not None, f"{person['name']} not among those who must sign"))
        out.append(("signed", signed == person["signed"], f"{person['name']}: signed {person['signed']}, read "
                                                           f"{found[0] if found else None}"))
        if person["signed"] and signed:
            day = found[1].isoformat() if found and found[1] else None
            out.append(("signing date", day == person["signed_on"],
                        f"{person['name']}: signed on {person['signed_on']}, read {day}"))
    return out


def _decision(label: dict[str, Any], got: dict[str, Any]) -> str:
    drafted = set(got.get("expected_drafts") or [])
    if label["consent"] != "ok" and drafted & _CHECKS:
        return "unsafe"
    if got.get("consent") == label["consent"]:
        return "right"
    return "cautious" if got.get("consent") == "unconfirmed" or not drafted & _CHECKS else "other"


def measure(paths: list[Path], settings: Settings, misses: list[str]) -> dict[str, dict[str, list[int]]]:
    classifier = Classifier(settings)
    scores: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for path in paths:
        label = json.loads(path.with_suffix(".json").read_text())
        got, facts = read_request_and_facts(classifier, settings, path)
        for bucket in ("all", _format(label)):
            table = scores[bucket]
            for field in FIELDS:
                right = agrees(field, got.get(field), label[field])
                table[field][0] += right
                table[field][1] += 1
                if not right and bucket == "all":
                    misses.append(f"{path.stem}: {field}: wanted {label[field]!r}, read {got.get(field)!r}")
            for field, right, why in _people_scores(label, facts):
                table[field][0] += right
                table[field][1] += 1
                if not right and bucket == "all":
                    misses.append(f"{path.stem}: {field}: {why}")
            if _format(label) == "scan" and facts is not None and facts.consent.evidence:
                marked = any("scan" in note for note in facts.notes)
                table["scan facts marked as read from a scan"][0] += marked
                table["scan facts marked as read from a scan"][1] += 1
            decision = _decision(label, got)
            for outcome in ("right", "cautious", "unsafe"):
                table[f"consent decision {outcome}"][0] += decision == outcome
                table[f"consent decision {outcome}"][1] += 1
    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench forms", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=FORMS, help="a folder of labelled .eml (default tests/forms)")
    parser.add_argument("--misses", action="store_true", help="list every wrong field")
    parser.add_argument("--only", default="", help="only files whose name contains this")
    args = parser.parse_args(argv)
    settings = load_settings(ROOT / "config" / "cassbot.toml")
    paths = [p for p in sorted(Path(args.corpus).glob("*.eml")) if args.only in p.name]
    misses: list[str] = []
    for bucket, table in sorted(measure(paths, settings, misses).items(), key=lambda kv: kv[0] != "all"):
        print(f"{bucket} ({table['kind'][1]} mails)")
        for field, (right, total) in table.items():
            print(f"  {field:28} {right:4d}/{total:<4d} {100 * right / total:6.1f}%")
    if args.misses:
        print("\n".join(misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
