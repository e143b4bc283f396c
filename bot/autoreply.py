"""The signals that say a mail was sent by a machine, not a person.

Out-of-office replies, delivery failures, read receipts and list mail must never
count as an answer or open a request. The signals follow RFC 3834 (Auto-Submitted,
automatic responses), RFC 3464 (delivery status notifications), RFC 8098 (message
disposition notifications) and the habits of Exchange and other servers.
`X-Auto-Response-Suppress` is deliberately not a signal: Outlook puts it on
ordinary mail, and helpdesks that filter on it drop real requests.
"""

from __future__ import annotations

import email.message
import re
from collections.abc import Mapping
from typing import Any

_MACHINE_SENDERS = frozenset({"mailer-daemon", "postmaster", "post_master", "mail-daemon", "mailerdaemon"})
_BULK_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})
_REPORT_TYPES = frozenset({
    "message/delivery-status", "message/disposition-notification",
    "message/feedback-report", "message/global-delivery-status",
    "message/global-disposition-notification",
})
# Subject prefixes servers put on automatic replies and failures, with the
# translations Exchange and the common clients use.
_AUTO_SUBJECT = re.compile(
    r"^\s*(?:\[[^\]]{1,40}\]\s*)*(?:"
    r"auto|out of (?:the )?office auto ?reply|automatic reply|auto(?:matic)?[\s-]?reply|auto[\s-]?response"
    r"|out of (?:the )?office"
    r"|undeliverable|undelivered mail|delivery status notification|delivery failure"
    r"|mail delivery (?:failed|failure|system)|returned mail|failure notice|delivery has failed"
    r"|read|not read|zugestellt|gelesen"
    r"|automatische antwort|abwesenheitsnotiz|unzustellbar|nicht zustellbar"
    r"|r[ée]ponse automatique|absence du bureau|non remis|impossible de remettre"
    r"|automatisch antwoord|onbestelbaar|niet bezorgd"
    r"|respuesta autom[áa]tica|no se puede entregar|no entregado"
    r"|risposta automatica|non recapitabile|impossibile recapitare"
    r"|resposta autom[áa]tica|n[ãa]o entregue"
    r"|automatiskt svar|autosvar|automatisk svar|olevererbart|kan ikke leveres"
    r"|automaattinen vastaus|odpowied[źz] automatyczna"
    r")\b\s*:",
    re.IGNORECASE,
)


def auto_reply_signals(
    msg: email.message.Message,
    headers: Mapping[str, list[Any]],
    subject: str,
    from_address: str,
    part_types: set[str],
) -> tuple[str, ...]:
    """Every machine-sent signal found, each as a short readable reason.

    `headers` is the message's headers by lower-case name.
    """
    def first(name: str) -> str:
        return str(headers.get(name, [""])[0])

    found: list[str] = []
    auto_submitted = first("auto-submitted").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        found.append(f"Auto-Submitted: {auto_submitted}")
    precedence = first("precedence").strip().lower()
    if precedence in _BULK_PRECEDENCE:
        found.append(f"Precedence: {precedence}")
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder"):
        if name.lower() in headers:
            found.append(f"{name} header")
    if first("return-path").strip() == "<>":
        found.append("null Return-Path (RFC 5321 notification)")
    found.extend(_report_signals(msg, part_types))
    if from_address.split("@")[0] in _MACHINE_SENDERS:
        found.append(f"sent by {from_address.split('@')[0]}")
    if _AUTO_SUBJECT.match(subject):
        found.append("automatic-reply subject")
    return tuple(found)


def _report_signals(msg: email.message.Message, part_types: set[str]) -> list[str]:
    if msg.get_content_type() == "multipart/report":
        kind = msg.get_param("report-type") or "unknown"
        return [f"multipart/report ({kind})"]
    return [f"{t} part" for t in sorted(part_types & _REPORT_TYPES)]
