"""Guards hold whatever a template says: refused drafts are audited and listed for a person."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from bot.compose import Composer
from bot.config import Settings
from bot.drafting import DraftPlan, OutgoingAttachment
from bot.mailbox.base import Mailbox
from bot.outbox import plan_draft
from bot.store import AuditEvent, Draft, NeedsPerson, Request, make_engine, migrate

NOW = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)
CHARMS_SHEET = OutgoingAttachment("CHARMS_summary.pdf", "application/pdf", b"%PDF-1.4", source="af")


@pytest.fixture
def session(settings: Settings) -> Session:
    engine = make_engine("sqlite:///:memory:")
    migrate(engine)
    session = Session(engine)
    request = Request(reference="CASS-2026-000007", kind="ola_request", state="checks_pending", mailbox="cass",
                      requester_address="helen.marsh@northshire.gov.uk", applicant="Mr David Okafor",
                      received_at=NOW, decision_due=NOW, updated_at=NOW, subject="Information request")
    session.add(request)
    session.commit()
    return session


def _plan(session: Session, settings: Settings, plan: DraftPlan) -> Draft | None:
    request = session.exec(select(Request)).one()
    return plan_draft(session, settings, Composer(settings), request, plan, original_subject=request.subject,
                      in_reply_to="<a@b>", references="<a@b>", now=NOW)


def _refusals(session: Session) -> tuple[list[str], list[str]]:
    audit = [e.detail for e in session.exec(select(AuditEvent).where(AuditEvent.action == "draft refused")).all()]
    listed = [n.reason for n in session.exec(select(NeedsPerson)).all()]
    return audit, listed


def test_charms_sheet_is_never_attached_to_mail_for_an_outside_party(session: Session, settings: Settings) -> None:
    plan = DraftPlan("response", "helen.marsh@northshire.gov.uk", {"lado_known": False, "charms_checked": True,
                     "af_withdrew_sensitive": False}, attachments=(CHARMS_SHEET,))
    assert _plan(session, settings, plan) is None
    audit, listed = _refusals(session)
    assert audit == listed
    assert "CHARMS_summary.pdf from A&F" in audit[0]
    assert session.exec(select(Draft)).all() == []


def test_response_is_never_addressed_to_a_non_secure_generic_address(session: Session, settings: Settings) -> None:
    plan = DraftPlan("response", "info@brightpathfostering.co.uk",
                     {"lado_known": True, "charms_checked": False, "af_withdrew_sensitive": False})
    assert _plan(session, settings, plan) is None
    audit, _ = _refusals(session)
    assert "info@brightpathfostering.co.uk" in audit[0] and "not secure" in audit[0]


def test_a_local_authority_secure_generic_address_is_fine(session: Session, settings: Settings) -> None:
    plan = DraftPlan("response", "info@northshire.gov.uk",
                     {"lado_known": False, "charms_checked": False, "af_withdrew_sensitive": False})
    draft = _plan(session, settings, plan)
    assert draft is not None and draft.state == "planned"


def test_the_charms_sheet_may_go_to_colleagues_inside(session: Session, settings: Settings) -> None:
    plan = DraftPlan("lado_check_request", "lado@childrenstrust.example", attachments=(CHARMS_SHEET,))
    assert _plan(session, settings, plan) is not None


def test_the_mailbox_interface_cannot_send() -> None:
    assert [name for name in vars(Mailbox) if "send" in name.lower()] == []
