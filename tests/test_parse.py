"""Mail parsing: what the rest of the bot relies on, and that no input makes it raise."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.mail import parse_mail, strip_prefixes
from tests.support.mail import build_mail


def _mail(subject: str = "Hello", body: str = "Body", **headers: str) -> bytes:
    sender = headers.pop("From", "Helen Marsh <helen.marsh@northshire.gov.uk>")
    return build_mail(subject, body, sender=sender, date="Mon, 16 Nov 2026 09:14:00 +0000",
                      message_id="<abc@northshire.gov.uk>", **headers)


@pytest.mark.parametrize(
    ("written", "subject", "prefixes"),
    [
        ("RE: FW: Information request", "Information request", ("re", "fw")),
        ("re:re:Re: LADO CHECK - Marcus Obi", "LADO CHECK - Marcus Obi", ("re", "re", "re")),
        ("Fwd: AW: WG: Anfrage", "Anfrage", ("fwd", "aw", "wg")),
        ("TR : SV: VS: Antw: RV: x", "x", ("tr", "sv", "vs", "antw", "rv")),
        ("RE[2]: [EXTERNAL] RE:  CHARMs   Check", "CHARMs Check", ("re", "re")),
        ("Urgent: placement tonight", "Urgent: placement tonight", ()),
        ("LADO CHECK: Priya", "LADO CHECK: Priya", ()),
        ("", "", ()),
    ],
)
def test_reply_and_forward_prefixes_are_stripped(written: str, subject: str, prefixes: tuple[str, ...]) -> None:
    assert strip_prefixes(written) == (subject, prefixes)


def test_encoded_subject_and_threading_headers_are_decoded() -> None:
    raw = _mail(
        subject="RE: CHARMs Check \u2013 Priya Shah",
        In_Reply_To="<one@childrenstrust.example>",
        References="<zero@x.example> <one@childrenstrust.example>",
    )
    mail = parse_mail(raw)
    assert mail.subject == "CHARMs Check \u2013 Priya Shah"
    assert mail.is_reply
    assert mail.in_reply_to == "<one@childrenstrust.example>"
    assert mail.references == ("<zero@x.example>", "<one@childrenstrust.example>")
    assert mail.from_address == "helen.marsh@northshire.gov.uk"
    assert mail.from_name == "Helen Marsh"
    assert mail.date is not None and mail.date.isoformat() == "2026-11-16T09:14:00+00:00"


def test_html_only_outlook_mail_gives_readable_text() -> None:
    msg = EmailMessage()
    msg["Subject"] = "Request"
    msg.set_content(
        '<html><head><style>p.MsoNormal{margin:0}</style></head><body><p class="MsoNormal">'
        "Good afternoon,<o:p></o:p></p><p class=MsoNormal>Please advise whether Ms Brent is known.</p>"
        "<script>alert(1)</script></body></html>",
        subtype="html",
    )
    text = parse_mail(bytes(msg)).body_text
    assert text.splitlines() == ["Good afternoon,", "Please advise whether Ms Brent is known."]


def test_attachments_are_listed_without_their_contents() -> None:
    msg = EmailMessage()
    msg["Subject"] = "Consent"
    msg.set_content("See attached.")
    msg.add_attachment(b"%PDF-1.4 secret", maintype="application", subtype="pdf", filename="consent.pdf")
    mail = parse_mail(bytes(msg))
    assert [(a.name, a.content_type, a.size) for a in mail.attachments] == [("consent.pdf", "application/pdf", 15)]
    assert "secret" not in mail.body_text


def test_x_auto_response_suppress_alone_is_not_an_auto_reply_signal() -> None:
    assert parse_mail(_mail(X_Auto_Response_Suppress="All")).auto_reply_signals == ()


@pytest.mark.parametrize(
    ("headers", "subject", "signal"),
    [
        ({"Auto_Submitted": "auto-replied"}, "Hello", "Auto-Submitted: auto-replied"),
        ({"Precedence": "bulk"}, "Hello", "Precedence: bulk"),
        ({"From": "MAILER-DAEMON@mx.example.org"}, "Hello", "sent by mailer-daemon"),
        ({}, "Automatische Antwort: Anfrage", "automatic-reply subject"),
        ({}, "Réponse automatique : Demande", "automatic-reply subject"),
        ({}, "Undeliverable: CHARMS check required by CASS", "automatic-reply subject"),
    ],
)
def test_auto_reply_signals(headers: dict[str, str], subject: str, signal: str) -> None:
    assert signal in parse_mail(_mail(subject=subject, **headers)).auto_reply_signals


def test_auto_submitted_no_is_a_person() -> None:
    assert parse_mail(_mail(Auto_Submitted="no")).auto_reply_signals == ()


def test_damaged_mail_gives_a_value_with_defects() -> None:
    raw = (
        b"Subject: =?x-unknown?q?caf=E9?=\r\nFrom: nobody\r\nDate: yesterday-ish\r\n"
        b"Content-Type: multipart/mixed\r\n\r\n--\x00broken\r\nno closing boundary \xff\xfe"
    )
    mail = parse_mail(raw)
    assert mail.subject == "café"
    assert mail.from_address == ""
    assert mail.date is None
    assert any("NUL" in d for d in mail.defects)
    assert any(d.startswith("no From address") for d in mail.defects)
    assert "unreadable Date header" in mail.defects
    assert any("unknown charset" in d for d in mail.defects)


def test_a_byte_order_mark_before_the_headers_does_not_hide_them() -> None:
    mail = parse_mail(b"\xef\xbb\xbf\r\n" + _mail(subject="LADO CHECK - Marcus Obi"))
    assert mail.subject == "LADO CHECK - Marcus Obi"


def test_eight_bit_header_is_read_as_utf8() -> None:
    raw = "Subject: Demande d’information – Mme Zoë\r\nFrom: a@b.example\r\n\r\nx".encode()
    assert parse_mail(raw).subject == "Demande d’information – Mme Zoë"


def test_huge_body_is_cut_for_classification() -> None:
    mail = parse_mail(_mail(body="word " * 400_000))
    assert mail.size > 2_000_000
    assert len(mail.body_text) <= 64_000


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=4000))
def test_arbitrary_bytes_never_make_the_parser_raise(raw: bytes) -> None:
    parse_mail(raw)


_header_line = st.sampled_from(
    [b"Subject: ", b"From: ", b"Content-Type: multipart/mixed; boundary=", b"Content-Type: text/html; charset=",
     b"Content-Transfer-Encoding: base64", b"Date: ", b"References: <", b"\r\n--", b"\r\n\r\n", b"=?utf-8?b?"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_header_line, st.binary(max_size=60)), max_size=20))
def test_mail_shaped_garbage_never_makes_the_parser_raise(pieces: list[tuple[bytes, bytes]]) -> None:
    parse_mail(b"\r\n".join(a + b for a, b in pieces))
