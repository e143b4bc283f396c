"""The labelled development corpus (tests/corpus/): what the bot reads, and the invariants of issue 13.

Every label follows tests/corpus/README.md. On every request the safety invariants hold
(nobody not shown to be over 16 is listed as over 16; no check is drafted when consent
is missing, expired, incomplete or verbal only; no role, team or webmail address is taken
for a person's own). Every check answer, played through a whole journey (request, checks
sent by the RAO, the team's answer), gives a response that says of nobody that LADO do
not know them unless LADO said so, carries the OFSTED paragraph when anyone is known or
unclear, and never repeats A&F's health or money reasons; its note for the RAO quotes the words of
LADO's answer each statement rests on (the label's `sources` where its writer gave them), with the
answer's subject and received time, and none of those words reach the letter (issue 21). Per-field
accuracy must not fall
below the floors measured when this test was written (`python -m bench accuracy` prints it).
"""

from __future__ import annotations

import email
import email.policy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from bench.accuracy import invariant_breaks, measure_answers, measure_requests, read_request, wrongly_not_known
from bot.classify import Classifier
from bot.config import Settings
from bot.domain import Kind
from bot.mailbox.base import Folder
from bot.store import Check
from tests.conftest import parse_file
from tests.corpus.validate import check
from tests.support.forms import signed_consent
from tests.support.journey import Journey, with_mailboxes
from tests.support.mail import EXCHANGE_STAMP, build_mail

CORPUS = Path(__file__).resolve().parent / "corpus"
REQUESTS = sorted((CORPUS / "requests").glob("*.eml"))
ANSWERS = sorted((CORPUS / "answers").glob("*.eml"))
RAOS = {"Priya Shah": "priya.shah", "Marcus Obi": "marcus.obi", "Bethany Clarke": "bethany.clarke",
        "Daniel Wright": "daniel.wright", "Daniel Hughes": "daniel.hughes", "Siobhan O'Neill": "siobhan.oneill"}
# Measured when written (256 requests, 108 answers; then the front door's 106 more; then issue 21's 100 lw- answers,
# LADO people 95.5%; then the household, history and names read closer, applicants 97.3%, household 95.3/96.5/99.2%,
# dates of birth 96.9%, consent 98.1%, fostered elsewhere 96.1%), a point or two below; a change that reads worse
# fails here.
REQUEST_FLOORS = {"kind": 97, "expected_drafts": 95, "partner_agency": 98, "partner_rfi_form": 98,
                  "partner_exemption": 98, "partner_missing": 96, "urgent": 98, "applicants": 96,
                  "household_over_16": 94, "household_under_16": 95,
                  "household_age_unknown": 97, "dates_of_birth": 95, "consent": 96, "consent_signed_on": 96,
                  "requester_address": 98, "requester_secure": 98, "previously_fostered_or_adopted": 96,
                  "fostered_elsewhere": 95}
ANSWER_FLOORS = {"kind": 100, "final": 98, "people": 94, "ofsted_paragraph": 98, "previously_approved": 100,
                 "deregistered": 100, "withdrew": 100, "sensitive_reason": 100}


def _label(path: Path) -> dict[str, Any]:
    label: dict[str, Any] = json.loads(path.with_suffix(".json").read_text())
    return label


def test_every_label_follows_the_corpus_readme() -> None:
    problems = [f"{path.name}: {p}" for path in [*REQUESTS, *ANSWERS] for p in check(path.with_suffix(".json"))]
    assert problems == []
    assert len(REQUESTS) >= 120 and len(ANSWERS) >= 40


@pytest.mark.parametrize("path", REQUESTS, ids=lambda p: p.stem)
def test_request_safety_invariants(path: Path, classifier: Classifier, settings: Settings) -> None:
    assert invariant_breaks(path, _label(path), read_request(classifier, settings, path)) == []


@pytest.mark.parametrize("path", [p for p in REQUESTS if _label(p)["kind"] not in ("other", "auto_reply")],
                         ids=lambda p: p.stem)
def test_no_request_or_referral_goes_unseen(path: Path, classifier: Classifier) -> None:
    """Issue 15: every request and referral is either read as one or put before a person."""
    found = classifier.classify(parse_file(path))
    assert found.kind != Kind.OTHER or found.near or found.unsure, found.reasons


def test_reading_requests_is_no_worse_than_when_measured(settings: Settings) -> None:
    scores = measure_requests(REQUESTS, settings, [])
    below = {field: f"{100 * right / total:.1f}%" for field, (right, total) in scores.items()
             if field in REQUEST_FLOORS and 100 * right / total < REQUEST_FLOORS[field]}
    assert below == {}


def test_reading_answers_is_no_worse_than_when_measured(settings: Settings) -> None:
    scores = measure_answers(ANSWERS, settings, [])
    below = {field: f"{100 * right / total:.1f}%" for field, (right, total) in scores.items()
             if 100 * right / total < ANSWER_FLOORS[field]}
    assert below == {}


def test_no_answer_is_read_as_ruling_out_anyone_lado_did_not() -> None:
    """Issue 21: "not known to the LADO" is never read of someone the answer leaves known or unclear."""
    assert wrongly_not_known(ANSWERS) == []


def _request_for(label: dict[str, Any], af: bool) -> bytes:
    """An OLA request naming the people the answer's check asked about, consent in order; with `af`, an
    applicant who fostered with the trust, so a CHARMS check is asked too."""
    people = label["checked"]
    lines = "\n".join(f"- {name}, DOB 01/01/1980 ({'applicant' if n == 0 else 'household member'})"
                      for n, name in enumerate(people))
    history = "She was approved as a foster carer with your trust in 2015.\n" if af else ""
    body = (f"Dear CASS,\n\nWe are assessing {people[0]} as a foster carer. The applicant and household:\n\n"
            f"{lines}\n\n{history}All of them signed consent on 2 November 2026; forms attached.\n\n"
            "Kind regards\nHelen Marsh\nNorthshire Council\n")
    return build_mail(f"Information request - {people[0]}", body, sender="helen.marsh@northshire.gov.uk",
                      date="Mon, 16 Nov 2026 09:00:00 +0000", message_id="<request@northshire.gov.uk>",
                      attachment=signed_consent(*people))


def _lado_not_known(rao: str, people: list[str]) -> bytes:
    return build_mail(f"LADO CHECK {rao}", "None of the above are known to LADO.\n\n" + "\n".join(people),
                      sender="lado@childrenstrust.example", date="Tue, 17 Nov 2026 11:00:00 +0000",
                      **EXCHANGE_STAMP)


def _response_text(journey: Journey) -> str:
    draft = journey.draft("CASS-2026-000001", "response")
    raw = next(r for r in journey.folder(Folder.DRAFTS) if draft.message_id.encode() in r)
    part = next(p for p in email.message_from_bytes(raw).walk() if p.get_content_type() == "text/plain")
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return " ".join(payload.decode().split())


def _played(path: Path, settings: Settings, tmp_path: Path) -> tuple[Journey, dict[str, Any]]:
    """The request, the checks sent by the RAO the answer names, the answer. An officer answering from their
    own address is configured as answering for their team (`answered_by`)."""
    label = _label(path)
    af = label["kind"] == "charms_check_response"
    sender = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)["From"].addresses[0].addr_spec
    if sender.lower() not in (settings.mailbox("af").address, settings.mailbox("lado").address):
        settings = with_mailboxes(settings, ("af" if af else "lado",), answered_by=[sender.lower()])
    journey = Journey(settings, tmp_path)
    journey.deliver(raw=_request_for(label, af))
    journey.run()
    journey.clock.now = journey.clock.now.replace(day=17, hour=9)
    rao = f"{RAOS[label['rao']]}@childrenstrust.example"
    journey.send("CASS-2026-000001", "lado_check_request", by=rao)
    if af:
        journey.send("CASS-2026-000001", "charms_check_request", by=rao)
    journey.run()
    journey.clock.now = journey.clock.now.replace(hour=12)
    if af:
        journey.deliver(raw=_lado_not_known(label["rao"], label["checked"]))
    journey.deliver(raw=_in_our_thread(path.read_bytes(), journey, "af" if af else "lado"))
    journey.run()
    return journey, label


def _in_our_thread(raw: bytes, journey: Journey, team: str) -> bytes:
    """The answer as it arrives in the real thread: replying to the check the RAO sent (In-Reply-To), and
    with our reference where the team kept one in the subject."""
    with Session(journey.engine) as session:
        sent = session.exec(select(Check.sent_message_id).where(Check.team == team)).one()
    raw = re.sub(rb"CASS-\d{4}-\d{6}", b"CASS-2026-000001", raw)
    raw = re.sub(rb"(?im)^(In-Reply-To|References):.*(?:\r?\n[ \t].*)*\r?\n", b"", raw)
    return f"In-Reply-To: {sent}\r\n".encode() + raw


LADO_ANSWERS = [p for p in ANSWERS if _label(p)["kind"] == "lado_check_response" and _label(p)["final"]]
AF_ANSWERS = [p for p in ANSWERS if _label(p)["kind"] == "charms_check_response" and _label(p)["final"]]


@pytest.mark.parametrize("path", LADO_ANSWERS, ids=lambda p: p.stem)
def test_the_response_says_no_one_is_unknown_to_lado_unless_lado_said_so(
        path: Path, settings: Settings, tmp_path: Path) -> None:
    journey, label = _played(path, settings, tmp_path)
    text = _response_text(journey)
    anyone = any(v in ("known", "unclear") for v in label["lado"].values())
    if anyone:
        assert "OFSTED" in text.upper()
        assert not re.search(r"\bThe applicant (?:and the members[^.]*)?(?:is|are) not known", text), text
    said_not_known = " ".join(re.findall(r"([^.]*) (?:is|are) not known to the LADO", text))
    for name, verdict in label["lado"].items():
        if verdict != "not_known":
            assert name not in said_not_known, (name, text)


def _bare(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text).lower().split())


def _note_and_letter(text: str) -> tuple[str, str]:
    """The marked note for the RAO at the top of a draft, and the letter below it."""
    note, _, letter = text.partition("=" * 20)
    return (note, letter.lstrip("=")) if letter else ("", text)


def _sources(journey: Journey, label: dict[str, Any]) -> dict[str, list[str]]:
    """The words each statement rests on: the label's where its writer gave them, else what the reader quoted."""
    if label.get("sources"):
        return {name: [words] for name, words in label["sources"].items() if words}
    with Session(journey.engine) as session:
        stored = session.exec(select(Check.answer_json).where(Check.team == "lado")).one()
    quoted: dict[str, list[str]] = json.loads(stored or "{}").get("facts", {}).get("sources", {})
    return quoted


@pytest.mark.parametrize("path", LADO_ANSWERS, ids=lambda p: p.stem)
def test_the_note_quotes_lado_and_nothing_of_lado_is_outside_it(path: Path, settings: Settings,
                                                                 tmp_path: Path) -> None:
    """Issue 21: each statement about a person can be checked against LADO's own words, in the note; none of
    LADO's words reach the letter the agency gets."""
    journey, label = _played(path, settings, tmp_path)
    note, letter = _note_and_letter(_response_text(journey))
    sources = _sources(journey, label)
    subject = re.sub(r"CASS-\d{4}-\d{6}", "CASS-2026-000001", parse_file(path).raw_subject)
    assert f"\"{subject}\", received" in note
    for name, words in sources.items():
        for said in words:
            assert _bare(said) in _bare(note), (name, said, note)
            if len(_bare(said).split()) >= 4:
                assert _bare(said) not in _bare(letter), (name, said, letter)


@pytest.mark.parametrize("path", AF_ANSWERS, ids=lambda p: p.stem)
def test_a_and_f_health_or_money_reasons_never_reach_the_response(
        path: Path, settings: Settings, tmp_path: Path) -> None:
    journey, label = _played(path, settings, tmp_path)
    text = _response_text(journey).lower()
    words = r"health|medical|illness|diagnos|cancer|depress|heart|surgery|financ|debt|money|afford|arrears|" \
            r"redundan|mortgage|bankrupt"
    assert not re.search(rf"\b(?:{words})", text), text
    if label["af"]["sensitive_reason"]:
        assert "not appropriate at the time" in text or "circumstances" in text
