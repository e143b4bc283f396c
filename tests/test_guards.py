"""Guards hold whatever a template says: refused drafts are audited and listed for a person."""

from __future__ import annotations

import dataclasses
import email
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from bot.compose import Composer
from bot.config import Settings
from bot.drafting import DraftPlan
from bot.mailbox.base import Mailbox
from bot.outbox import plan_draft
from bot.store import AuditEvent, Draft, NeedsPerson, Request, make_engine, migrate

NOW = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)


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


def test_no_draft_can_carry_an_attachment_so_the_charms_sheet_never_leaves(settings: Settings) -> None:
    """Seed 000: the RAO never sends the CHARMS summary sheet. A draft has nothing to attach it with."""
    assert "attachments" not in {f.name for f in dataclasses.fields(DraftPlan)}
    raw = Composer(settings).message(
        template="response", context={"lado_known": False, "charms_checked": True, "af_withdrew_sensitive": False},
        to="helen.marsh@northshire.gov.uk", subject="RE: request", message_id="<d@x>", in_reply_to="", references="",
        reference="CASS-2026-000007", now=NOW)
    parts = [p.get_content_type() for p in email.message_from_bytes(raw).walk() if not p.is_multipart()]
    assert parts == ["text/plain", "text/html"]


def test_response_is_never_addressed_to_a_non_secure_generic_address(session: Session, settings: Settings) -> None:
    plan = DraftPlan("response", "info@brightpathfostering.co.uk",
                     {"lado_known": True, "charms_checked": False, "af_withdrew_sensitive": False})
    assert _plan(session, settings, plan) is None
    audit, listed = _refusals(session)
    assert audit == listed
    assert "info@brightpathfostering.co.uk" in audit[0] and "not secure" in audit[0]
    assert session.exec(select(Draft)).all() == []


def test_a_local_authority_secure_generic_address_is_fine(session: Session, settings: Settings) -> None:
    plan = DraftPlan("response", "info@northshire.gov.uk",
                     {"lado_known": False, "charms_checked": False, "af_withdrew_sensitive": False})
    draft = _plan(session, settings, plan)
    assert draft is not None and draft.state == "planned"


def test_the_mailbox_interface_cannot_send() -> None:
    assert [name for name in vars(Mailbox) if "send" in name.lower()] == []
