"""Pilot mode: what the bot would have done with a period of the trust's own mail, against what staff did.

The period's mail is read from the configured mailboxes without changing them (the backends
read with EXAMINE and BODY.PEEK, and every mailbox is wrapped in `ReadOnly`, whose writes
raise): the CASS inbox and Information Requests folder (what arrived) and its Sent Items
(what staff sent). It is replayed in time order through the bot's own pipeline into a store of
the pilot's own: arriving mail is classified, linked and planned exactly as `cassbot run`
would; staff's sent mail moves the bot's requests on as an approval would (a check request
staff sent makes the check sent, so the answers link), and is also read for what staff
decided. Then each request is compared, decision by decision:

| decision | the bot | staff |
|---|---|---|
| kind | what it classified | what their actions show (checks asked: an OLA request; a redirect: Level 3) |
| resubmission requested | a resubmission request drafted | a reply asking for consent again |
| LADO / CHARMS check asked | the check request drafted | a mail to the team's mailbox, or in its convention |
| secure address asked | the challenge drafted | a reply asking for a secure or personal address |
| Level 3 redirect | the redirect drafted | a reply sending them to the Disclosure Team |
| response: OFSTED paragraph | the response says to contact OFSTED | the reply they sent does |
| addressee | each reply's To | the To of the same kind of reply |

and timed: how long staff took to the first action, the checks' answers and the response,
against the configured timescales.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select, update

from bot.config import Settings
from bot.domain import CASS, DraftState, Template
from bot.mail import ParsedMail, parse_mail
from bot.mailbox.base import Folder, Mailbox, Poll, StoredMail
from bot.patterns import OFSTED, any_of
from bot.pipeline import Deps, ManualClock, process_message
from bot.reconcile import mail_after
from bot.store import AuditEvent, Check, Draft, MailSeen, NeedsPerson, Request
from bot.teams import teams
from bot.timescales import Calendar, check_due, decision_due, draft_due

# What a reply staff sent to the requester was, by its words (the first that fits).
STAFF_REPLIES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("redirect", any_of(r"\bdisclosure\s+team\b", r"\blevel\s*3\b", r"\bsubject\s+access\b")),
    ("secure address", any_of(r"\bsecure\s+(?:e-?mail\s+)?address\b", r"\b(?:your\s+)?(?:own|personal)\s+(?:work\s+)?"
                                                                     r"e-?mail\s+address\b", r"\bsecure\s+e-?mail\b")),
    ("resubmission", any_of(r"\bre-?submit\w*\b", r"\bnew\s+(?:signed\s+)?consent\b",
                            r"\bconsent\b[^.]{0,60}\b(?:missing|out\s+of\s+date|expired|not\s+(?:been\s+)?signed|"
                            r"older\s+than)\b")),
    ("response", any_of(r".")),  # and a reply with no words of its own (an attachment alone)
)
DECISIONS = ("kind", "resubmission requested", "LADO check asked", "CHARMS check asked", "secure address asked",
             "Level 3 redirect", "response: OFSTED paragraph", "addressee")
_BOT_TEMPLATE = {"resubmission": Template.RESUBMISSION_REQUEST, "secure address": Template.SECURE_ADDRESS_CHALLENGE,
                 "redirect": Template.DISCLOSURE_REDIRECT, "response": Template.RESPONSE}


@dataclass(frozen=True)
class StaffAction:
    """One mail staff sent on a request: what it was, to whom, when (never its words)."""

    what: str  # "LADO check", "CHARMS check", or one of STAFF_REPLIES' names
    to: str
    at: datetime
    ofsted: bool = False


@dataclass(frozen=True)
class Decision:
    name: str
    bot: str
    staff: str
    why: str = ""  # the bot's reason, from its audit trail

    @property
    def agree(self) -> bool:
        return self.bot == self.staff


@dataclass
class RequestResult:
    reference: str
    kind: str
    received_at: datetime
    urgent: bool
    requester: str
    applicant: str
    decisions: list[Decision]
    needs_person: list[str]
    staff: list[StaffAction]
    timings: dict[str, tuple[float, bool] | None]  # step -> (hours staff took, within the timescale)


@dataclass
class PilotResult:
    since: date
    until: date
    mails_read: int
    requests: list[RequestResult] = field(default_factory=list)


@dataclass(frozen=True)
class PeriodMail:
    role: str  # the mailbox it was read from
    stored: StoredMail
    mail: ParsedMail
    at: datetime


class ReadOnly:
    """A mailbox the pilot can only read: every way of writing to it raises, whatever calls it."""

    def __init__(self, mailbox: Mailbox) -> None:
        self._mailbox = mailbox
        self.role, self.address = mailbox.role, mailbox.address

    def poll(self, folder: Folder, position: str | None) -> Poll:
        return self._mailbox.poll(folder, position)

    def draft_ids(self) -> set[str]:
        return self._mailbox.draft_ids()

    def close(self) -> None:
        self._mailbox.close()

    def wait_for_mail(self, folder: Folder, timeout: float) -> bool:
        raise PilotWrote("the pilot does not wait for mail")

    def save_draft(self, raw: bytes, message_id: str) -> str:
        raise PilotWrote(f"the pilot never saves a draft ({message_id})")

    def file_into(self, folder: Folder, message: StoredMail) -> str:
        raise PilotWrote("the pilot never files mail")

    def flag(self, message: StoredMail) -> None:
        raise PilotWrote("the pilot never flags mail")

    def categorise(self, message: StoredMail, category: str) -> None:
        raise PilotWrote("the pilot never categorises mail")


class PilotWrote(RuntimeError):
    """Something tried to change a mailbox during a pilot: a bug, stopped before it happened."""


def read_period(mailboxes: dict[str, Mailbox], since: datetime, until: datetime) -> list[PeriodMail]:
    """The period's mail, in the order it happened: what arrived at CASS, and what CASS staff sent (the teams'
    Sent Items hold their answers, which arrive in the CASS inbox too)."""
    folders = [(CASS, Folder.INBOX), (CASS, Folder.INFORMATION_REQUESTS), (CASS, Folder.SENT)]
    period = []
    for role, folder in folders:
        for stored in mail_after(mailboxes[role], folder, None):
            mail = parse_mail(stored.raw)
            if mail.date is not None and since <= mail.date < until:
                period.append(PeriodMail(role, stored, mail, mail.date))
    return sorted(period, key=lambda item: item.at)


_NEVER = datetime.min.replace(tzinfo=UTC)



def replay(settings: Settings, engine: Engine, mailboxes: dict[str, Mailbox], period: Sequence[PeriodMail]) -> None:
    """Each mail through the pipeline at the time it arrived (or was sent), into the pilot's store.

    The bot's drafts are recorded as saved there and nowhere else, so staff's sent mail can approve them."""
    clock = ManualClock(_NEVER)
    deps = Deps(settings, engine, mailboxes, clock)
    for item in period:
        clock.now = item.at
        process_message(item.stored, mailboxes[item.role], deps)
        with Session(engine) as session:
            session.exec(update(Draft).where(col(Draft.state) == DraftState.PLANNED)
                         .values(state=DraftState.SAVED, saved_at=clock.now))
            session.commit()


def compare(settings: Settings, engine: Engine, period: Sequence[PeriodMail], since: date, until: date) -> PilotResult:
    """Each request the bot opened in the period, decision by decision against what staff sent."""
    sent = {item.mail.message_id: item.mail for item in period if item.stored.folder == Folder.SENT}
    calendar = Calendar.from_settings(settings)
    result = PilotResult(since, until, len(period))
    with Session(engine) as session:
        for request in session.exec(select(Request).order_by(col(Request.received_at))).all():
            staff = _staff_actions(session, settings, request, sent)
            drafts = list(session.exec(select(Draft).where(Draft.request_id == request.id)).all())
            reasons = _reasons(session, request)
            result.requests.append(RequestResult(
                reference=request.reference, kind=request.kind, received_at=request.received_at,
                urgent=request.urgent, requester=request.requester_address, applicant=request.applicant,
                # A request staff sent nothing on in the period shows no decision of theirs to compare with.
                decisions=_decisions(request, drafts, staff, reasons) if staff else [],
                needs_person=[n.reason for n in session.exec(select(NeedsPerson).where(
                    NeedsPerson.request_id == request.id)).all()],
                staff=staff, timings=_timings(session, settings, calendar, request, staff)))
    return result


def _staff_actions(session: Session, settings: Settings, request: Request,
                   sent: dict[str, ParsedMail]) -> list[StaffAction]:
    """What staff sent on this request, as the replay linked it, oldest first."""
    seen = session.exec(select(MailSeen.message_id).where(MailSeen.request_id == request.id,
                                                          MailSeen.folder == "sent")).all()
    return sorted((what_staff_did(settings, sent[m]) for m in seen if m in sent), key=lambda a: a.at)


def what_staff_did(settings: Settings, mail: ParsedMail) -> StaffAction:
    """What one mail staff sent was: a check request to a team, or a reply of some kind to the requester."""
    to = mail.to[0] if mail.to else ""
    at = mail.date or _NEVER
    for team in teams():
        if settings.mailbox(team.role).address in mail.recipients or team.convention.search(mail.subject):
            return StaffAction(team.system, to, at)
    text = mail.fresh_text
    what = next((name for name, pattern in STAFF_REPLIES if pattern.search(text)), "response")  # no words: a reply
    return StaffAction(what, to, at, ofsted=bool(OFSTED.search(text)))


def _decisions(request: Request, drafts: list[Draft], staff: list[StaffAction],
               reasons: dict[str, str]) -> list[Decision]:
    made = {d.template for d in drafts}
    done = {a.what for a in staff}

    def yes_no(value: bool) -> str:
        return "yes" if value else "no"

    shown = _kind_from(done)
    decisions = [Decision("kind", request.kind, shown, reasons.get("kind", ""))] if shown else []
    for name, template, action in (("resubmission requested", Template.RESUBMISSION_REQUEST, "resubmission"),
                                   ("LADO check asked", "lado_check_request", "LADO check"),
                                   ("CHARMS check asked", "charms_check_request", "CHARMS check"),
                                   ("secure address asked", Template.SECURE_ADDRESS_CHALLENGE, "secure address"),
                                   ("Level 3 redirect", Template.DISCLOSURE_REDIRECT, "redirect")):
        decisions.append(Decision(name, yes_no(template in made), yes_no(action in done), reasons.get(template, "")))
    bot_response = next((d for d in drafts if d.template == Template.RESPONSE), None)
    staff_response = next((a for a in staff if a.what == "response"), None)
    if bot_response and staff_response:
        ofsted = bool(json.loads(bot_response.context_json or "{}").get("ofsted", True))
        decisions.append(Decision("response: OFSTED paragraph", yes_no(ofsted), yes_no(staff_response.ofsted),
                                  reasons.get(Template.RESPONSE, "")))
    pairs = [(d.to_address.lower(), a.to.lower()) for what, template in _BOT_TEMPLATE.items()
             for d in drafts if d.template == template for a in staff if a.what == what]
    if pairs:
        bot_to = ", ".join(sorted({b for b, _ in pairs}))
        staff_to = ", ".join(sorted({s for _, s in pairs}))
        decisions.append(Decision("addressee", bot_to, staff_to))
    return decisions


def _kind_from(done: set[str]) -> str:
    """The kind staff's actions show, where they show one."""
    if "redirect" in done:
        return "disclosure_request"
    if done & {team.system for team in teams()}:
        return "ola_request"
    return ""


def _reasons(session: Session, request: Request) -> dict[str, str]:
    """The bot's reasons, from its audit trail: why it read the kind, and why it planned each draft."""
    reasons: dict[str, str] = {}
    for event in session.exec(select(AuditEvent).where(AuditEvent.request_id == request.id)).all():
        if event.action.startswith("request opened"):
            reasons["kind"] = event.detail
        elif event.action.startswith("draft planned: "):
            reasons[event.action.removeprefix("draft planned: ")] = event.detail
    return reasons


def _timings(session: Session, settings: Settings, calendar: Calendar, request: Request,
             staff: list[StaffAction]) -> dict[str, tuple[float, bool] | None]:
    """How long staff took to each step, and whether within the timescale (None: the step never happened)."""
    timings: dict[str, tuple[float, bool] | None] = {"first action": None, "check answered": None, "response": None}
    if staff:
        due = decision_due(settings, calendar, request.received_at, request.urgent, request.kind)
        first = staff[0].at
        timings["first action"] = (_hours(request.received_at, first), due is None or first <= due)
    checks = session.exec(select(Check).where(Check.request_id == request.id)).all()
    answered = [(c.sent_at, c.answered_at) for c in checks if c.sent_at and c.answered_at]
    if answered:
        sent, at = max(answered, key=lambda pair: pair[1])
        timings["check answered"] = (_hours(sent, at), at <= check_due(settings, calendar, sent))
    response = next((a for a in staff if a.what == "response"), None)
    if response:
        ready = max((at for _, at in answered), default=request.received_at)  # the response can go from here
        timings["response"] = (_hours(request.received_at, response.at),
                               response.at <= draft_due(settings, calendar, ready))
    return timings


def _hours(start: datetime, end: datetime) -> float:
    return round((end - start).total_seconds() / 3600, 1)
