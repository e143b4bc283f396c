"""How every backend signs in, in one place: where each secret comes from, and when it runs out.

Secrets never come from the configuration file and never go into a log. Every backend
is handed a `Secret` by `secret_for` and asks it for the password or token each time
it signs in, so a secret is resolved the same way, at the same moment, everywhere:
- a password or client secret from the environment variable the configuration names
  (the CLI fills the environment from `.env`); `missing_variables` lets the CLI refuse
  to start without one;
- an OAuth2 access token (XOAUTH2 for Microsoft 365 IMAP, Microsoft Graph) from MSAL's
  client-credentials flow, with a client secret or a certificate (`MsalApp`, the one
  MSAL wrapper), or for IMAP from a command the operator configures. Tokens are renewed
  before they expire, so a long-running bot needs no restart.

What cannot be renewed is the app's own credential (a client secret or a certificate):
`credential_expiry` says when it runs out, so the operators can be told in time.
"""

from __future__ import annotations

import logging
import os
import re
import shlex
import subprocess
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, NoReturn, Protocol
from zoneinfo import ZoneInfo

from bot.config import AppCredential, Graph, Settings
from bot.config import Mailbox as MailboxConfig
from bot.errors import MailboxAuthError, MailboxError
from bot.redaction import remember

log = logging.getLogger(__name__)
M365_IMAP_SCOPE = "https://outlook.office365.com/.default"
MICROSOFT_AUTHORITY = "https://login.microsoftonline.com"
_TOKEN_LIFETIME = 45 * 60  # seconds a token from a command is trusted; Entra ID issues 60-90 minutes
# OAuth2 errors (RFC 6749 §5.2) that only a person can fix; anything else (server_error,
# temporarily_unavailable, a proxy's HTML page) is tried again.
_REFUSALS = {"invalid_client", "unauthorized_client", "invalid_request", "invalid_grant", "invalid_scope",
             "unsupported_grant_type"}


class Secret(Protocol):
    def get(self) -> str:
        """The secret, fetched or refreshed as needed; MailboxAuthError when it cannot be had."""
        ...


class SignInUnavailable(MailboxError):
    """Microsoft sign-in could not be reached or failed for a reason that may pass: try again later."""


class EnvironmentSecret:
    """A password or client secret in the environment variable the configuration names."""

    def __init__(self, variable: str, role: str, what: str = "the password") -> None:
        self.variable, self.role, self.what = variable, role, what

    def get(self) -> str:
        value = os.environ.get(self.variable)
        if not value:
            raise MailboxAuthError(f"{self.role}: the environment variable {self.variable} ({self.what}) is not set")
        return remember(value)


class CommandToken:
    """An access token printed by an operator's command (for example an Azure CLI call)."""

    def __init__(self, command: str, role: str) -> None:
        self.command, self.role = command, role
        self._token, self._fetched = "", 0.0

    def get(self) -> str:
        if not self._token or time.monotonic() - self._fetched > _TOKEN_LIFETIME:
            done = subprocess.run(shlex.split(self.command), capture_output=True, text=True, timeout=60, check=False)
            if done.returncode != 0 or not done.stdout.strip():
                raise MailboxAuthError(f"{self.role}: the token command failed (exit {done.returncode})")
            self._token, self._fetched = done.stdout.strip(), time.monotonic()
        return remember(self._token)


class MsalApp:
    """App-only access tokens from MSAL (a client secret or a certificate), cached and renewed by MSAL.

    A refused credential is `MailboxAuthError`, logged once and not asked for again;
    an unreachable or failing sign-in is `SignInUnavailable`, tried again later.
    """

    def __init__(self, app: AppCredential, role: str, address: str, scopes: list[str], *,
                 authority_host: str = MICROSOFT_AUTHORITY, http_client: Any = None,
                 instance_discovery: bool = True) -> None:
        self._settings, self._role, self._address, self._scopes = app, role, address, scopes
        self._authority = f"{authority_host.rstrip('/')}/{app.tenant_id}"
        self._http_client, self._instance_discovery = http_client, instance_discovery
        self._app: Any = None
        self._refused: MailboxAuthError | None = None

    def get(self) -> str:
        import httpx  # only deployments that sign in to Microsoft pay for importing these
        import msal

        if self._refused is not None:
            raise self._refused  # a refused credential is not asked for again
        try:
            result = self._client().acquire_token_for_client(scopes=self._scopes)
        except (httpx.HTTPError, OSError, ValueError, msal.exceptions.MsalServiceError) as exc:
            raise SignInUnavailable(f"{self._role}: Microsoft sign-in unreachable: {exc}") from exc
        if result.get("access_token"):
            return remember(str(result["access_token"]))
        error, described = result.get("error"), str(result.get("error_description") or "").splitlines()
        why = f"{error}: {described[0] if described else 'no description'}"
        if not isinstance(error, str) or error not in _REFUSALS:
            raise SignInUnavailable(f"{self._role}: Microsoft sign-in failed ({why})")
        self._refuse(f"Microsoft sign-in refused the app for {self._address} ({why}): the client secret or "
                     "certificate may have expired or been revoked")

    def renew(self) -> str:
        """Forget the cached token (the server said it is no longer valid) and fetch a new one."""
        if self._app is not None:
            cache = self._app.token_cache
            for token in list(cache.search(cache.CredentialType.ACCESS_TOKEN)):
                cache.remove_at(token)
        return self.get()

    def _client(self) -> Any:
        import msal

        if self._app is None:
            try:
                self._app = msal.ConfidentialClientApplication(
                    self._settings.client_id, client_credential=self._credential(), authority=self._authority,
                    http_client=self._http_client, instance_discovery=self._instance_discovery,
                )
            except ValueError as exc:  # MSAL's word for an authority or tenant it cannot find
                self._refuse(f"Microsoft sign-in: {exc}")
        return self._app

    def _credential(self) -> str | dict[str, str]:
        s = self._settings
        if isinstance(s, Graph) and s.certificate_path:
            return self._certificate(Path(s.certificate_path), s.certificate_thumbprint)
        secret = remember(os.environ.get(s.client_secret_env, ""))
        if not secret:
            self._refuse(f"the environment variable {s.client_secret_env} (the client secret) is not set")
        return secret

    def _certificate(self, path: Path, thumbprint: str) -> dict[str, str]:
        try:
            pem = path.read_text()
        except OSError as exc:
            self._refuse(f"cannot read the certificate {path}: {exc}")
        blocks = {m.group(1): m.group(0) for m in re.finditer(r"-----BEGIN ([A-Z ]+)-----.*?-----END \1-----",
                                                               pem, re.DOTALL)}
        key = next((text for name, text in blocks.items() if name.endswith("PRIVATE KEY")), "")
        certificate = blocks.get("CERTIFICATE", "")
        if not (key and certificate):
            self._refuse(f"{path} must hold the private key and the certificate (PEM)")
        credential = {"private_key": key, "public_certificate": certificate}
        if thumbprint:
            credential["thumbprint"] = thumbprint
        return credential

    def _refuse(self, why: str) -> NoReturn:
        self._refused = MailboxAuthError(f"{self._role}: {why}")
        log.error("%s", self._refused)
        raise self._refused


def secret_variable(config: MailboxConfig) -> tuple[str, str] | None:
    """The key and environment variable of the password or client secret a mailbox signs in with, if any."""
    table: Any = getattr(config, config.backend, None)
    if table is None:
        return None
    if getattr(table, "auth", "") in ("password", "ntlm", "basic"):
        return f"{config.backend}.password_env", table.password_env
    if getattr(table, "token_command", "") or getattr(table, "certificate_path", ""):
        return None
    return f"{config.backend}.client_secret_env", table.client_secret_env


def secret_for(config: MailboxConfig) -> Secret:
    """The secret an IMAP or EWS mailbox signs in with (Graph signs in with `graph_token`)."""
    if config.imap is not None and config.backend == "imap" and config.imap.auth == "xoauth2":
        if config.imap.token_command:
            return CommandToken(config.imap.token_command, config.role)
        return MsalApp(config.imap, config.role, config.address, [M365_IMAP_SCOPE])
    found = secret_variable(config)
    if found is None:
        raise ValueError(f"{config.role}: a {config.backend} mailbox has no secret")
    key, variable = found
    return EnvironmentSecret(variable, config.role, "the client secret" if "client_secret" in key else "the password")


def graph_token(settings: Graph, role: str, address: str, http_client: Any,
                instance_discovery: bool = True) -> MsalApp:
    """Graph's tokens, over Graph's own HTTP client (one pool, one CA setting), scoped to its host."""
    base = settings.base_url.split("://", 1)
    scope = f"{base[0]}://{base[1].split('/', 1)[0]}/.default" if len(base) == 2 else settings.base_url
    return MsalApp(settings, role, address, [scope], authority_host=settings.authority_host,
                   http_client=http_client, instance_discovery=instance_discovery)


def missing_variables(settings: Settings) -> list[str]:
    """"mailboxes[0].imap.password_env: the environment variable CASSBOT_CASS_PASSWORD is not set", for
    each secret the configuration names that the environment does not hold."""
    named = [(f"mailboxes[{n}].{found[0]}", found[1]) for n, config in enumerate(settings.mailboxes)
             if (found := secret_variable(config))]
    if settings.smtp.username:
        named.append(("smtp.password_env", settings.smtp.password_env))
    return [f"{key}: the environment variable {variable or '(none named)'} is not set"
            for key, variable in named if not (variable and os.environ.get(variable))]


@dataclass(frozen=True)
class Expiry:
    """When the credential a mailbox signs in with runs out."""

    what: str  # "client secret" or "certificate"
    on: date
    where: str  # where a new one goes: the environment variable or the certificate file
    client_id: str  # the app registration it belongs to


def credential_expiry(config: MailboxConfig, zone: ZoneInfo) -> Expiry | None:
    """The expiry of the app credential this mailbox signs in with, where it can be known.

    A certificate's is read from the certificate itself (its last day in `zone`); a
    client secret's only from `client_secret_expires`, as Entra ID showed it when the
    secret was made. Passwords and token commands have none the bot can know.
    """
    app: AppCredential
    if config.graph and config.backend == "graph":
        if config.graph.certificate_path:
            ends = certificate_expiry(Path(config.graph.certificate_path), zone)
            return Expiry("certificate", ends, config.graph.certificate_path, config.graph.client_id) if ends else None
        app = config.graph
    elif config.imap and config.backend == "imap" and config.imap.auth == "xoauth2" and not config.imap.token_command:
        app = config.imap
    elif config.ews and config.backend == "ews" and config.ews.auth == "oauth2":
        app = config.ews
    else:
        return None
    if app.client_secret_expires is None:
        return None
    return Expiry("client secret", app.client_secret_expires, f"the environment variable {app.client_secret_env}",
                  app.client_id)


def certificate_expiry(path: Path, zone: ZoneInfo) -> date | None:
    """The last day (in `zone`) of the first certificate in a PEM file; None when it cannot be read
    (sign-in will say why)."""
    from cryptography import x509

    try:
        return x509.load_pem_x509_certificate(path.read_bytes()).not_valid_after_utc.astimezone(zone).date()
    except (OSError, ValueError):
        return None


def known_expiries(settings: Settings) -> dict[str, Expiry]:
    """Each mailbox whose sign-in credential has an expiry the bot can know."""
    zone = ZoneInfo(settings.working_hours.timezone)
    found = {config.role: credential_expiry(config, zone) for config in settings.mailboxes}
    return {role: expiry for role, expiry in found.items() if expiry}


def days_left(settings: Settings, expiry: Expiry, now: datetime) -> int:
    """Whole days from today (the organisation's today) to the credential's last day; negative once expired."""
    return (expiry.on - now.astimezone(ZoneInfo(settings.working_hours.timezone)).date()).days


def expiring_credentials(settings: Settings, now: datetime) -> dict[str, Expiry]:
    """Each mailbox whose sign-in credential expires within `credential_warning_days` (or has expired)."""
    return {role: expiry for role, expiry in known_expiries(settings).items()
            if days_left(settings, expiry, now) <= settings.alerts.credential_warning_days}


def expiry_warning(settings: Settings, expiry: Expiry, now: datetime) -> str:
    """The warning `cassbot status`, the digest and the alert all give."""
    days = days_left(settings, expiry, now)
    when = "has expired" if days < 0 else "expires today" if days == 0 else f"expires in {days} day(s)"
    return f"the {expiry.what} it signs in with {when} ({expiry.on:%a %d %b %Y})"

