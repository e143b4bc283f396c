"""The machine-readable views: `cassbot status --json`, `requests --json` and `requests show REF --json`.

Each view is a pydantic model, so the JSON Schema shipped in docs/schemas/ is generated from the same code
that writes the JSON (`python -m bot.reference`), and a test holds the two together. Reads the store,
changes nothing. Times are ISO 8601 in UTC; ages are whole minutes, so a script need not parse times.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, col, select

from bot.config import Settings
from bot.domain import CheckState, DraftState
from bot.figures import Acceptance, MonthReport, acceptance
from bot.reports import chronology, open_requests, service_status
from bot.store import Check, Draft, NeedsPerson, Request
from bot.sweep import LateItem, find_late
from bot.teams import team_of_role
from bot.timescales import Calendar

SCHEMA_VERSION = 1


class _View(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MailboxView(_View):
    """One mailbox: when it was last read, and what is wrong with it if anything is."""

    address: str
    last_good_poll: datetime | None = Field(description="the last poll that read the mailbox; null: never")
    failing_since: datetime | None = Field(description="when polls started failing; null: it is being read")
    error: str = Field(description="the last failure, secrets redacted; empty when none")
    problem: str = Field(description="why the mailbox makes the bot unhealthy; empty when it does not")
    warning: str = Field(description="a credential that expires soon; the bot is still healthy")
    abilities: dict[str, str] = Field(description="what the bot could do here on its last poll, by ability (read, "
                                                  "file, flag, categorise, save drafts): empty when it could, else "
                                                  "how it failed, naming the permission it needs; an ability not "
                                                  "tried on that poll is absent")


class StatusView(_View):
    """`cassbot status --json`: the service at a glance (exit 1 when not healthy)."""

    schema_version: int = SCHEMA_VERSION
    at: datetime
    healthy: bool
    mailboxes: dict[str, MailboxView] = Field(description="by role: cass, af, lado")
    needs_person: int = Field(description="how many items wait for a person")
    next_digest: str
    warnings: list[str] = Field(description="settings that make the bot less safe")
    drafts_last_7_days: Acceptance = Field(description="what RAOs did with the bot's drafts in the last 7 days: "
                                                       "sent unchanged, lightly edited, rewritten, deleted unsent")


class CheckView(_View):
    """One check asked of a team (A&F's CHARMS check, a LADO check)."""

    team: str = Field(description="the team's mailbox role: af, lado")
    label: str = Field(description="the team as people call it: 'A&F (CHARMS)', 'LADO'")
    state: CheckState
    sent_at: datetime | None
    answered_at: datetime | None
    waiting_minutes: int | None = Field(description="since it was sent, while it is not answered; null before "
                                                    "it is sent (its request draft has its own age) and once answered")


class DraftView(_View):
    """One draft the bot saved for an RAO to approve by sending."""

    template: str = Field(description="what the draft is: response, lado_check_request, more_information ...")
    to: str
    subject: str
    state: DraftState
    created_at: datetime
    saved_at: datetime | None
    sent_at: datetime | None
    sent_by: str = Field(description="who sent it, when it has been sent")
    age_minutes: int = Field(description="since it was saved (or planned)")


class LateView(_View):
    """Something on a request past its timescale now, as the digest lists it."""

    what: str = Field(description="'decision', 'check af', 'check lado', or 'draft <Message-ID>'")
    due: datetime
    why: str = Field(description="in the digest's words, quoting the configured timescale")


class NeedsPersonView(_View):
    """Something the bot did not handle, and why."""

    at: datetime
    mailbox: str
    request: str | None = Field(description="the request's reference, when it belongs to one")
    subject: str
    reason: str


class RequestView(_View):
    """One request: what it is, where it stands, its checks and drafts, and what needs a person on it."""

    reference: str
    kind: str
    state: str
    urgent: bool
    received_at: datetime
    decision_due: datetime | None
    requester: str
    applicant: str
    rao: str
    checks: list[CheckView]
    drafts: list[DraftView]
    late: list[LateView] = Field(description="what is past its timescale now; empty when nothing is")
    needs_person: list[NeedsPersonView]


class RequestsView(_View):
    """`cassbot requests --json`: open requests (urgent, then oldest first) and everything that needs a person."""

    schema_version: int = SCHEMA_VERSION
    at: datetime
    requests: list[RequestView]
    needs_person: list[NeedsPersonView]


class Event(_View):
    at: datetime
    what: str


class RequestDetailView(RequestView):
    """`cassbot requests show REF --json`: one request, with what was read in it and its chronology."""

    schema_version: int = SCHEMA_VERSION
    subject: str
    household: list[str]
    facts: dict[str, Any] = Field(description="what was read in the request, each fact with its words "
                                               "(docs/requests.md)")
    chronology: list[Event]


VIEWS: dict[str, type[BaseModel]] = {"status": StatusView, "requests": RequestsView, "request": RequestDetailView,
                                     "report": MonthReport}


def status_view(session: Session, settings: Settings, now: datetime) -> StatusView:
    """The service's health and, for the week past, what RAOs did with the drafts."""
    status = service_status(session, settings, now)
    drafts = acceptance(session, now - timedelta(days=7), now, Calendar.from_settings(settings))
    mailboxes = {role: MailboxView(address=settings.mailbox(role).address, last_good_poll=f.last_success,
                                   failing_since=f.failing_since, error=f.error, problem=f.problem, warning=f.warning,
                                   abilities=f.abilities)
                 for role, f in status.mailboxes.items()}
    return StatusView(at=now, healthy=status.healthy, mailboxes=mailboxes, needs_person=status.needs_person,
                      next_digest=status.next_digest, warnings=list(status.warnings), drafts_last_7_days=drafts)


def requests_view(session: Session, settings: Settings, now: datetime) -> RequestsView:
    references = {r.id: r.reference for r in session.exec(select(Request)).all()}
    waiting = _needs_person(session, references)
    late = find_late(session, settings, Calendar.from_settings(settings), now)
    return RequestsView(at=now, requests=[_request(session, r, now, waiting, late) for r in open_requests(session)],
                        needs_person=waiting)


def request_detail_view(session: Session, settings: Settings, request: Request, now: datetime) -> RequestDetailView:
    waiting = _needs_person(session, {request.id: request.reference})
    base = _request(session, request, now, waiting, find_late(session, settings, Calendar.from_settings(settings), now))
    return RequestDetailView(**base.model_dump(), subject=request.subject, household=request.household,
                             facts=json.loads(request.facts_json or "{}"),
                             chronology=[Event(at=e.at, what=e.what) for e in chronology(session, request)])


def _request(session: Session, request: Request, now: datetime, waiting: list[NeedsPersonView],
             late: list[LateItem]) -> RequestView:
    checks = session.exec(select(Check).where(Check.request_id == request.id).order_by(col(Check.id))).all()
    drafts = session.exec(select(Draft).where(Draft.request_id == request.id).order_by(col(Draft.id))).all()
    return RequestView(
        reference=request.reference, kind=request.kind, state=request.state, urgent=request.urgent,
        received_at=request.received_at, decision_due=request.decision_due, requester=request.requester_address,
        applicant=request.applicant, rao=request.rao, checks=[_check(c, now) for c in checks],
        drafts=[_draft(d, now) for d in drafts],
        late=[LateView(what=item.what, due=item.due, why=item.why) for item in late if item.request_id == request.id],
        needs_person=[n for n in waiting if n.request == request.reference])


def _check(check: Check, now: datetime) -> CheckView:
    team = team_of_role(check.team)
    waiting = check.sent_at is not None and check.state == CheckState.SENT
    return CheckView(team=check.team, label=team.label if team else check.team, state=check.state,
                     sent_at=check.sent_at, answered_at=check.answered_at,
                     waiting_minutes=_minutes(now, check.sent_at) if waiting else None)


def _draft(draft: Draft, now: datetime) -> DraftView:
    return DraftView(template=draft.template, to=draft.to_address, subject=draft.subject, state=draft.state,
                     created_at=draft.created_at, saved_at=draft.saved_at, sent_at=draft.sent_at,
                     sent_by=draft.sent_by, age_minutes=_minutes(now, draft.saved_at or draft.created_at))


def _needs_person(session: Session, references: dict[int | None, str]) -> list[NeedsPersonView]:
    items = session.exec(select(NeedsPerson).where(col(NeedsPerson.resolved_at).is_(None))
                         .order_by(col(NeedsPerson.at))).all()
    return [NeedsPersonView(at=n.at, mailbox=n.mailbox, request=references.get(n.request_id), subject=n.subject,
                            reason=n.reason)
            for n in items if n.request_id is None or n.request_id in references]


def _minutes(now: datetime, since: datetime | None) -> int:
    return max(0, int((now - since).total_seconds() // 60)) if since else 0


def json_schema(name: str) -> dict[str, Any]:
    """The JSON Schema of one view, as shipped in docs/schemas/<name>.schema.json."""
    schema = VIEWS[name].model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://cassbot.example/schemas/{name}.schema.json"
    return schema
