"""The store: schema by migration, kept across upgrades; the lifecycle refuses illegal moves."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import Session, SQLModel, select

from bot.domain import RequestState
from bot.errors import IllegalTransition
from bot.lifecycle import move
from bot.store import AuditEvent, Check, MailboxHealth, Request, make_engine, migrate

NOW = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)


def _request() -> Request:
    return Request(reference="CASS-2026-000001", kind="ola_request", state="received", mailbox="cass",
                   requester_address="a@northshire.gov.uk", received_at=NOW, decision_due=NOW, updated_at=NOW)


def test_migrations_build_exactly_the_models() -> None:
    engine = make_engine("sqlite:///:memory:")
    migrate(engine)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), SQLModel.metadata) == []


def test_migrating_an_existing_store_keeps_its_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'state' / 'cassbot.sqlite3'}"
    old = make_engine(url)
    migrate(old, "0001")  # a store made by the first release
    with old.begin() as connection:
        connection.execute(text(
            "INSERT INTO request (reference, kind, state, urgent, mailbox, requester_address, requester_name,"
            " message_id, subject, applicant, household_json, rao, received_at, decision_due, updated_at)"
            " VALUES ('CASS-2026-000001', 'ola_request', 'received', 0, 'cass', 'a@northshire.gov.uk', '',"
            " '<m@x>', 'Info request', 'Mr A', '[]', '', '2026-11-16 12:00:00', '2026-11-17 12:00:00',"
            " '2026-11-16 12:00:00')"
        ))
    new = make_engine(url)
    migrate(new)
    with Session(new) as session:
        assert [r.reference for r in session.exec(select(Request)).all()] == ["CASS-2026-000001"]
    assert "ix_draft_state" in {i["name"] for i in inspect(new).get_indexes("draft")}


def test_every_state_change_is_audited() -> None:
    engine = make_engine("sqlite:///:memory:")
    migrate(engine)
    with Session(engine) as session:
        request = _request()
        session.add(request)
        session.flush()
        move(session, request, RequestState.CHECKS_PENDING, actor="rule", why="consent fine", now=NOW)
        event = session.exec(select(AuditEvent)).one()
        assert (event.actor, event.action, event.detail) == ("rule", "state received -> checks_pending", "consent fine")


def test_an_illegal_transition_is_an_error_not_an_overwrite() -> None:
    request = _request()
    request.state = "closed"
    with pytest.raises(IllegalTransition, match="cannot go from closed to checks_pending"):
        move(None, request, RequestState.CHECKS_PENDING, actor="rule", why="test", now=NOW)  # type: ignore[arg-type]
    assert request.state == "closed"


def test_a_store_from_before_generic_checks_keeps_what_each_answer_meant(tmp_path: Path) -> None:
    """Migration 0006: the LADO- and A&F-only columns become the check's answer, read the same way."""
    url = f"sqlite:///{tmp_path / 'cassbot.sqlite3'}"
    old = make_engine(url)
    migrate(old, "0005")
    with old.begin() as connection:
        connection.execute(text(
            "INSERT INTO request (id, reference, kind, state, urgent, mailbox, requester_address, requester_name,"
            " message_id, subject, applicant, household_json, rao, received_at, decision_due, updated_at)"
            " VALUES (1, 'CASS-2026-000001', 'ola_request', 'checks_pending', 0, 'cass', 'a@northshire.gov.uk', '',"
            " '<m@x>', 'Info request', 'Mr A', '[]', '', '2026-11-16 12:00:00', '2026-11-17 12:00:00',"
            " '2026-11-16 12:00:00')"))
        connection.execute(text(
            "INSERT INTO \"check\" (request_id, team, state, draft_message_id, sent_message_id, answer_message_id,"
            " known_to_lado, af_sensitive_reason) VALUES (1, 'lado', 'answered', '', '', '<a@x>', 1, 0),"
            " (1, 'af', 'answered', '', '', '<b@x>', NULL, 1)"))
        connection.execute(text("INSERT INTO mailbox_health (mailbox, last_error, failing_since)"
                                " VALUES ('cass', 'login refused: cass: bad password', '2026-11-16 12:00:00')"))
    migrate(make_engine(url))
    with Session(make_engine(url)) as session:
        lado, af = (json.loads(c.answer_json)["response"] for c in session.exec(select(Check).order_by(Check.id)))
        assert lado == {"lado_known": True}
        assert af == {"charms_checked": True, "af_withdrew_sensitive": True}
        assert session.get(MailboxHealth, "cass").login_refused  # type: ignore[union-attr]


def test_the_revision_a_store_is_opened_at_without_alembic_is_alembics_newest() -> None:
    """`open_store` skips Alembic when the store is at SCHEMA_REVISION: a migration added without moving it
    would never run on an existing store."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from bot.store import MIGRATIONS, SCHEMA_REVISION
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == SCHEMA_REVISION
