"""Per-field accuracy of reading requests and check answers, on the labelled corpus.

    python -m bench accuracy [--misses] [--only TEXT] [--corpus DIR]

Reads every request in tests/corpus/requests/ (and, when present, the shared extraction
samples) as the bot does (parse, classify, read the facts, plan the drafts) and every
check answer in tests/corpus/answers/, and prints, field by field, how many it got right.
Names are compared as a person would: title, case and accents aside, and a first name
alone matches the same first name; sets of names must match one for one. `--misses`
lists every wrong field with what was expected and what the bot read.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.classify import Classifier
from bot.config import Settings, load_settings
from bot.domain import Kind
from bot.drafting import plan_new_request
from bot.extract.answers import read_answer, read_lado_answer
from bot.extract.facts import RequestFacts, read_facts
from bot.extract.names import normalise, parse_name
from bot.mail import ParsedMail, parse_mail
from bot.reading import quoted_relations
from bot.teams import team_of_kind

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
SAMPLES = ROOT.parent / "shared" / "samples" / "extraction"
REQUEST_FIELDS = ("kind", "urgent", "applicants", "household_over_16", "household_under_16", "household_age_unknown",
                  "dates_of_birth", "consent", "consent_signed_on", "requester_address", "requester_secure",
                  "previously_fostered_or_adopted", "fostered_elsewhere", "expected_drafts")


def _key(name: str) -> tuple[str, str]:
    parsed = parse_name(name)
    return (parsed.first, parsed.last) if parsed else ("", normalise(name))


def same_name(a: str, b: str) -> bool:
    (first_a, last_a), (first_b, last_b) = _key(a), _key(b)
    if not last_a or not last_b:
        return bool(first_a) and (first_a == first_b or (not last_a and first_a == first_b))
    initial = len(first_a) == 1 or len(first_b) == 1
    return last_a == last_b and (not first_a or not first_b or (first_a[:1] == first_b[:1] if initial
                                                                 else first_a == first_b))


def same_names(got: Iterable[str], want: Iterable[str]) -> bool:
    left = list(got)
    for wanted in sorted(want, key=lambda w: -len(_key(w)[0])):
        exact = [g for g in left if same_name(g, wanted) and _key(g)[0] == _key(wanted)[0]]
        loose = [g for g in left if same_name(g, wanted)]
        found = (exact or loose or [None])[0]
        if found is None:
            return False
        left.remove(found)
    return not left


PARTNER_FIELDS = ("agency", "rfi_form", "exemption", "missing")


def request_fields(facts: RequestFacts | None, kind: str, urgent: bool, drafts: list[str]) -> dict[str, Any]:
    if facts is None:
        return {"kind": kind, "urgent": urgent, "expected_drafts": sorted(drafts)}
    partner = facts.partner.as_json()
    household = facts.household
    people = [*facts.applicants, *household]
    return {
        "kind": kind, "urgent": urgent,
        "applicants": [p.name for p in facts.applicants],
        "household_over_16": [p.name for p in household if p.over_16 is True],
        "household_under_16": [p.name for p in household if p.over_16 is False],
        "household_age_unknown": [p.name for p in household if p.over_16 is None],
        "dates_of_birth": {p.name: p.born.isoformat() for p in people if p.born},
        "consent": str(facts.consent.status),
        "consent_signed_on": facts.consent.signed_on.isoformat() if facts.consent.signed_on else None,
        "requester_address": facts.requester.address,
        "requester_secure": facts.requester.secure,
        "previously_fostered_or_adopted": facts.history.with_this_trust,
        "fostered_elsewhere": facts.history.elsewhere,
        "expected_drafts": sorted(drafts),
        **{f"partner_{key}": partner[key] for key in PARTNER_FIELDS},
    }


def agrees(field: str, got: Any, want: Any) -> bool:
    if field.startswith(("applicants", "household")):
        return same_names(got or [], want or [])
    if field == "dates_of_birth":
        return all(any(same_name(g, name) and day == born for g, day in (got or {}).items())
                   for name, born in (want or {}).items())
    if field in ("expected_drafts", "partner_missing"):
        return sorted(got or []) == sorted(want or [])
    return bool(got == want)


def read_request(classifier: Classifier, settings: Settings, path: Path) -> dict[str, Any]:
    return read_request_and_facts(classifier, settings, path)[0]


def read_request_and_facts(classifier: Classifier, settings: Settings,
                           path: Path) -> tuple[dict[str, Any], RequestFacts | None]:
    """What the bot reads of one corpus request as the pipeline does, and the facts behind it (None for a kind
    with none)."""
    mail = parse_mail(path.read_bytes())
    found = classifier.classify(mail)
    if found.kind == Kind.REQUESTER_FOLLOWUP and not found.reference:  # as the pipeline does with no request
        found = classifier.quoted_request(mail) or found                # to link to: the request it quotes
    now = mail.date or __import__("datetime").datetime.now(__import__("datetime").UTC)
    if found.kind.value not in ("ola_request", "partner_request", "level1_verification", "disclosure_request",
                                "referral"):
        fields = request_fields(None, found.name, found.urgent, [])
        return {**fields, "to_a_person": bool(found.near or found.unsure)}, None
    facts = read_facts(mail, settings, now)
    plan = plan_new_request(found.kind, mail, facts, settings)
    return request_fields(facts, found.name, found.urgent, [str(d.template) for d in plan.drafts]), facts


def measure_requests(paths: list[Path], settings: Settings, misses: list[str]) -> dict[str, tuple[int, int]]:
    classifier = Classifier(settings)
    score: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for path in paths:
        label = json.loads(path.with_suffix(".json").read_text()) if path.with_suffix(".json").exists() else \
            _sample_labels().get(path.name, {})
        got = read_request(classifier, settings, path)
        missed = len(misses)
        for field in REQUEST_FIELDS:
            if field not in label or (field != "kind" and label.get("kind") != "ola_request"
                                      and field not in ("urgent", "expected_drafts")):
                continue
            score[field][1] += 1
            if agrees(field, got.get(field), label[field]):
                score[field][0] += 1
            else:
                misses.append(f"{path.stem}: {field}: wanted {label[field]!r}, read {got.get(field)!r}")
        if label.get("partner") and label.get("kind") == "partner_request" == got.get("kind"):
            for key in PARTNER_FIELDS:
                field, want = f"partner_{key}", label["partner"][key]
                score[field][1] += 1
                if agrees(field, got.get(field), want):
                    score[field][0] += 1
                else:
                    misses.append(f"{path.stem}: {field}: wanted {want!r}, read {got.get(field)!r}")
        score["every field right"][0] += len(misses) == missed
        score["every field right"][1] += 1
    return {field: (right, total) for field, (right, total) in score.items()}


def coverage(classifier: Classifier, settings: Settings, paths: list[Path]) -> dict[str, tuple[int, int, int]]:
    """Per set (the name's prefix: fd-, fq-, ol-...): mails whose kind is right, mails handled without a person
    (opened as a request, or left alone as plainly nothing), and mails (issue 21: coverage beside accuracy)."""
    sets: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for path in paths:
        label = json.loads(path.with_suffix(".json").read_text()) if path.with_suffix(".json").exists() else {}
        got = read_request(classifier, settings, path)
        tally = sets[path.name.split("-")[0] if "-" in path.name else "samples"]
        tally[0] += got["kind"] == label.get("kind")
        tally[1] += not got.get("to_a_person")
        tally[2] += 1
    return {name: (right, handled, total) for name, (right, handled, total) in sorted(sets.items())}


def _sample_labels() -> dict[str, dict[str, Any]]:
    labels: dict[str, dict[str, Any]] = json.loads((SAMPLES / "labels.json").read_text())
    return labels


def measure_answers(paths: list[Path], settings: Settings, misses: list[str]) -> dict[str, tuple[int, int]]:
    classifier = Classifier(settings)
    score: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for path in paths:
        label = json.loads(path.with_suffix(".json").read_text())
        mail = parse_mail(path.read_bytes())
        found = classifier.classify(mail)
        totals["kind"] += 1
        score["kind"] += found.name == label["kind"]
        if found.name != label["kind"]:
            misses.append(f"{path.stem}: kind: wanted {label['kind']}, read {found.name}")
        team = team_of_kind(label["kind"])
        if team is None or label["kind"] == "suitability_check":
            continue
        answer = read_answer(team.reader, mail, label["checked"], relations_of(mail, label["checked"]))
        for field, want in _answer_labels(label).items():
            got = answer.facts.get(field)
            totals[field] += 1
            if got == want:
                score[field] += 1
            else:
                misses.append(f"{path.stem}: {field}: wanted {want!r}, read {got!r}")
    return {field: (score[field], totals[field]) for field in totals}


def wrongly_not_known(paths: list[Path]) -> list[str]:
    """Issue 21's unsafe reading: each person LADO's answer is read as ruling out whom the label says LADO know
    or leave unclear (the response would say "not known to the LADO" of them). Should be none, always."""
    unsafe = []
    for path in paths:
        label = json.loads(path.with_suffix(".json").read_text())
        if label["kind"] != "lado_check_response" or not label["final"]:
            continue
        mail = parse_mail(path.read_bytes())
        read = read_lado_answer(mail, label["checked"], relations_of(mail, label["checked"])).facts["people"]
        unsafe += [f"{path.stem}: {name} read not known, labelled {want}" for name, want in label["lado"].items()
                   if want != "not_known" and read.get(name) == "not_known"]
    return unsafe


def relations_of(mail: ParsedMail, checked: list[str]) -> dict[str, str]:
    """How each person checked stands in the household, as the check request quoted under the answer says
    (the running service has it from the request itself)."""
    quoted = quoted_relations(mail, mail.date or datetime.now(UTC))
    return {name: next((r for q, r in quoted.items() if same_name(q, name)), "") for name in checked}


def _answer_labels(label: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {"final": label["final"]}
    if label["kind"] == "lado_check_response":
        found["people"] = label["lado"]
        found["ofsted_paragraph"] = label["ofsted_paragraph"]
    else:
        found.update(label["af"])
    return found


def _print(title: str, scores: dict[str, tuple[int, int]]) -> None:
    print(title)
    for field, (right, total) in scores.items():
        print(f"  {field:32} {right:4d}/{total:<4d} {100 * right / total:6.1f}%")


def invariant_breaks(path: Path, label: dict[str, Any], got: dict[str, Any]) -> list[str]:
    """The safety invariants of issue 13 that one request breaks (each should be none, always)."""
    if label.get("kind") != "ola_request" or got.get("kind") != "ola_request":
        return []
    breaks = []
    over = got.get("household_over_16") or []
    for name in [*label["household_under_16"], *label["household_age_unknown"]]:
        if any(same_name(g, name) for g in over):
            breaks.append(f"{name} is not shown to be over 16 but was listed as over 16")
    checks = {"lado_check_request", "charms_check_request"} & set(got.get("expected_drafts") or [])
    if label["consent"] in ("missing", "expired", "incomplete", "verbal_only") and checks:
        breaks.append(f"consent is {label['consent']} but {sorted(checks)} were drafted")
    if label["requester_secure"] is False and got.get("requester_secure"):
        breaks.append(f"{label['requester_address']} is not a person's own address but was taken as secure")
    return breaks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench accuracy", description=__doc__.split("\n\n")[0])
    parser.add_argument("--misses", action="store_true", help="list every wrong field")
    parser.add_argument("--only", default="", help="only files whose name contains this")
    parser.add_argument("--corpus", type=Path, default=CORPUS,
                        help="a folder with requests/ and answers/ labelled as tests/corpus/README.md says "
                             "(default: tests/corpus)")
    args = parser.parse_args(argv)
    corpus: Path = args.corpus
    settings = load_settings(ROOT / "config" / "cassbot.toml")
    misses: list[str] = []
    requests = [p for p in sorted((corpus / "requests").glob("*.eml")) if args.only in p.name]
    _print(f"Requests: {corpus}/requests ({len(requests)} mails)", measure_requests(requests, settings, misses))
    print("Requests by set: kind right, handled without a person")
    for name, (right, handled, total) in coverage(Classifier(settings), settings, requests).items():
        print(f"  {name:8} kind {100 * right / total:5.1f}%  handled without a person {100 * handled / total:5.1f}%"
              f"  ({total} mails)")
    answers = [p for p in sorted((corpus / "answers").glob("*.eml")) if args.only in p.name]
    _print(f"Check answers: {corpus}/answers ({len(answers)} mails)", measure_answers(answers, settings, misses))
    unsafe = wrongly_not_known(answers)
    print(f"  read 'not known' of someone LADO did not rule out: {len(unsafe)}")
    misses.extend(unsafe)
    if (SAMPLES / "labels.json").exists() and not args.only and corpus == CORPUS:
        samples = sorted(SAMPLES.glob("x*.eml"))
        _print(f"Shared extraction samples ({len(samples)} mails)", measure_requests(samples, settings, misses))
    if args.misses:
        print("\n".join(misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())

