"""Sending the one kind of mail the bot sends itself: to configured internal addresses only.

Everything for outside parties is a draft an RAO sends. The digest and the alerts
go out over SMTP (STARTTLS or implicit TLS; credentials from the environment), and
only to addresses on the staff list: any other recipient is refused (and logged),
and the mail goes to the staff among its recipients.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage

from bot.config import Settings
from bot.errors import MailboxAuthError, SendFailed, SendRefused
from bot.mailbox.credentials import EnvironmentSecret

log = logging.getLogger(__name__)


def send_internal(settings: Settings, message: EmailMessage) -> list[str]:
    """Send `message` to the staff among its recipients; returns who it went to.

    SendRefused when none of them is staff (nothing is sent); SendFailed when the
    server could not take it (it can be tried again).
    """
    allowed = {m.address for m in settings.staff}
    recipients = [a.strip().lower() for a in str(message["To"]).split(",")]
    outside = [a for a in recipients if a not in allowed or not settings.is_internal(a)]
    refused = f"refused to send {message['Subject']!r} to {', '.join(outside)}: only staff addresses receive mail"
    recipients = [a for a in recipients if a not in outside]
    if not recipients:
        raise SendRefused(refused)
    if outside:
        log.error("%s", refused)
    _deliver(settings, message, recipients)
    return recipients


def _deliver(settings: Settings, message: EmailMessage, recipients: list[str]) -> None:
    smtp = settings.smtp
    try:
        if smtp.security == "tls":
            server: smtplib.SMTP = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout_seconds,
                                                    context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds)
        with server:
            if smtp.security == "starttls":
                server.starttls(context=ssl.create_default_context())
            if smtp.username:
                server.login(smtp.username, EnvironmentSecret(smtp.password_env, "smtp").get())
            server.send_message(message, to_addrs=recipients)
    except MailboxAuthError as exc:  # the password's variable is not set: never an empty password
        raise SendFailed(f"could not send {message['Subject']!r}: {exc}") from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise SendFailed(f"could not send {message['Subject']!r} through {smtp.host}:{smtp.port}: {exc}") from exc
