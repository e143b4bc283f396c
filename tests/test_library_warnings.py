"""A library's warning about a mail reaches the log once, with the mail it came from, or not at all."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import pytest

from bot.classify import Classification, Classifier
from bot.commands.classify import classify_file
from bot.config import load_settings
from bot.library_warnings import heard
from bot.mail import ParsedMail
from tests.support.mail import build_mail


def test_a_library_warning_is_logged_once_with_the_mail(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    with heard() as libraries:
        for _ in range(12):
            logging.getLogger("pypdf._reader").warning("EOF marker not found")
        warnings.warn("odd date", UserWarning, stacklevel=1)
    assert not caplog.records  # nothing reached the log while the mail was read
    libraries.log("<m1@example.org>")
    lines = [r.getMessage() for r in caplog.records]
    assert lines == ["<m1@example.org>: the libraries reading it warned: pypdf._reader: EOF marker not found; "
                     "UserWarning: odd date"]


def test_a_mail_the_libraries_say_nothing_of_logs_nothing(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    with heard() as libraries:
        logging.getLogger("pdfminer").info("parsing")
    libraries.log("<m2@example.org>")
    assert not caplog.records


def test_after_the_mail_the_libraries_log_as_before(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    with heard():
        pass
    logging.getLogger("dateparser").warning("outside any mail")
    assert [r.getMessage() for r in caplog.records] == ["outside any mail"]


def test_cassbot_classify_names_the_mail_a_warning_came_from(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "one.eml"
    path.write_bytes(build_mail(subject="Hello", body="Just saying hello.", message_id="<warned@example.org>"))
    classifier = Classifier(load_settings())
    real = classifier.classify

    def classify_warning(mail: ParsedMail) -> Classification:
        logging.getLogger("pypdf._reader").warning("EOF marker not found")
        return real(mail)

    monkeypatch.setattr(classifier, "classify", classify_warning)
    caplog.set_level(logging.WARNING)
    classify_file(classifier, path)
    assert [r.getMessage() for r in caplog.records] == [
        "<warned@example.org>: the libraries reading it warned: pypdf._reader: EOF marker not found"]
