"""Check that the corpus labels follow tests/corpus/README.md, and agree with themselves.

    python3 tests/corpus/validate.py            # every label
    python3 tests/corpus/validate.py FILE.json  # some

Checks the fields and their types, that a date of birth and the over/under-16 lists agree
at the mail's Date, that an OLA request's expected drafts follow from its consent, its
requester's address and its history, and that a consent labelled `ok` is at most
3 months old. Prints one line per problem; exits 1 if there is any.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from email import message_from_bytes, policy
from email.utils import parsedate_to_datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
KINDS = {"ola_request", "partner_request", "level1_verification", "disclosure_request", "referral", "other"}
CONSENT = {"ok", "missing", "expired", "incomplete", "verbal_only", "undated", "unconfirmed", None}
REQUEST_FIELDS = {
    "kind", "urgent", "applicants", "household_over_16", "household_under_16", "household_age_unknown",
    "dates_of_birth", "consent", "consent_signed_on", "requester_address", "requester_secure",
    "previously_fostered_or_adopted", "fostered_elsewhere", "expected_drafts", "partner", "referral", "notes",
}
ANSWER_FIELDS = {"kind", "rao", "final", "checked", "lado", "ofsted_paragraph", "af", "notes"}
MISSING = {"rfi_form", "consent", "concerns", "concerns_not_sufficient", "purpose", "consent_statement"}


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def ola_drafts(label: dict) -> set[str]:
    if label["consent"] in ("missing", "expired", "incomplete", "verbal_only"):
        return {"resubmission_request"}
    if label["consent"] == "unconfirmed":  # a form the bot cannot read: a person decides, nothing is drafted
        return set()
    drafts = {"lado_check_request"}
    if label["previously_fostered_or_adopted"]:
        drafts.add("charms_check_request")
    if label["requester_secure"] is False:
        drafts.add("secure_address_challenge")
    return drafts


def _fields(wanted: set[str], label: dict) -> str:
    return f"fields: missing {sorted(wanted - set(label))}, extra {sorted(set(label) - wanted)}"


def check_request(label: dict, mail_date: date, problems: list[str]) -> None:
    if set(label) != REQUEST_FIELDS:
        problems.append(_fields(REQUEST_FIELDS, label))
        return
    if label["kind"] not in KINDS:
        problems.append(f"kind {label['kind']!r}")
    if label["consent"] not in CONSENT:
        problems.append(f"consent {label['consent']!r}")
    people = [name for field in ("applicants", "household_over_16", "household_under_16", "household_age_unknown")
              for name in label[field]]
    if len(people) != len(set(people)):
        problems.append("a name is listed twice")
    for name, born in label["dates_of_birth"].items():
        if name not in people:
            problems.append(f"date of birth for {name!r}, who is in no list")
            continue
        age = age_on(date.fromisoformat(born), mail_date)
        if name in label["household_under_16"] and age >= 16 or name in label["household_over_16"] and age < 16:
            problems.append(f"{name!r} is {age} on the mail's Date, against the list they are in")
        if name in label["household_age_unknown"]:
            problems.append(f"{name!r} has a date of birth, so their age is known")
    signed = label["consent_signed_on"]
    if signed and date.fromisoformat(signed) > mail_date:
        problems.append("consent signed after the mail's Date")
    if label["kind"] == "ola_request":
        if label["consent"] is None or label["requester_secure"] is None:
            problems.append("an OLA request needs consent and requester_secure")
        if label["consent"] == "ok" and (not signed or add_months(date.fromisoformat(signed), 3) < mail_date):
            problems.append("consent ok needs a signing date at most 3 months before the mail's Date")
        if label["consent"] == "expired" and signed and add_months(date.fromisoformat(signed), 3) >= mail_date:
            problems.append("consent expired but signed within 3 months")
        if set(label["expected_drafts"]) != ola_drafts(label):
            want = sorted(ola_drafts(label))
            problems.append(f"expected_drafts {sorted(label['expected_drafts'])} but the rules give {want}")
        if not label["applicants"]:
            problems.append("an OLA request names its applicants")
    else:
        if label["applicants"] or label["requester_secure"] is not None:
            problems.append("applicants and requester_secure are for OLA requests only")
    partner_kind = label["kind"] in ("partner_request", "level1_verification", "disclosure_request")
    if partner_kind != (label["partner"] is not None):
        problems.append("partner is set exactly for partner-side kinds")
    if label["partner"] is not None:
        missing = set(label["partner"].get("missing", []))
        if missing - MISSING:
            problems.append(f"unknown missing items {sorted(missing - MISSING)}")
        if label["kind"] == "partner_request":
            # Complete: the skeleton, or first the secure-address question when it came from a team box or webmail.
            wants = [{"more_information"}] if missing else [{"partner_response"}, {"secure_address_challenge"}]
            if set(label["expected_drafts"]) not in wants:
                problems.append(f"a partner request with missing={sorted(missing)} drafts one of "
                                f"{[sorted(w) for w in wants]}")
    if (label["kind"] == "referral") != (label["referral"] is not None):
        problems.append("referral is set exactly for referrals")
    # Level 1 from webmail that gives no work address: no draft, a person confirms who they are.
    fixed = {"level1_verification": [{"level1_reply"}, set()], "disclosure_request": [{"disclosure_redirect"}],
             "referral": [set()], "other": [set()]}
    if label["kind"] in fixed and set(label["expected_drafts"]) not in fixed[label["kind"]]:
        problems.append(f"{label['kind']} drafts one of {[sorted(w) for w in fixed[label['kind']]]}")


def check_answer(label: dict, problems: list[str]) -> None:
    if label.get("kind") == "suitability_check":
        if set(label) != {"kind", "about", "notes"}:
            problems.append("a suitability check has kind, about and notes")
        return
    if set(label) - {"sources"} != ANSWER_FIELDS:
        problems.append(_fields(ANSWER_FIELDS, label))
        return
    if set(label.get("sources") or {}) - set(label["checked"]):
        problems.append("sources are given only for people checked")
    if label["kind"] == "lado_check_response":
        if set(label["lado"] or {}) != set(label["checked"]):
            problems.append("lado gives a verdict for exactly the people checked")
        verdicts = set((label["lado"] or {}).values())
        if verdicts - {"known", "not_known", "unclear"}:
            problems.append(f"lado verdicts {sorted(verdicts)}")
        if label["ofsted_paragraph"] != bool(verdicts & {"known", "unclear"}):
            problems.append("ofsted_paragraph is true exactly when someone is known or unclear")
        if label["af"] is not None:
            problems.append("af is null for LADO")
    elif label["kind"] == "charms_check_response":
        if set(label["af"] or {}) != {"previously_approved", "deregistered", "withdrew", "sensitive_reason"}:
            problems.append("af has previously_approved, deregistered, withdrew, sensitive_reason")
        if label["lado"] is not None or label["ofsted_paragraph"] is not None:
            problems.append("lado and ofsted_paragraph are null for A&F")
    else:
        problems.append(f"kind {label['kind']!r}")


def check(path: Path) -> list[str]:
    problems: list[str] = []
    eml = path.with_suffix(".eml")
    if not eml.exists():
        return [f"no {eml.name} beside it"]
    try:
        label = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        return [f"not JSON: {exc}"]
    mail = message_from_bytes(eml.read_bytes(), policy=policy.default)
    try:
        mail_date = parsedate_to_datetime(str(mail["Date"])).date()
    except (TypeError, ValueError):
        return ["the .eml has no readable Date"]
    if not mail["From"] or not mail["Message-ID"] or not mail["Subject"]:
        problems.append("the .eml needs From, Subject and Message-ID")
    if path.parent.name == "answers":
        check_answer(label, problems)
    else:
        check_request(label, mail_date, problems)
    return problems


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted(HERE.glob("*/*.json"))
    bad = 0
    for path in paths:
        for problem in check(path):
            print(f"{path}: {problem}")
            bad += 1
    print(f"{len(paths)} labels, {bad} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
