"""Render a planned draft into a real reply: RFC 5322 bytes for the Drafts folder.

One Jinja2 environment (`template_environment`, also used for the digest),
sandboxed, with StrictUndefined (a missing value is an
error, not a blank in a letter to a local authority) and autoescaping for the
HTML parts. Mail text is only ever data in the context, never template source.
"""

from __future__ import annotations

import email.policy
import os
from collections.abc import Mapping
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import SandboxedEnvironment

from bot.config import Settings
from bot.domain import NOTE_MARKER
from bot.teams import response_defaults, team_of_template

# The repository's templates/, or where CASSBOT_TEMPLATES says (an installed package, a container).
TEMPLATES = Path(os.environ.get("CASSBOT_TEMPLATES") or Path(__file__).resolve().parent.parent / "templates")
_ONE_LINE_HEADERS = email.policy.default.clone(max_line_length=998)


def template_environment(templates: Path | None = None) -> SandboxedEnvironment:
    """The one way templates are loaded: sandboxed, strict, HTML parts autoescaped."""
    env = SandboxedEnvironment(
        loader=FileSystemLoader(templates or TEMPLATES),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        keep_trailing_newline=True,
    )
    env.globals["note_marker"] = NOTE_MARKER  # the note's heading, which a sent mail is searched for
    return env


def draft_message_id(reference: str, template: str, number: int, domain: str) -> str:
    """Deterministic, so the bot can always find its own earlier draft after a crash."""
    return f"<{reference}.{template.replace('_', '-')}.{number}@cassbot.{domain}>"


def draft_subject(template: str, original_subject: str, applicant: str, reference: str) -> str:
    """Check requests follow their team's subject convention; everything else is a reply."""
    team = team_of_template(template)
    if team is not None:
        return team.request_subject.format(applicant=applicant or "applicant", reference=reference)
    subject = original_subject.replace(f"[{reference}]", "").strip()
    return f"RE: {subject} [{reference}]"


class Composer:
    """Turns a draft's template and context into a MIME message."""

    def __init__(self, settings: Settings, templates: Path | None = None) -> None:
        self.settings = settings
        self.env = template_environment(templates)

    def render(self, template: str, context: Mapping[str, object]) -> tuple[str, str]:
        """The plain-text and HTML parts."""
        full = {
            "org_name": self.settings.organisation.name,
            "team_name": self.settings.organisation.team_name,
            "notes": [], "household": [], "requester_name": "", "applicant": "", "greeting": "colleague",
            "applicants": [], "over_16s": [], "age_not_given": [], "urgent": False, "history_words": "",
            "other_over_16s": False, "children": [], "exemption": None,
            "decision_hours": self.settings.timescales.decision_hours, "request_reference": "", "agency": "",
            "responded_on": "", "response_due": "", "state": "", "pending": [], "missing_codes": [], "given": [],
            **response_defaults(),
            **context,
        }
        text = self.env.get_template(f"drafts/{template}.txt.j2").render(full)
        html = self.env.get_template(f"drafts/{template}.html.j2").render(full)
        return text, html

    def message(
        self, *, template: str, context: Mapping[str, object], to: str, subject: str, message_id: str,
        in_reply_to: str, references: str, reference: str, now: datetime,
    ) -> bytes:
        text, html = self.render(template, {**context, "reference": reference})
        msg = EmailMessage()
        msg["From"] = self.settings.mailbox("cass").address
        msg["To"] = to
        msg["Subject"] = subject
        msg["Date"] = format_datetime(now)
        msg["Message-ID"] = message_id
        if in_reply_to:
            msg["In-Reply-To"] = in_reply_to
        if references:
            msg["References"] = references
        msg["X-Cassbot-Reference"] = reference
        msg["X-Cassbot-Draft"] = template
        msg["X-Unsent"] = "1"  # Outlook opens such a file as a draft to edit and send
        msg.set_content(text)
        msg.add_alternative(html, subtype="html")
        # Long headers stay on one line (RFC 5322 allows 998 characters): a folded
        # Message-ID trips up tools that look for the bot's own drafts by it.
        return msg.as_bytes(policy=_ONE_LINE_HEADERS)
