"""Where a mailbox's secret comes from: never the configuration file, never a log.

A password is read from the environment variable the configuration names (the
CLI fills the environment from `.env`). An OAuth2 access token (XOAUTH2, as
Microsoft 365 requires for IMAP) comes from a command the operator configures,
or from MSAL's client-credentials flow; tokens are fetched again when they are
near expiry, so a long-running bot needs no restart.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from typing import Protocol

from bot.config import Imap
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
