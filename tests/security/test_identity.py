"""Who sent a mail: the addr-spec parsed as RFC 5322 says, never a display name however encoded."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.config import Settings
from bot.mail import parse_mail
from bot.store import Draft, NeedsPerson
from tests.support.forms import signed_consent
from tests.support.journey import Journey
from tests.support.mail import build_mail

ENCODED_GOV = "=?utf-8?b?PGhlbGVuLm1hcnNoQG5vcnRoc2hpcmUuZ292LnVrPg==?="  # "<helen.marsh@northshire.gov.uk>"


def _raw(from_header: str, *more: str) -> bytes:
    head = "".join(f"{line}\r\n" for line in (f"From: {from_header}", *more))
    return (head + "To: cass@childrenstrust.example\r\nSubject: x\r\nDate: Mon, 16 Nov 2026 09:00:00 +0000\r\n"
            "Message-ID: <id@example.org>\r\n\r\nbody\r\n").encode()


@pytest.mark.parametrize(("from_header", "address", "trustworthy"), [
    ("Helen Marsh <helen.marsh@northshire.gov.uk>", "helen.marsh@northshire.gov.uk", True),
    ('"Marsh, Helen" <Helen.Marsh@Northshire.GOV.UK>', "helen.marsh@northshire.gov.uk", True),
    ("helen.marsh@northshire.gov.uk (Helen Marsh)", "helen.marsh@northshire.gov.uk", True),
    ("=?utf-8?q?H=C3=A9l=C3=A8ne_Marsh?= <helen.marsh@northshire.gov.uk>", "helen.marsh@northshire.gov.uk", True),
    (f"{ENCODED_GOV} <someone@gmail.com>", "someone@gmail.com", False),
    ('"helen.marsh@northshire.gov.uk" <someone@gmail.com>', "someone@gmail.com", False),
    ('"helen.marsh@northshire.gov.uk"@gmail.com', '"helen.marsh@northshire.gov.uk"@gmail.com', False),
    ("<helen.marsh@northshire.gov.uk> <someone@gmail.com>", None, False),
    ("helen.marsh@northshire.gov.uk, someone@gmail.com", "helen.marsh@northshire.gov.uk", False),
    ("Team: helen.marsh@northshire.gov.uk, someone@gmail.com;", "helen.marsh@northshire.gov.uk", False),
    ("undisclosed-recipients:;", "", False),
    ("not an address at all", "", False),
])
def test_the_sender_is_the_parsed_addr_spec(from_header: str, address: str | None, trustworthy: bool) -> None:
    mail = parse_mail(_raw(from_header))
    if address is not None:
        assert mail.from_address == address
    assert (mail.from_problem == "") is trustworthy, mail.from_problem


def test_two_from_headers_are_never_one_sender() -> None:
    mail = parse_mail(_raw("lado@childrenstrust.example", "From: someone@gmail.com"))
    assert mail.from_problem == "2 From headers"


def test_a_request_behind_a_display_name_goes_to_a_person_and_no_draft_to_the_address_it_shows(
        settings: Settings, tmp_path: Path) -> None:
    """No draft goes to the address an encoded display name shows, nor a secure-address question to a sender
    whose From is not what it says: the request waits for a person to confirm who asked."""
    raw = build_mail("Information request - Form F - Mr Sam Cole",
                     "We are assessing Mr Sam Cole as a foster carer. He lives alone. Signed consent attached, "
                     "signed 2 November 2026.", sender="placeholder@x.example",
                     attachment=signed_consent("Mr Sam Cole"))
    raw = raw.replace(b"From: placeholder@x.example", f"From: {ENCODED_GOV} <someone@gmail.com>".encode())
    journey = Journey(settings, tmp_path)
    journey.deliver(raw=raw)
    journey.run()
    with Session(journey.engine) as session:
        drafts = {d.template: d.to_address for d in session.exec(select(Draft)).all()}
        listed = [n.reason for n in session.exec(select(NeedsPerson)).all()]
    assert "secure_address_challenge" not in drafts and "response" not in drafts
    assert "helen.marsh@northshire.gov.uk" not in drafts.values()
    assert journey.request("CASS-2026-000001").state == "awaiting_secure_address"
    assert any("display name names another address" in reason for reason in listed)
    assert any("confirm who asked" in reason for reason in listed)
