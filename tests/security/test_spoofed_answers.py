"""Forged check answers: only what the organisation's own server adds can vouch for one (issue 14).

Each case plays the journey an attacker would aim at: a request whose LADO check the RAO has
sent, then a "Not known" answer that would take the OFSTED paragraph out of the response. What a
person sees is asserted: whether the answer is trusted, whether a response is drafted on it, and
that it is listed for a person with the reason.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.classify import Classifier
from bot.config import Settings, Trust
from bot.mail import parse_mail
from bot.reports import service_status
from bot.store import Draft, NeedsPerson
from tests.support.forms import signed_consent
from tests.support.journey import Journey
from tests.support.mail import build_mail

LADO = "lado@childrenstrust.example"
OURS = "mx.childrenstrust.example"
EXCHANGE = Trust()  # the shipped setting: Exchange's AuthAs stamp
BOUNDARY = Trust(evidence=("authentication-results",), authserv_id=OURS)
BOTH = Trust(evidence=("exchange", "authentication-results"), authserv_id=OURS)
ADDRESS_ALONE = Trust(evidence=(), address_alone=True)


def _request() -> bytes:
    return build_mail("Information request - Form F - Mr Sam Cole",
                      "We are assessing Mr Sam Cole as a foster carer. He lives alone. Signed consent attached, "
                      "signed 2 November 2026.", sender="helen.marsh@northshire.gov.uk",
                      message_id="<request@northshire.gov.uk>", attachment=signed_consent("Mr Sam Cole"))


def _answer(sender: str = LADO, extra_from: str = "", **headers: str) -> bytes:
    """The answer with `sender` written into its From header exactly as given (encoded words and all)."""
    raw = build_mail("LADO CHECK Priya Shah", "Mr Sam Cole is not known to LADO.", sender="placeholder@x.example",
                     date="Tue, 17 Nov 2026 11:00:00 +0000", **headers)
    written = f"From: {sender}\n" + (f"From: {extra_from}\n" if extra_from else "")
    return raw.replace(b"From: placeholder@x.example\n", written.encode())


def _play(settings: Settings, tmp_path: Path, trust: Trust, answer: bytes) -> Journey:
    journey = Journey(settings.model_copy(update={"trust": trust}), tmp_path)
    journey.deliver(raw=_request())
    journey.run()
    journey.clock.now = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)
    journey.send("CASS-2026-000001", "lado_check_request")
    journey.run()
    journey.clock.now = datetime(2026, 11, 17, 12, 0, tzinfo=UTC)
    journey.deliver(raw=answer)
    journey.run()
    return journey


def _response_drafted(journey: Journey) -> bool:
    with Session(journey.engine) as session:
        return session.exec(select(Draft).where(Draft.template == "response")).first() is not None


def _listed(journey: Journey) -> list[str]:
    with Session(journey.engine) as session:
        return [n.reason for n in session.exec(select(NeedsPerson)).all()]


AR = "Authentication_Results"
FORGED = [
    ("no evidence at all", EXCHANGE, LADO, {}),
    ("Exchange's stamp saying Anonymous", EXCHANGE, LADO, {"X_MS_Exchange_Organization_AuthAs": "Anonymous"}),
    ("an Internal stamp beside an Anonymous one", EXCHANGE, LADO,
     {"X_MS_Exchange_Organization_AuthAs": "Internal", "X-MS-Exchange-Organization-AuthAs": "Anonymous"}),
    ("a pass the sender wrote itself", BOUNDARY, LADO,
     {AR: "mail.attacker.example; dmarc=pass header.from=childrenstrust.example; dkim=pass "
          "header.d=childrenstrust.example"}),
    ("our server's name on a pass, under our server's real fail", BOUNDARY, LADO,
     {AR: f"{OURS}; spf=fail smtp.mailfrom=childrenstrust.example; dmarc=fail header.from=childrenstrust.example",
      "Authentication-Results": f"{OURS}; dmarc=pass header.from=childrenstrust.example"}),
    ("dmarc=none with a composite-auth failure", BOUNDARY, LADO,
     {AR: f"{OURS}; dmarc=none header.from=childrenstrust.example; compauth=fail reason=001"}),
    ("a temporary error", BOUNDARY, LADO, {AR: f"{OURS}; dkim=temperror header.d=childrenstrust.example"}),
    ("a dkim pass for another domain", BOUNDARY, LADO, {AR: f"{OURS}; dkim=pass header.d=attacker.example"}),
    ("an unparsable Authentication-Results", BOUNDARY, LADO, {AR: f"{OURS}; ;; dkim"}),
    ("a stamp, but the From's display name hides an outsider", EXCHANGE,
     "=?utf-8?b?PGxhZG9AY2hpbGRyZW5zdHJ1c3QuZXhhbXBsZT4=?= <lado.team@gmail.com>",
     {"X_MS_Exchange_Organization_AuthAs": "Internal"}),
    ("a stamp, but a quoted name that is LADO's address", EXCHANGE,
     '"lado@childrenstrust.example" <lado.childrenstrust@outlook.com>',
     {"X_MS_Exchange_Organization_AuthAs": "Internal"}),
    ("a stamp, but LADO's address as a quoted local part", EXCHANGE, '"lado@childrenstrust.example"@evil.example',
     {"X_MS_Exchange_Organization_AuthAs": "Internal"}),
    ("a stamp, but two From addresses", EXCHANGE, f"{LADO}, someone@evil.example",
     {"X_MS_Exchange_Organization_AuthAs": "Internal"}),
    ("a stamp, but a second From header", EXCHANGE, LADO,
     {"X_MS_Exchange_Organization_AuthAs": "Internal", "extra_from": "someone@evil.example"}),
    ("a stamp, but an address before the real one", EXCHANGE, "<lado@childrenstrust.example> <lado.team@gmail.com>",
     {"X_MS_Exchange_Organization_AuthAs": "Internal"}),
    ("a stamp, but LADO's address in a comment", EXCHANGE, "someone@evil.example (lado@childrenstrust.example)",
     {"X_MS_Exchange_Organization_AuthAs": "Internal"}),
    ("a stamp, but a group naming LADO", EXCHANGE, "LADO: lado@childrenstrust.example, someone@evil.example;",
     {"X_MS_Exchange_Organization_AuthAs": "Internal"}),
    ("a stamp on a lookalike domain", EXCHANGE, "lado@childrenstrust.example.evil.example",
     {"X_MS_Exchange_Organization_AuthAs": "Internal"}),
    ("LADO's address only in Sender", EXCHANGE, "someone@evil.example",
     {"X_MS_Exchange_Organization_AuthAs": "Internal", "Sender": LADO}),
    ("LADO's address only in Reply-To", EXCHANGE, "someone@evil.example",
     {"X_MS_Exchange_Organization_AuthAs": "Internal", "Reply_To": LADO}),
]


@pytest.mark.parametrize(("case", "trust", "sender", "headers"), FORGED, ids=[c[0] for c in FORGED])
def test_a_forged_answer_is_never_trusted_nor_drafted_on(case: str, trust: Trust, sender: str,
                                                         headers: dict[str, str], settings: Settings,
                                                         tmp_path: Path) -> None:
    answer = _answer(sender, **headers)
    found = Classifier(settings.model_copy(update={"trust": trust})).classify(parse_mail(answer))
    assert found.sender_trusted is not True, found.reasons
    journey = _play(settings, tmp_path, trust, answer)
    assert not _response_drafted(journey)
    assert journey.request("CASS-2026-000001").state == "checks_pending"
    assert any("claims to be a check answer" in reason or "damaged" in reason for reason in _listed(journey))


GENUINE = [
    ("Exchange's Internal stamp", EXCHANGE, {"X_MS_Exchange_Organization_AuthAs": "Internal"}),
    ("our boundary server's dmarc pass", BOUNDARY,
     {AR: f"{OURS}; spf=pass smtp.mailfrom=childrenstrust.example; dmarc=pass header.from=childrenstrust.example"}),
    ("our server's dkim pass above a forged fail", BOUNDARY,
     {AR: f"{OURS}; dkim=pass header.d=childrenstrust.example",
      "Authentication-Results": "mail.attacker.example; dkim=fail"}),
    ("authenticated submission to our server", BOUNDARY, {AR: f"{OURS}; auth=pass smtp.auth=lado"}),
    ("either, when both are configured", BOTH, {"X_MS_Exchange_Organization_AuthAs": "Internal"}),
]


@pytest.mark.parametrize(("case", "trust", "headers"), GENUINE, ids=[c[0] for c in GENUINE])
def test_a_vouched_for_answer_is_trusted_and_answers_the_check(case: str, trust: Trust, headers: dict[str, str],
                                                               settings: Settings, tmp_path: Path) -> None:
    journey = _play(settings, tmp_path, trust, _answer(LADO, **headers))
    assert _response_drafted(journey)
    assert journey.request("CASS-2026-000001").state == "response_drafted"


def test_trust_on_the_address_alone_is_possible_but_said_every_day(settings: Settings, tmp_path: Path) -> None:
    journey = _play(settings, tmp_path, ADDRESS_ALONE, _answer(LADO))
    assert _response_drafted(journey)
    with Session(journey.engine) as session:
        status = service_status(session, journey.settings, journey.clock.now)
    assert "trusted on their From address alone" in status.text()
    assert any("From address alone" in w for w in status.as_json()["warnings"])  # type: ignore[union-attr]
