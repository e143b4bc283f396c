"""The one way tests write a mail: every builder in the suite is this function with its own defaults."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP
from email.utils import make_msgid

DEFAULT_DATE = "Mon, 16 Nov 2026 09:00:00 +0000"
# What the organisation's Exchange adds to mail from a signed-in member of staff, and strips from mail from
# outside (the evidence the shipped `[trust]` asks of a check answer): `build_mail(..., **EXCHANGE_STAMP)`.
EXCHANGE_STAMP = {"X_MS_Exchange_Organization_AuthAs": "Internal"}


def build_mail(
    subject: str = "Team notice", body: str = "Rota update.\n", *,
    sender: str | None = "colleague@childrenstrust.example", to: str = "cass@childrenstrust.example",
    message_id: str | None = None, date: str | None = DEFAULT_DATE,
    html: str | None = None, attachment: tuple[str, bytes] | None = None, crlf: bool = False, **headers: str,
) -> bytes:
    """A mail as bytes. Header keyword arguments use underscores (`In_Reply_To="<a@b>"`); `crlf` gives the
    line ends SMTP and IMAP carry; `attachment` is (file name, PDF bytes)."""
    msg = EmailMessage()
    if sender is not None:
        msg["From"] = sender
    msg["To"], msg["Subject"] = to, subject
    if date is not None:
        msg["Date"] = date
    msg["Message-ID"] = message_id or make_msgid(domain="example.org")
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    if attachment is not None:
        msg.add_attachment(attachment[1], maintype="application", subtype="pdf", filename=attachment[0])
    return msg.as_bytes(policy=SMTP) if crlf else bytes(msg)
