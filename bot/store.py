"""The request store: SQLModel tables over SQLite by default, any SQLAlchemy URL by config.

What is kept is what the work needs: metadata, state and the audit trail. No message
body or attachment is ever stored; names are kept only as the requester gave them.
The engine is always passed in (never a module global), so every test and every
instance uses its own database. The schema is created and upgraded by Alembic
(`migrate`), never by `create_all`, so an existing store is migrated without loss.
"""

from __future__ import annotations

import fcntl
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Dialect, Engine, String, TypeDecorator, UniqueConstraint, event, text
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, ProgrammingError
from sqlmodel import Field, Session, SQLModel, create_engine, select

from bot.domain import AlertKind, CheckState, DraftState, Kind, Outcome, RequestState
from bot.errors import ConfigError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK = 0x636173736D696772  # "cassmigr": the advisory lock held while migrating


E = TypeVar("E", bound=StrEnum)


def utcnow() -> datetime:
    return datetime.now(UTC)


class EnumText(TypeDecorator[E]):
    """An enum kept as its value's text (what the migrations made), read back as the enum."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E]) -> None:
        super().__init__()
        self.enum = enum

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> E | None:
        return None if value is None else self.enum(value)


def _enum(enum: type[StrEnum], **options: Any) -> Any:
    return Field(sa_type=EnumText(enum), **options)


class Request(SQLModel, table=True):
    """An information request and where it is in its journey."""

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(default="", index=True)
    kind: Kind = _enum(Kind)
    state: RequestState = _enum(RequestState, index=True)
    urgent: bool = False
    mailbox: str
    requester_address: str
    requester_name: str = ""
    message_id: str = ""  # of the mail that opened it: every reply is threaded on it
    subject: str = ""
    applicant: str = ""
    household_json: str = "[]"  # names as the requester gave them, nothing more
    # What the request mail said, as read (`bot.extract.facts.RequestFacts.as_json`): the people, their
    # ages and consent, the requester's address, with the short spans of words each came from.
    facts_json: str = "{}"
    rao: str = ""
    received_at: datetime = Field(index=True)
    decision_due: datetime | None = None  # None: the configuration puts no decision clock on this kind
    updated_at: datetime
    closed_at: datetime | None = None

    @property
    def household(self) -> list[str]:
        names: list[str] = json.loads(self.household_json)
        return names

    @property
    def facts(self) -> dict[str, Any]:
        found: dict[str, Any] = json.loads(self.facts_json or "{}")
        return found

    @property
    def applicants(self) -> list[str]:
        """The applicants' names as read; the one line the older requests kept, otherwise."""
        names = [str(p["name"]) for p in self.facts.get("applicants", [])]
        return names or ([self.applicant] if self.applicant else [])

    @property
    def checked(self) -> list[str]:
        """Everyone a check asks about: the applicants and the household not shown to be under 16."""
        household = [str(p["name"]) for p in self.facts.get("household", []) if p.get("over_16") is not False]
        return self.applicants + (household if self.facts else self.household)

    @property
    def relations(self) -> dict[str, str]:
        """How each person checked stands: "applicant" (and "wife", say), "partner", "son"; "" if not said."""
        people = [("applicant", p) for p in self.facts.get("applicants", [])] + [
            ("", p) for p in self.facts.get("household", [])]
        return {str(p["name"]): " ".join(filter(None, (role, str(p.get("relation") or "")))) for role, p in people}


class MailSeen(SQLModel, table=True):
    """Every mail the bot has processed, once: the key to exactly-once processing."""

    __tablename__ = "mail_seen"
    __table_args__ = (UniqueConstraint("mailbox", "folder", "message_id", name="uq_mail_seen_message"),)

    id: int | None = Field(default=None, primary_key=True)
    mailbox: str
    folder: str
    backend_key: str
    message_id: str = Field(index=True)
    # What the mail says (sender, date, subject, text): the same Message-ID with another digest is another mail.
    digest: str = ""
    kind: str
    outcome: Outcome = _enum(Outcome)
    request_id: int | None = Field(default=None, foreign_key="request.id", index=True)
    subject: str = ""
    sender: str = ""
    sent_at: datetime | None = None
    processed_at: datetime
    # Work left in the mailbox, done after the commit: a crash in between leaves it here, and the
    # next poll that sees the mail still in the inbox finishes it (a mail a person moves back is left).
    to_flag: bool = False
    to_file: bool = False
    to_categorise: str = ""  # the Outlook category saying what the bot made of it (`bot.categories`)


class Check(SQLModel, table=True):
    """A check asked of one team (`bot.teams`: A&F's CHARMS check, LADO's check) as part of a request."""

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="request.id", index=True)
    team: str  # the team's role: "af", "lado"
    state: CheckState = _enum(CheckState)
    draft_message_id: str = ""
    sent_message_id: str = Field(default="", index=True)
    sent_at: datetime | None = None
    answered_at: datetime | None = None
    answer_message_id: str = ""
    # What the team's answer means for the response (`bot.extract.answers.TeamAnswer`), never its words
    # about health or money: {"summary": ..., "response": {...}, "notes": [...]}.
    answer_json: str = "{}"


class Draft(SQLModel, table=True):
    """A reply the bot prepared for an RAO to read, edit and send."""

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="request.id", index=True)
    template: str
    mailbox: str
    message_id: str = Field(unique=True)
    to_address: str
    subject: str
    in_reply_to: str = ""
    references: str = ""
    # What the template needs beyond the request's own fields (a consent date, the
    # gaps in a partner request): never the text of anyone's mail.
    context_json: str = "{}"
    state: DraftState = _enum(DraftState, index=True)
    created_at: datetime
    saved_at: datetime | None = None
    backend_key: str = ""
    sent_at: datetime | None = None
    sent_by: str = ""
    # What the bot drafted, kept as a fingerprint and never as words (`bot.acceptance`), and once an RAO has
    # sent it, how much of that text was not sent (0.0 to 1.0) and what that makes the edit.
    fingerprint: str = ""
    changed: float | None = None
    edit: str = ""  # "unchanged", "lightly edited", "rewritten"; empty until sent
    deleted_at: datetime | None = None  # when the bot found it deleted unsent


class AuditEvent(SQLModel, table=True):
    """Append-only: what changed, when, and who or which rule changed it."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    request_id: int | None = Field(default=None, index=True)
    actor: str
    action: str
    detail: str = ""


class NeedsPerson(SQLModel, table=True):
    """A mail the bot would not decide about alone, and why."""

    __tablename__ = "needs_person"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime
    mailbox: str
    message_id: str
    subject: str = ""
    reason: str
    request_id: int | None = Field(default=None, index=True)
    resolved_at: datetime | None = None


class LateMark(SQLModel, table=True):
    """Something found past its timescale by the sweep, recorded (and audited) once."""

    __tablename__ = "late_mark"
    __table_args__ = (UniqueConstraint("request_id", "what", name="uq_late_mark"),)

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="request.id", index=True)
    what: str  # "decision", "check af", "check lado", "draft <message-id>"
    due: datetime
    marked_at: datetime


class MailboxHealth(SQLModel, table=True):
    """The last good poll of each mailbox and, while it fails, since when and why."""

    __tablename__ = "mailbox_health"

    mailbox: str = Field(primary_key=True)
    last_success: datetime | None = None
    failing_since: datetime | None = None
    last_error: str = ""
    login_refused: bool = False  # the last failure was the server refusing the bot's credentials
    # What the bot could do here when it last tried: {"read" | "file" | "flag" | "save drafts": {"at": ISO time,
    # "error": "" when it worked, else the error and the permission it needs}} (bot/mailbox/abilities.py)
    abilities_json: str = "{}"


class DigestSent(SQLModel, table=True):
    """A digest that went out: the record that stops it going out twice."""

    __tablename__ = "digest_sent"
    __table_args__ = (UniqueConstraint("day", "recipient", name="uq_digest_sent"),)

    id: int | None = Field(default=None, primary_key=True)
    day: str  # the working day it is for, ISO date
    recipient: str
    sent_at: datetime
    message_id: str


class AlertSent(SQLModel, table=True):
    """An alert that went out: one per urgent request; one per mailbox outage, closed on recovery."""

    __tablename__ = "alert_sent"
    __table_args__ = (UniqueConstraint("kind", "subject_key", name="uq_alert_sent"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: AlertKind = _enum(AlertKind)
    subject_key: str  # the request's reference, "<mailbox> since <time>", or the credential
    mailbox: str = Field(default="", index=True)  # the mailbox a mailbox alert is about
    sent_at: datetime
    recovered_at: datetime | None = None


class ReportSent(SQLModel, table=True):
    """A monthly report that went out to one recipient: the record that stops it going out twice."""

    __tablename__ = "report_sent"
    __table_args__ = (UniqueConstraint("period", "recipient", name="uq_report_sent"),)

    id: int | None = Field(default=None, primary_key=True)
    period: str  # the month it is for: "2026-11"
    recipient: str
    sent_at: datetime
    message_id: str


class SyncPosition(SQLModel, table=True):
    """Where a backend's next poll of one folder starts (opaque to all but the backend)."""

    __tablename__ = "sync_position"

    mailbox: str = Field(primary_key=True)
    folder: str = Field(primary_key=True)
    position: str | None = None
    updated_at: datetime


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite files get their folder (the service user's only) and foreign keys
    turned on. A URL no supported database answers to, or a folder that cannot be made, is a
    ConfigError naming it."""
    scheme = url.partition("://")[0].split("+")[0].lower()
    if scheme not in ("sqlite", "postgresql"):
        raise ConfigError(f"store.url: {scheme or url!r} is not a database cassbot uses "
                          "(sqlite:///path/to/file.sqlite3 or postgresql+psycopg://user@host/db)")
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        folder = Path(url.removeprefix("sqlite:///")).parent
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"store.url: the folder {folder} cannot be made: {exc.strerror}") from exc
    try:
        engine = create_engine(url)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise ConfigError(f"store.url: {exc}") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


# The newest migration (bot/migrations/versions/); a test holds it to Alembic's head.
SCHEMA_REVISION = "0011"


def open_store(url: str) -> Engine:
    """The store at `url`, its schema brought up to date: what every command that reads or writes it opens.
    A store already at the newest revision is opened without loading Alembic (every command starts faster)."""
    engine = make_engine(url)
    if _revision(engine) != SCHEMA_REVISION:
        migrate(engine)
    return engine


def _revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except (OperationalError, ProgrammingError):  # a new store: no table yet
        return None


def _sqlite_pragmas(connection: object, _record: object) -> None:
    cursor = connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")  # readers (cassbot requests) never block the poller
    cursor.close()


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (the newest by default); data already there is kept."""
    from alembic import command  # Alembic is loaded only when there is something to migrate
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    sqlite = engine.dialect.name == "sqlite"
    with _migration_lock(engine), engine.connect() as connection:
        if sqlite:  # SQLite rebuilds a table to change a column: foreign keys are checked once it is done
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        with connection.begin():
            if engine.dialect.name == "postgresql":
                # Instances starting together take turns: the first migrates, the others find it done.
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
            if broken:
                raise RuntimeError(f"the migration left rows whose references are broken: {broken[:3]}")


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """Processes starting together on one SQLite file take turns, as PostgreSQL's advisory lock makes them:
    the first creates the tables, the others find them made ("table already exists" never reaches anyone)."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate-lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def audit(session: Session, actor: str, action: str, detail: str = "", request_id: int | None = None,
          at: datetime | None = None) -> None:
    session.add(AuditEvent(at=at or utcnow(), request_id=request_id, actor=actor, action=action, detail=detail))


def request_by_reference(session: Session, reference: str) -> Request | None:
    return session.exec(select(Request).where(Request.reference == reference)).first()
