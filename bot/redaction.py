"""Secrets never reach a log, an error line or the store (issue 14): one place that blanks them.

Two ways, both applied to every log line the CLI writes and every error text the bot keeps
(a mailbox's last error, shown in status, the digest and alerts):
- the secret values themselves, remembered when a backend or the SMTP sender resolves one
  (`remember`), wherever they appear, in whatever a server echoes back;
- what protocol traffic carries after LOGIN, AUTHENTICATE or AUTH, and `password=`,
  `Bearer ...` and the like, in both directions.
"""

from __future__ import annotations

import logging
import re

REDACTED = "**REDACTED**"
_known: set[str] = set()
# Protocol commands are upper case on the wire ("a001 LOGIN user pass", a server echoing it back); prose
# ("refused the login for af") is not touched.
_PROTOCOL = re.compile(
    r"(\b(?:LOGIN|AUTHENTICATE)\b)[ \t]+[^\r\n]*"
    r"|(\bAUTH[ \t]+(?:PLAIN|LOGIN|XOAUTH2|CRAM-MD5|OAUTHBEARER)\b)[^\r\n]*"
    r"|((?i:\b(?:password|passwd|pwd|secret|client_secret|access_token|refresh_token|token)\b)\s*[=:]\s*)"
    r"[^\s,;'\"&]+"
    r"|((?i:\bBearer)\s+)[A-Za-z0-9\-._~+/=]+"
)


def remember(secret: str) -> str:
    """Note a secret the bot holds, so it is blanked wherever it would be written; returns it unchanged."""
    if len(secret) >= 4:
        _known.add(secret)
    return secret


def redact(text: str) -> str:
    for secret in sorted(_known, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, REDACTED)
    return _PROTOCOL.sub(_blanked, text)


def _blanked(match: re.Match[str]) -> str:
    kept = next(group for group in match.groups() if group)
    return kept + ("" if kept[-1:] in "=: \t" else " ") + REDACTED


class RedactingFormatter(logging.Formatter):
    """Any formatter, with what it writes redacted (the message, its arguments and any traceback)."""

    def __init__(self, inner: logging.Formatter) -> None:
        super().__init__()
        self.inner = inner

    def format(self, record: logging.LogRecord) -> str:
        return redact(self.inner.format(record))
