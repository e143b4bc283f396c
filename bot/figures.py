"""The month in figures (`cassbot report`): demand, timeliness, the checks, quality and draft acceptance.

Seed 003: timeliness at the front door is monitored daily, and the CASS/MASH partnership forum reviews the
data, performance and quality of the work monthly. This reads the store for one period, changes nothing,
and gives counts and times only: no names, no addresses, no words from mail (a needs-a-person reason is
counted under a fixed label, never shown). Every figure is described in docs/report.md.

Each measure belongs to the period its clock started in: a request to the period it arrived in, a check to
the one it was sent in, a response to the one its last answer came in. Times are in working hours
(`Calendar.working_hours`); "on time" is against the configured timescales (`bot.timescales`). A clock not
stopped by the end of the period is late if its due time has passed, else still running (not counted).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from statistics import median, quantiles

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import load_only
from sqlmodel import Session, col, select

from bot.acceptance import EDITS
from bot.config import Settings
from bot.domain import RESPONSES, DraftState, Outcome, Template
from bot.store import Check, Draft, MailSeen, NeedsPerson, Request
from bot.teams import teams
from bot.timescales import Calendar, check_due, draft_due

SCHEMA_VERSION = 1
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
ORGANISATIONS = ("local authority", "fostering or adoption agency", "police", "health", "education", "probation",
                 "CAFCASS", "housing", "solicitor", "public", "other")
RESUBMISSION_REASONS = ("missing", "expired", "incomplete", "verbal_only")
# A needs-a-person reason, counted under the first label whose pattern it matches (the reason itself may
# quote a subject or an address, so it is never shown).
_REASONS = (
    ("processing failed", r"could not process"),
    ("mail damaged", r"damaged"),
    ("an answer not trusted", r"claims to be|trusted|spoof|forg"),
    ("RAO not matched", r"RAO not matched|names no RAO"),
    ("Message-ID used twice", r"Message-ID"),
    ("draft deleted unsent", r"deleted without being sent"),
    ("draft refused by a guard", r"refus|guard|never (?:attached|addressed)"),
    ("could not tell the kind", r"which kind"),
    ("in the wrong mailbox", r"mailbox, not CASS"),
    ("could not link", r"not linked|not a request the bot knows|\blink|no record of asking|several"),
    ("an answer to clarify", r"does not say whether|ask LADO|holding reply"),
    ("follow-up to review", r"follow-up|sent more information|on this request"),
    ("address to confirm", r"address"),
    ("history to check", r"CHARMS|CareFirst|fostered|adopt"),
    ("names to add", r"applicant's name|name from the request"),
    ("consent or ages to confirm", r"consent|\bsign|\bages?\b|over 16|date of birth|\bborn\b"),
)
NEEDS_PERSON_REASONS = tuple((label, re.compile(pattern, re.IGNORECASE)) for label, pattern in _REASONS)
_WEBMAIL_PUBLIC = "public"
# What the figures read of a draft: never its fingerprint, addressee or subject.
_DRAFT_FIGURES = load_only(*(getattr(Draft, name) for name in (
    "id", "request_id", "template", "state", "created_at", "sent_at", "deleted_at", "changed", "edit",
    "context_json")))


class _Figures(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Demand(_Figures):
    """What arrived: requests (of every kind that opens one) by when they arrived."""

    requests: int
    by_kind: dict[str, int]
    by_week: dict[str, dict[str, int]] = Field(description="ISO week (2026-W45) -> kind -> requests")
    by_organisation: dict[str, int] = Field(description="the requesting organisation's type")
    urgent: int
    urgent_percent: float | None
    by_hour: dict[str, int] = Field(description="local hour of arrival, 00 to 23")
    by_day: dict[str, int] = Field(description="local day of the week of arrival, Mon to Sun")
    busiest_hour: str | None
    busiest_day: str | None


class Trend(_Figures):
    period: str
    of: int
    on_time_percent: float | None


class Timeliness(_Figures):
    """One timescale: how many clocks ran in the period, how many stopped in time, and how long they ran."""

    measure: str = Field(description="'decision', 'check answered', 'response after the last answer'")
    timescale: str = Field(description="the configured timescale, in words")
    of: int = Field(description="clocks started in the period and stopped, or past due")
    on_time: int
    on_time_percent: float | None
    median_working_hours: float | None
    p90_working_hours: float | None
    still_running: int = Field(description="started in the period, not stopped, not yet due: not counted")
    trend: list[Trend] = Field(description="the three periods before, oldest first, then this one")


class TeamChecks(_Figures):
    """The checks asked of one team (A&F, LADO, any team added to bot/teams.py)."""

    team: str
    label: str
    asked: int = Field(description="check requests sent by an RAO in the period")
    answered: int
    on_time: int
    median_working_hours: float | None
    p90_working_hours: float | None
    open_at_end: int = Field(description="sent by the end of the period and not answered by then")
    oldest_open_working_hours: float | None


class Quality(_Figures):
    resubmissions: dict[str, int] = Field(description="resubmission requests drafted, by why consent was not enough")
    secure_address_questions: int
    level3_redirects: int
    needs_person: dict[str, int] = Field(description="needs-a-person entries by reason, under fixed labels")
    mails: int = Field(description="mails read in the period, every inbox")
    without_a_person: int = Field(description="of those, mails with nothing listed for a person")
    without_a_person_percent: float | None


class TemplateAcceptance(_Figures):
    """What RAOs did with one template's drafts (or one month's)."""

    name: str
    sent: int
    unchanged: int
    lightly_edited: int
    rewritten: int
    not_measured: int = Field(description="sent, but drafted before the bot kept fingerprints")
    deleted_unsent: int
    median_changed_percent: float | None = Field(description="median share of the bot's text not sent")


class Acceptance(_Figures):
    """How much RAOs changed the bot's drafts before sending them: the bot's accuracy in production."""

    total: TemplateAcceptance
    by_template: list[TemplateAcceptance]
    by_month: list[TemplateAcceptance]
    mostly_rewritten: list[str] = Field(description="templates more than half of whose measured drafts were "
                                                    "rewritten: someone should look at them")

    def line(self, when: str, name_rewritten: bool = True) -> str:
        """The digest's line: "last week RAOs sent 41 drafts: 33 unchanged, 6 lightly edited, 2 rewritten; ..."."""
        t = self.total
        text = (f"{when} RAOs sent {t.sent} draft{'' if t.sent == 1 else 's'}: {t.unchanged} unchanged, "
                f"{t.lightly_edited} lightly edited, {t.rewritten} rewritten; {t.deleted_unsent} deleted unsent")
        if self.mostly_rewritten and name_rewritten:
            text += f". Mostly rewritten: {', '.join(self.mostly_rewritten)}"
        return text


class MonthReport(_Figures):
    """`cassbot report`: the period in figures (docs/report.md). Counts and times only."""

    schema_version: int = SCHEMA_VERSION
    period: str = Field(description="'2026-11' for a month, else 'SINCE to UNTIL'")
    since: date
    until: date = Field(description="the day after the last")
    generated_at: datetime
    organisation: str
    demand: Demand
    timeliness: list[Timeliness]
    checks: list[TeamChecks]
    quality: Quality
    acceptance: Acceptance


@dataclass(frozen=True)
class Period:
    since: date
    until: date  # the day after the last

    @property
    def label(self) -> str:
        if self.since.day == 1 and self.until == _month_after(self.since):
            return f"{self.since:%Y-%m}"
        return f"{self.since} to {self.until}"

    def before(self) -> Period:
        """The period of the same length just before: the month before, for a month."""
        if self.label == f"{self.since:%Y-%m}":
            start = (self.since - timedelta(days=1)).replace(day=1)
            return Period(start, self.since)
        return Period(self.since - (self.until - self.since), self.since)

    def starts(self, calendar: Calendar) -> tuple[datetime, datetime]:
        return (datetime.combine(self.since, time.min, tzinfo=calendar.zone),
                datetime.combine(self.until, time.min, tzinfo=calendar.zone))


def month_period(month: str) -> Period:
    """'2026-11' as the period it names."""
    start = date.fromisoformat(f"{month}-01")
    return Period(start, _month_after(start))


def _month_after(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _p90(values: Sequence[float]) -> float | None:
    if not values:
        return None
    return round(quantiles(values, n=10, method="inclusive")[-1], 2) if len(values) > 1 else values[0]


def _median(values: Sequence[float]) -> float | None:
    return round(median(values), 2) if values else None


@dataclass(frozen=True)
class _Clock:
    started: datetime
    stopped: datetime | None
    due: datetime


@dataclass(frozen=True)
class _Measured:
    of: int
    on_time: int
    hours: list[float]
    running: int

    @classmethod
    def measure(cls, clocks: list[_Clock], now: datetime, calendar: Calendar) -> _Measured:
        """Stopped clocks and those past due now count; a clock still running before its due time does not."""
        counted = [c for c in clocks if c.stopped is not None or c.due < now]
        hours = sorted(calendar.working_hours(c.started, c.stopped) for c in counted if c.stopped is not None)
        on_time = sum(c.stopped is not None and c.stopped <= c.due for c in counted)
        return cls(len(counted), on_time, hours, len(clocks) - len(counted))


_ClockSource = Callable[[Period], Iterable[_Clock]]


class Figures:
    """The store read once for a period and the three before it; each section a method."""

    def __init__(self, session: Session, settings: Settings, period: Period, now: datetime) -> None:
        self.session, self.settings, self.period, self.now = session, settings, period, now
        self.calendar = Calendar.from_settings(settings)
        self.periods = [period.before().before().before(), period.before().before(), period.before(), period]
        first, _ = self.periods[0].starts(self.calendar)
        _, last = period.starts(self.calendar)
        self.start, self.end = period.starts(self.calendar)
        self.requests = session.exec(select(Request).where(col(Request.received_at) >= first,
                                                           col(Request.received_at) < last)).all()
        # Drafts and checks from the first period on, with no end: what happened after a period to a clock
        # started in it (a decision the next morning) is known when the report is written.
        self.drafts = session.exec(select(Draft).options(_DRAFT_FIGURES).where(col(Draft.created_at) >= first)).all()
        self.checks = session.exec(select(Check).where(col(Check.sent_at) >= first)).all()
        self.decided = _first_sent(self.drafts)
        self.responded: dict[int, list[datetime]] = {}
        for d in self.drafts:
            if d.sent_at is not None and d.template in RESPONSES:
                self.responded.setdefault(d.request_id, []).append(_aware(d.sent_at))
        self.end_of_period = min(last, now)  # where "open at the end" is judged

    def _inside(self, at: datetime | None, period: Period | None = None) -> bool:
        start, end = (period or self.period).starts(self.calendar)
        return at is not None and start <= _aware(at) < end

    def report(self) -> MonthReport:
        return MonthReport(period=self.period.label, since=self.period.since, until=self.period.until,
                           generated_at=self.now, organisation=self.settings.organisation.name,
                           demand=self.demand(), timeliness=self.timeliness(), checks=self.team_checks(),
                           quality=self.quality(), acceptance=self.acceptance())

    # Demand
    def demand(self) -> Demand:
        requests = [r for r in self.requests if self._inside(r.received_at)]
        local = [_aware(r.received_at).astimezone(self.calendar.zone) for r in requests]
        weeks: dict[str, Counter[str]] = {}
        for r, at in zip(requests, local, strict=True):
            year, week, _ = at.isocalendar()
            weeks.setdefault(f"{year}-W{week:02d}", Counter())[r.kind] += 1
        hours = Counter(f"{at.hour:02d}" for at in local)
        days = Counter(DAYS[at.weekday()] for at in local)
        organisations = Counter(organisation_type(r, self.settings) for r in requests)
        urgent = sum(r.urgent for r in requests)
        return Demand(requests=len(requests), by_kind=dict(Counter(str(r.kind) for r in requests).most_common()),
                      by_week={w: dict(sorted(k.items())) for w, k in sorted(weeks.items())},
                      by_organisation={o: organisations[o] for o in ORGANISATIONS if organisations[o]},
                      urgent=urgent, urgent_percent=_percent(urgent, len(requests)),
                      by_hour={f"{h:02d}": hours[f"{h:02d}"] for h in range(24)},
                      by_day={d: days[d] for d in DAYS},
                      busiest_hour=hours.most_common(1)[0][0] if hours else None,
                      busiest_day=days.most_common(1)[0][0] if days else None)

    # Timeliness
    def timeliness(self) -> list[Timeliness]:
        t = self.settings.timescales
        decision = f"a decision within {t.decision_hours} hours" + (
            "; urgent: the same working day" if t.urgent_same_working_day else "")
        check = ("answered the same working day" if t.check_answer_working_days == 0 else
                 f"answered within {t.check_answer_working_days} more working days")
        response = ("sent the same working day as the last answer" if t.draft_unsent_working_days == 0 else
                    f"sent within {t.draft_unsent_working_days} working day(s) of the last answer")
        return [self._timeliness("decision", decision, self._decision_clocks),
                self._timeliness("check answered", check, self._check_clocks),
                self._timeliness("response after the last answer", response, self._response_clocks)]

    def _timeliness(self, name: str, timescale: str, clocks: _ClockSource) -> Timeliness:
        measured = [_Measured.measure(list(clocks(p)), self.now, self.calendar) for p in self.periods]
        this = measured[-1]
        trend = [Trend(period=p.label, of=m.of, on_time_percent=_percent(m.on_time, m.of))
                 for p, m in zip(self.periods, measured, strict=True)]
        return Timeliness(measure=name, timescale=timescale, of=this.of, on_time=this.on_time,
                          on_time_percent=_percent(this.on_time, this.of), median_working_hours=_median(this.hours),
                          p90_working_hours=_p90(this.hours), still_running=this.running, trend=trend)

    def _decision_clocks(self, period: Period) -> Iterable[_Clock]:
        for r in self.requests:
            if r.decision_due is not None and self._inside(r.received_at, period):
                yield _Clock(_aware(r.received_at), self.decided.get(r.id or 0), _aware(r.decision_due))

    def _check_clocks(self, period: Period, team: str | None = None) -> Iterable[_Clock]:
        for c in self.checks:
            if self._inside(c.sent_at, period) and team in (None, c.team):
                sent = _aware(c.sent_at)
                yield _Clock(sent, _aware(c.answered_at) if c.answered_at else None,
                             check_due(self.settings, self.calendar, sent))

    def _response_clocks(self, period: Period) -> Iterable[_Clock]:
        answered: dict[int, list[Check]] = {}
        for c in self.checks:
            answered.setdefault(c.request_id, []).append(c)
        for request_id, checks in answered.items():
            if any(c.answered_at is None for c in checks):
                continue
            last = max(_aware(c.answered_at) for c in checks if c.answered_at)
            if not self._inside(last, period):
                continue
            sent = [at for at in self.responded.get(request_id, []) if at >= last]
            yield _Clock(last, min(sent) if sent else None, draft_due(self.settings, self.calendar, last))

    # The checks
    def team_checks(self) -> list[TeamChecks]:
        return [self._team(team.role, team.label) for team in teams()]

    def _team(self, role: str, label: str) -> TeamChecks:
        clocks = list(self._check_clocks(self.period, role))
        measured = _Measured.measure(clocks, self.now, self.calendar)
        end = self.end_of_period
        open_at_end = [_aware(c.sent_at) for c in self.checks if c.team == role and c.sent_at
                       and _aware(c.sent_at) < end and (c.answered_at is None or _aware(c.answered_at) >= end)]
        oldest = self.calendar.working_hours(min(open_at_end), end) if open_at_end else None
        return TeamChecks(team=role, label=label, asked=len(clocks),
                          answered=sum(c.stopped is not None for c in clocks),
                          on_time=measured.on_time, median_working_hours=_median(measured.hours),
                          p90_working_hours=_p90(measured.hours), open_at_end=len(open_at_end),
                          oldest_open_working_hours=oldest)

    # Quality
    def quality(self) -> Quality:
        drafted = [d for d in self.drafts if self._inside(d.created_at)]
        reasons = Counter(json.loads(d.context_json or "{}").get("reason", "missing") for d in drafted
                          if d.template == Template.RESUBMISSION_REQUEST)
        entries = self.session.exec(select(NeedsPerson).where(col(NeedsPerson.at) >= self.start,
                                                              col(NeedsPerson.at) < self.end)).all()
        labels = Counter(needs_person_label(n.reason) for n in entries)
        mails = self.session.exec(select(MailSeen.message_id, MailSeen.outcome).where(
            col(MailSeen.folder) == "inbox", col(MailSeen.processed_at) >= self.start,
            col(MailSeen.processed_at) < self.end)).all()
        listed = {n.message_id for n in entries}
        alone = sum(message_id not in listed and outcome not in (Outcome.NEEDS_PERSON, Outcome.FAILED)
                    for message_id, outcome in mails)
        return Quality(resubmissions={r: reasons[r] for r in RESUBMISSION_REASONS},
                       secure_address_questions=sum(d.template == Template.SECURE_ADDRESS_CHALLENGE for d in drafted),
                       level3_redirects=sum(d.template == Template.DISCLOSURE_REDIRECT for d in drafted),
                       needs_person=dict(labels.most_common()), mails=len(mails), without_a_person=alone,
                       without_a_person_percent=_percent(alone, len(mails)))

    # Draft acceptance
    def acceptance(self) -> Acceptance:
        return acceptance(self.session, self.start, self.end, self.calendar)


def _first_sent(drafts: Iterable[Draft]) -> dict[int, datetime]:
    """When each request's decision was made: the first of its drafts an RAO sent."""
    decided: dict[int, datetime] = {}
    for d in drafts:
        if d.state == DraftState.SENT and d.sent_at is not None:
            at = _aware(d.sent_at)
            decided[d.request_id] = min(decided.get(d.request_id, at), at)
    return decided


def _aware(at: datetime | None) -> datetime:
    """Times from SQLite come back naive (they were written in UTC)."""
    assert at is not None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def acceptance(session: Session, start: datetime, end: datetime, calendar: Calendar) -> Acceptance:
    """What RAOs did with the drafts sent (by when sent) or found deleted (by when found) in [start, end)."""
    drafts = select(Draft).options(_DRAFT_FIGURES)
    sent = session.exec(drafts.where(col(Draft.sent_at) >= start, col(Draft.sent_at) < end)).all()
    deleted = session.exec(drafts.where(col(Draft.deleted_at) >= start, col(Draft.deleted_at) < end)).all()
    by_template = _grouped(sent, deleted, lambda d: d.template)
    by_month = _grouped(sent, deleted, lambda d: f"{_aware(d.sent_at or d.deleted_at).astimezone(calendar.zone):%Y-%m}")
    rewritten = [t.name for t in by_template if t.rewritten * 2 > t.sent - t.not_measured > 0]
    return Acceptance(total=_accepted("all templates", sent, deleted), by_template=by_template, by_month=by_month,
                      mostly_rewritten=rewritten)


def _grouped(sent: Sequence[Draft], deleted: Sequence[Draft], key: _Key) -> list[TemplateAcceptance]:
    groups: dict[str, tuple[list[Draft], list[Draft]]] = {}
    for which, drafts in enumerate((sent, deleted)):
        for d in drafts:
            groups.setdefault(key(d), ([], []))[which].append(d)
    return [_accepted(name, *groups[name]) for name in sorted(groups)]


def _accepted(name: str, sent: Sequence[Draft], deleted: Sequence[Draft]) -> TemplateAcceptance:
    edits = Counter(d.edit for d in sent)
    changed = [100 * d.changed for d in sent if d.changed is not None]
    return TemplateAcceptance(name=name, sent=len(sent), unchanged=edits[EDITS[0]], lightly_edited=edits[EDITS[1]],
                              rewritten=edits[EDITS[2]], not_measured=edits[""], deleted_unsent=len(deleted),
                              median_changed_percent=round(median(changed), 1) if changed else None)


_Key = Callable[[Draft], str]


def needs_person_label(reason: str) -> str:
    return next((label for label, pattern in NEEDS_PERSON_REASONS if pattern.search(reason)), "other")


def organisation_type(request: Request, settings: Settings) -> str:
    """The requesting organisation's type, from what the request was read as and the sender's domain."""
    agency = str(request.facts.get("partner", {}).get("agency", ""))
    named = {"local_authority": "local authority", "cafcass": "CAFCASS"}.get(agency, agency)
    if named in ORGANISATIONS and named != "other":
        return named
    domain = request.requester_address.rpartition("@")[2].lower()
    if any(domain == d or domain.endswith(f".{d}") for d in settings.addresses.la_domains):
        return "local authority"
    if request.facts.get("requester", {}).get("kind") == "webmail":
        return _WEBMAIL_PUBLIC
    if request.kind == "ola_request":
        return "fostering or adoption agency"
    return "other"


def month_report(session: Session, settings: Settings, period: Period, now: datetime) -> MonthReport:
    return Figures(session, settings, period, now).report()
