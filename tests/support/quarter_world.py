"""A quarter of a front door's mail with known timings, for the month in figures: requests arriving, RAOs sending
the bot's drafts (unchanged, one line changed, rewritten) or deleting them, LADO answering, with planted late
decisions, late answers and late responses.

`play` runs the bot through it on a Journey (Maildir or Dovecot) in time order; the `Case`s say what happened,
and the test counts every figure from them, not from the bot.
"""

from __future__ import annotations

import mailbox
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from email.utils import format_datetime
from pathlib import Path

from sqlmodel import Session, select

from bot.mailbox.base import Folder
from bot.mailbox.maildir import as_sent
from bot.store import Draft
from tests.support.forms import signed_consent
from tests.support.imap_world import World
from tests.support.journey import PRIYA, Journey
from tests.support.mail import EXCHANGE_STAMP, build_mail

LADO = "lado@childrenstrust.example"
FIRST_DRAFT = {"ola": "lado_check_request", "no_consent": "resubmission_request",
               "generic": "secure_address_challenge", "level3": "disclosure_redirect"}
ORGANISATION = {"ola": "local authority", "no_consent": "local authority", "generic": "fostering or adoption agency",
                "level3": "solicitor"}
KINDS = {"ola": "ola_request", "no_consent": "ola_request", "generic": "ola_request", "level3": "disclosure_request"}
H = timedelta(hours=1)


@dataclass(frozen=True)
class Case:
    n: int
    kind: str  # "ola", "no_consent", "generic", "level3"
    arrives: datetime  # UTC; in November UTC is London time
    urgent: bool
    decided_after: timedelta  # the RAO sends the first draft this long after it arrived
    edit: str  # what the RAO does to the first draft: unchanged, one line, rewritten, deleted
    answered_after: timedelta = 2 * H  # LADO answers this long after the check was sent (OLA)
    responded_after: timedelta = 3 * H  # the RAO sends the response this long after the answer (OLA)
    response_edit: str = "unchanged"

    @property
    def applicant(self) -> str:
        first = ['Iris', 'Jade', 'Kara', 'Lena', 'Mia', 'Nora', 'Olive', 'Paula'][self.n % 8]
        return f"Ms {first} Test{chr(97 + self.n // 26 % 26)}{chr(97 + self.n % 26)}"  # names have no digits

    @property
    def requester(self) -> str:
        others = {"generic": f"info@brightpath{self.n}fostering.co.uk",
                  "level3": f"records{self.n}@crownlaw.example.co.uk"}
        return others.get(self.kind, f"worker{self.n}@northbridge.gov.uk")

    @property
    def decided(self) -> datetime | None:
        return None if self.edit == "deleted" else self.arrives + self.decided_after

    @property
    def check_sent(self) -> datetime | None:
        return self.decided if self.kind == "ola" else None

    @property
    def answered(self) -> datetime | None:
        return self.check_sent + self.answered_after if self.check_sent else None

    @property
    def responded(self) -> datetime | None:
        return self.answered + self.responded_after if self.answered else None


def _working_days(month: int) -> list[date]:
    """The Tuesdays and Wednesdays of a 2026 month: a clock started on one ends by Friday (no bank holidays then)."""
    day, found = date(2026, month, 1), []
    while day.month == month:
        if day.weekday() in (1, 2):
            found.append(day)
        day += timedelta(days=1)
    return found


KIND_CYCLE = ("ola", "ola", "no_consent", "generic", "level3", "ola")
EDIT_CYCLE = ("unchanged", "one line", "unchanged", "rewritten", "unchanged", "deleted", "one line")


def cases() -> list[Case]:
    """Four requests in each of September and October, eight in November, each on its own working day, arriving
    at 09:15, 10:15 or 11:15 London time. On time, every clock stops within the day it started; planted late
    ones (one per case at most) run into the next days."""
    found: list[Case] = []
    for month, every, many in ((9, 2, 4), (10, 2, 4), (11, 1, 8)):
        for day in _working_days(month)[::every][:many]:
            n = len(found) + 1
            arrives = datetime(day.year, day.month, day.day, 9 + n % 3, 15, tzinfo=UTC)
            if month != 11:  # British Summer Time until 25 October
                arrives -= H
            urgent = month == 11 and n % 4 == 1  # none is a Level 3 request, which has no urgency
            decided_after, answered_after, responded_after = 2 * H, H, H
            if n % 5 == 0:
                decided_after = 26 * H  # planted: past 24 hours
            elif urgent and n % 8 == 1:
                decided_after = 20 * H  # planted: within 24 hours but not the same working day
            elif n % 7 == 4:
                answered_after = 24 * H  # planted: LADO answer the next day
            elif n % 6 == 1:
                responded_after = 48 * H  # planted: the response two days after the answer
            found.append(Case(n, KIND_CYCLE[n % len(KIND_CYCLE)], arrives, urgent, decided_after,
                              EDIT_CYCLE[n % len(EDIT_CYCLE)], answered_after, responded_after,
                              "unchanged" if n % 3 == 0 else "rewritten"))
    return found


def request_mail(case: Case) -> bytes:
    subject = f"{'URGENT ' if case.urgent else ''}Information request - Form F fostering assessment - {case.applicant}"
    if case.kind == "level3":
        return build_mail(f"Request for full case file - {case.applicant}",
                          f"We act for {case.applicant} in care proceedings and ask for copies of the full case file "
                          "for inclusion in the court bundle.\n\nKind regards\nRecords Team", sender=case.requester,
                          message_id=f"<request-{case.n}@quarter.example>", date=format_datetime(case.arrives))
    body = (f"Dear CASS team,\n\nWe are completing a Form F fostering assessment of {case.applicant} (DOB 12/06/1985). "
            "She lives alone.")
    if case.urgent:
        body += " A child must be placed with her urgently."
    form = None
    if case.kind != "no_consent":
        consent_day = case.arrives - timedelta(days=7)
        body += f" Her signed consent, signed {consent_day:%d %B %Y}, is attached."
        form = signed_consent(case.applicant, on=f"{consent_day:%d/%m/%Y}", born="12/06/1985")
    body += "\n\nKind regards\nSupervising Social Worker\n"
    return build_mail(subject, body, sender=case.requester, message_id=f"<request-{case.n}@quarter.example>",
                      date=format_datetime(case.arrives), attachment=form)


def lado_answer(case: Case) -> bytes:
    assert case.answered is not None
    return build_mail("LADO CHECK Priya Shah", f"Hi Priya,\n\n{case.applicant} is not known to LADO.\n\nLADO",
                      sender=LADO, message_id=f"<lado-answer-{case.n}@childrenstrust.example>",
                      date=format_datetime(case.answered), **EXCHANGE_STAMP)


def spoofed_answer(at: datetime) -> bytes:
    return build_mail("LADO CHECK Priya Shah", "Hi Priya,\n\nNot known.\n\nLADO", sender="lado.team@gmail.com",
                      message_id="<spoofed@gmail.example>", date=format_datetime(at))


def edited(raw: bytes, edit: str) -> bytes:
    """A draft as the RAO sent it: as drafted, with one line of its text changed, or rewritten."""
    msg = BytesParser(policy=default).parsebytes(raw)
    assert isinstance(msg, EmailMessage)
    part = msg.get_body(("plain",))
    assert part is not None
    text = part.get_content()
    if edit == "one line":
        lines = text.splitlines()
        longest = max(range(len(lines)), key=lambda i: len(lines[i]))
        lines[longest] = "I have looked at this myself and changed this sentence entirely."
        text = "\n".join(lines) + "\n"
    elif edit == "rewritten":
        text = ("Hello,\n\nThanks for getting in touch. We have looked into what you asked and will write again "
                "shortly with everything we can share, once our own enquiries are complete.\n\nBest wishes\nPriya\n")
    part.set_content(text)
    return msg.as_bytes()


class Quarter:
    """Plays the cases on a Journey in time order, taking each draft out of Drafts as an RAO would."""

    def __init__(self, journey: Journey) -> None:
        self.journey = journey

    def _draft_id(self, case: Case, template: str) -> str:
        with Session(self.journey.engine) as session:
            request = self.journey.request(f"CASS-2026-{case.n:06d}")
            draft = session.exec(select(Draft).where(Draft.request_id == request.id,
                                                     Draft.template == template)).first()
            assert draft is not None, (case, template)
            return draft.message_id

    def _take_draft(self, message_id: str) -> bytes:
        if self.journey.dovecot:
            return World(self.journey.dovecot, "cass").take_draft(message_id)
        drafts = mailbox.Maildir(Path(self.journey.settings.mailbox("cass").path) / ".Drafts", factory=None,
                                 create=False)
        key = next(k for k, m in drafts.iteritems() if m["Message-ID"] == message_id)
        raw = drafts.get_bytes(key)
        drafts.discard(key)
        return raw

    def _deliver(self, folder: Folder, raw: bytes) -> None:
        if self.journey.dovecot:
            World(self.journey.dovecot, "cass").deliver(folder, raw)
        else:
            self.journey.maildirs["cass"].deliver(folder, raw)  # type: ignore[attr-defined]

    def _at(self, when: datetime) -> None:
        self.journey.clock.now = when
        self.journey.run()

    def _send(self, case: Case, template: str, edit: str, when: datetime) -> None:
        raw = self._take_draft(self._draft_id(case, template))
        if edit != "deleted":
            self._deliver(Folder.SENT, edited(as_sent(raw, PRIYA, when), edit))
        self._at(when)

    def play(self, cases: list[Case], spoof_at: datetime) -> None:
        events: list[tuple[datetime, int, Case | None, str]] = [(spoof_at, 0, None, "spoof")]
        for case in cases:
            events.append((case.arrives, case.n, case, "arrive"))
            events.append((case.arrives + case.decided_after, case.n, case, "decide"))
            if case.kind == "ola" and case.answered and case.responded:
                events.append((case.answered, case.n, case, "answer"))
                events.append((case.responded, case.n, case, "respond"))
        for when, _, case, what in sorted(events, key=lambda e: (e[0], e[1])):
            self._event(when, case, what)

    def _event(self, when: datetime, case: Case | None, what: str) -> None:
        if case is None:
            self._deliver(Folder.INBOX, spoofed_answer(when))
            self._at(when)
        elif what == "arrive":
            self._deliver(Folder.INBOX, request_mail(case))
            self._at(when)
        elif what == "decide":
            self._send(case, FIRST_DRAFT[case.kind], case.edit, when)
        elif what == "answer":
            self._deliver(Folder.INBOX, lado_answer(case))
            self._at(when)
        else:
            self._send(case, "response", case.response_edit, when)
