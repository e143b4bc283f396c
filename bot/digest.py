"""The team leaders' daily digest: what it says (read from the store), and the mail it is.

One mail per team leader on working days: urgent safeguarding referrals first,
how fresh the data is (the last good poll of each mailbox), new requests since the last digest, urgent ones, checks
waiting on A&F or LADO with their age, drafts waiting for approval, what is past
its timescale (oldest first), what closed, and what needs a person. HTML that
Outlook renders (tables, inline styles, no scripts, no images) with a plain-text
part, from templates/digest/.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from sqlmodel import Session, col, select

from bot.compose import template_environment
from bot.config import Settings
from bot.domain import NOTE_SENT, OPEN_STATES, URGENT_UNPLACED, CheckState, DraftState, Kind, RequestState
from bot.figures import Acceptance, acceptance
from bot.reports import mailbox_freshness
from bot.store import Check, Draft, NeedsPerson, Request
from bot.sweep import LateItem, find_late
from bot.teams import team_of_role
from bot.timescales import Calendar


@dataclass(frozen=True)
class Row:
    """One line of a digest table: plain strings, ready for either part."""

    cells: tuple[str, ...]


@dataclass
class DigestData:
    now: datetime
    since: datetime
    freshness: list[Row] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # settings that make the bot less safe, every day
    # Mail that cannot wait (issue 21): urgent mail not placed, a note sent out. They head the digest.
    cannot_wait: list[Row] = field(default_factory=list)
    referrals: list[Row] = field(default_factory=list)  # open urgent safeguarding referrals: next
    new: list[Row] = field(default_factory=list)
    urgent: list[Row] = field(default_factory=list)
    checks: list[Row] = field(default_factory=list)
    drafts: list[Row] = field(default_factory=list)
    late: list[Row] = field(default_factory=list)
    closed: list[Row] = field(default_factory=list)
    needs_person: list[Row] = field(default_factory=list)
    drafts_last_week: str = ""  # what RAOs did with the bot's drafts last week (Monday to Sunday)

    @property
    def subject(self) -> str:
        referrals = f"{len(self.referrals)} urgent referrals, " if self.referrals else ""
        if self.cannot_wait:
            referrals = f"{len(self.cannot_wait)} cannot wait, {referrals}"
        return (f"CASS digest {self.now:%a %d %b %Y}: {referrals}{len(self.late)} late, {len(self.urgent)} urgent, "
                f"{len(self.needs_person)} need a person")


def gather(session: Session, settings: Settings, calendar: Calendar, now: datetime, since: datetime) -> DigestData:
    data = DigestData(now, since)
    data.freshness = [Row((role, _when(m.last_success) or "never", "; ".join(filter(None, (m.problem, m.warning)))))
                      for role, m in mailbox_freshness(session, settings, now).items()]
    data.warnings = [w for w in (settings.trust.weaker,) if w]
    open_requests = session.exec(select(Request).where(col(Request.state).in_(OPEN_STATES))
                                 .order_by(col(Request.received_at))).all()
    references = {r.id: r.reference for r in open_requests}
    data.new = [_request_row(r) for r in session.exec(
        select(Request).where(col(Request.received_at) >= since).order_by(col(Request.received_at))).all()]
    data.referrals = [_referral_row(r) for r in open_requests if r.urgent and r.kind == Kind.REFERRAL]
    data.urgent = [_request_row(r) for r in open_requests if r.urgent and r.kind != Kind.REFERRAL]
    data.checks = [Row((references[c.request_id], _team_label(c.team), _when(c.sent_at),
                        _age(now - (c.sent_at or now))))
                   for c in session.exec(select(Check).where(Check.state == CheckState.SENT, col(Check.request_id)
                                                              .in_(list(references))).order_by(col(Check.sent_at)))]
    data.drafts = [Row((references[d.request_id], d.template.replace("_", " "), d.to_address,
                        _age(now - (d.saved_at or d.created_at))))
                   for d in session.exec(select(Draft).where(Draft.state == DraftState.SAVED, col(Draft.request_id)
                                                             .in_(list(references))).order_by(col(Draft.saved_at)))]
    data.late = [_late_row(item, now) for item in find_late(session, settings, calendar, now)]
    data.closed = [_request_row(r) for r in session.exec(
        select(Request).where(Request.state == RequestState.CLOSED, col(Request.closed_at) >= since)).all()]
    data.needs_person = [Row((_when(n.at), n.mailbox, n.subject[:60], n.reason)) for n in session.exec(
        select(NeedsPerson).where(col(NeedsPerson.resolved_at).is_(None)).order_by(col(NeedsPerson.at))).all()]
    data.drafts_last_week = last_week(session, calendar, now).line("Last week")
    data.cannot_wait = [row for row in data.needs_person if row.cells[3].startswith((URGENT_UNPLACED, NOTE_SENT))]
    return data


def last_week(session: Session, calendar: Calendar, now: datetime) -> Acceptance:
    """What RAOs did with the drafts in the week (Monday to Sunday, local time) before the one `now` is in."""
    monday = now.astimezone(calendar.zone).date() - timedelta(days=now.astimezone(calendar.zone).weekday())
    end = datetime.combine(monday, time.min, tzinfo=calendar.zone)
    return acceptance(session, end - timedelta(days=7), end, calendar)


def _team_label(role: str) -> str:
    team = team_of_role(role)
    return team.label if team else role


def _request_row(r: Request) -> Row:
    return Row((r.reference, r.kind.replace("_", " "), r.state.replace("_", " "), "URGENT" if r.urgent else "",
                r.requester_address, _when(r.received_at)))


def _referral_row(r: Request) -> Row:
    return Row((r.reference, r.requester_address, _when(r.received_at), _when(r.decision_due),
                r.state.replace("_", " ")))


def _late_row(item: LateItem, now: datetime) -> Row:
    return Row((item.reference, item.why, _when(item.due), _age(now - item.due)))


def _when(at: datetime | None) -> str:
    return at.strftime("%a %d %b %H:%M") if at else ""


def _age(delta: timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    return f"{hours // 24}d {hours % 24}h" if hours >= 24 else f"{hours}h {int(delta.total_seconds() // 60) % 60}m"


def render(data: DigestData, settings: Settings) -> tuple[str, str]:
    env = template_environment()
    context = {"d": data, "org_name": settings.organisation.name, "team_name": settings.organisation.team_name}
    text = env.get_template("digest/digest.txt.j2").render(context)
    return re.sub(r"\n{3,}", "\n\n", text), env.get_template("digest/digest.html.j2").render(context)


def message(data: DigestData, settings: Settings, recipient: str) -> EmailMessage:
    text, html = render(data, settings)
    msg = EmailMessage()
    msg["From"] = settings.digest.from_address
    msg["To"] = recipient
    msg["Subject"] = data.subject
    msg["Date"] = format_datetime(data.now)
    who = recipient.replace("@", ".")
    msg["Message-ID"] = f"<digest.{data.now:%Y-%m-%d}.{who}@cassbot.{settings.organisation.domain}>"
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: out-of-office replies must not answer it
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg
