"""What reading an attached consent form costs, against the same mail without it, in the same run.

    python -m bench form-speed [--rounds N]

- A text-layer form (Word, PDF): the median time to read a request's facts with the form
  attached, less the same mail with nothing attached (goal: at most 50 ms more).
- OCR: a one-page scan, read from its JPEG (goal: at most 3 s a page on this 2-core machine).
- A 20-page scan ahead of an urgent mail: the scan's mail is read, then the urgent one
  is parsed and classified; the time until the urgent mail is classified is what its
  alert waits for (goal: within the minute).
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from datetime import UTC, datetime

from bot.classify import Classifier
from bot.config import load_settings
from bot.extract.facts import read_facts
from bot.mail import parse_mail
from tests.support.forms import Form, Signer, form_docx, form_pdf, scan_of
from tests.support.mail import build_mail

NOW = datetime(2026, 11, 16, 10, tzinfo=UTC)
FORM = Form([("Chidi Okafor", "14/02/1980"), ("Ngozi Okafor", "03/07/1982")],
            [("Emeka Okafor", "01/05/2008", "son")], [],
            [Signer("Chidi Okafor"), Signer("Ngozi Okafor"), Signer("Emeka Okafor")])
BODY = "We are assessing Mr and Mrs Okafor as foster carers. Please see the attached consent form.\n"


def _mail(attachment: tuple[str, bytes] | None) -> bytes:
    return build_mail("Information request - Mr and Mrs Okafor", BODY, sender="helen.marsh@northshire.gov.uk",
                      attachment=attachment)


def _median_ms(raw: bytes, rounds: int) -> float:
    settings = load_settings()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        read_facts(parse_mail(raw), settings, NOW)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _twenty_pages() -> bytes:
    from PIL import Image

    page = Image.open(io.BytesIO(scan_of(form_pdf(FORM))))
    out = io.BytesIO()
    page.save(out, "PDF", save_all=True, append_images=[page] * 19)
    return out.getvalue()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench form-speed", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args(argv)
    bare = _mail(None)
    _median_ms(_mail(("consent.pdf", form_pdf(FORM))), 2)  # imports paid once, as in a running service
    _median_ms(_mail(("consent.docx", form_docx(FORM))), 2)
    base = _median_ms(bare, args.rounds)
    for name, data in (("consent.pdf", form_pdf(FORM)), ("consent.docx", form_docx(FORM))):
        with_form = _median_ms(_mail((name, data)), args.rounds)
        print(f"{name:13} {with_form:7.1f} ms against {base:5.1f} ms without it: +{with_form - base:5.1f} ms "
              "(goal: at most +50 ms)")
    scan = _mail(("scan.jpg", scan_of(form_pdf(FORM))))
    ocr = _median_ms(scan, 3) / 1000
    print(f"one scanned page {ocr:6.2f} s (goal: at most 3 s)")
    settings = load_settings()
    urgent = build_mail("URGENT - child to be placed tonight", "Please ring the duty worker now.\n",
                        sender="edt@northshire.gov.uk")
    start = time.perf_counter()
    read_facts(parse_mail(_mail(("scan.pdf", _twenty_pages()))), settings, NOW)
    Classifier(settings).classify(parse_mail(urgent))
    waited = time.perf_counter() - start
    print(f"an urgent mail behind a 20-page scan is classified after {waited:5.1f} s (goal: within 60 s)")
