"""Sending the one kind of mail the bot sends itself: to configured internal addresses only.

Everything for outside parties is a draft an RAO sends. The digest (and, later,
alerts) go out over SMTP (STARTTLS or implicit TLS; credentials from the
environment), and only to addresses on the staff list.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from email.message import EmailMessage

from bot.config import Settings
from bot.errors import SendFailed, SendRefused


def send_internal(settings: Settings, message: EmailMessage) -> None:
    allowed = {m.address for m in settings.staff}
    recipients = [a.strip().lower() for a in str(message["To"]).split(",")]
    outside = [a for a in recipients if a not in allowed or not settings.is_internal(a)]
    if outside:
        raise SendRefused(f"refused to send to {', '.join(outside)}: only configured staff addresses receive mail")
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
                server.login(smtp.username, os.environ.get(smtp.password_env, ""))
            server.send_message(message, to_addrs=recipients)
    except (OSError, smtplib.SMTPException) as exc:
        raise SendFailed(f"could not send {message['Subject']!r} through {smtp.host}:{smtp.port}: {exc}") from exc
