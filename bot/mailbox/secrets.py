"""Where a mailbox's secret comes from: never the configuration file, never a log.

A password is read from the environment variable the configuration names (the
CLI fills the environment from `.env`). An OAuth2 access token (XOAUTH2, as
Microsoft 365 requires for IMAP) comes from a command the operator configures,
or from MSAL's client-credentials flow; tokens are fetched again when they are
near expiry, so a long-running bot needs no restart.

What cannot be renewed is the app's own credential (a client secret or a
certificate): `credential_expiry` says when it runs out, so the operators can be
told in time.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.config import AppCredential, Imap
from bot.config import Mailbox as MailboxConfig
from bot.mailbox.base import MailboxAuthError

M365_IMAP_SCOPE = "https://outlook.office365.com/.default"
_TOKEN_LIFETIME = 45 * 60  # seconds a token from a command is trusted; Entra ID issues 60-90 minutes


class Secret(Protocol):
    def get(self) -> str:
        """The secret, fetched or refreshed as needed; MailboxAuthError when it cannot be had."""
        ...


class EnvironmentPassword:
    def __init__(self, variable: str, role: str) -> None:
        self.variable, self.role = variable, role

    def get(self) -> str:
        value = os.environ.get(self.variable)
        if not value:
            raise MailboxAuthError(f"{self.role}: the environment variable {self.variable} (the password) is not set")
        return value


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
        return self._token


class MsalToken:
    """App-only OAuth2 (client credentials) with MSAL; MSAL caches and renews the token."""

    def __init__(self, settings: Imap, role: str) -> None:
        import msal  # only deployments that use it need it installed

        secret = os.environ.get(settings.client_secret_env, "")
        if not secret:
            raise MailboxAuthError(f"{role}: the environment variable {settings.client_secret_env} is not set")
        self.role = role
        self._app = msal.ConfidentialClientApplication(
            settings.client_id, client_credential=secret,
            authority=f"https://login.microsoftonline.com/{settings.tenant_id}",
        )

    def get(self) -> str:
        result = self._app.acquire_token_for_client(scopes=[M365_IMAP_SCOPE])
        token = result.get("access_token") if isinstance(result, dict) else None
        if not token:
            raise MailboxAuthError(f"{self.role}: Microsoft sign-in refused the app: {result.get('error')}")
        return str(token)


def secret_for(settings: Imap, role: str) -> Secret:
    if settings.auth == "password":
        return EnvironmentPassword(settings.password_env, role)
    if settings.token_command:
        return CommandToken(settings.token_command, role)
    return MsalToken(settings, role)


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
