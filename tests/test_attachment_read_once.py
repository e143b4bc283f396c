"""A mail's document is read once: the classifier reads a short mail's form, and the request's facts read it
again from the same attachment (issue 24)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bot.extract import formats
from bot.extract.formats import Budget, read_attachment
from bot.mail import parse_mail

ROOT = Path(__file__).resolve().parent.parent


def test_an_attachment_read_once_is_not_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    (attachment,) = parse_mail((ROOT / "demo" / "mail" / "10-not-urgent-adoption.eml").read_bytes()).attachments
    first = read_attachment(attachment, Budget(seconds=0))
    assert first is not None and not first.scanned
    monkeypatch.setattr(formats, "_read", lambda *args: pytest.fail("read again"))
    assert read_attachment(attachment) is first


def test_an_equal_attachment_with_other_bytes_is_read_for_itself() -> None:
    mail = parse_mail((ROOT / "demo" / "mail" / "10-not-urgent-adoption.eml").read_bytes())
    other = parse_mail((ROOT / "demo" / "mail" / "02-urgent-kinship-request.eml").read_bytes()).attachments[0]
    (attachment,) = mail.attachments
    twin = dataclasses.replace(attachment, data=other.data)
    assert twin == attachment  # the bytes are not compared
    first, second = read_attachment(attachment), read_attachment(twin)
    assert first is not None and second is not None and first.text != second.text
