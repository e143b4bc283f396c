"""What the bot reads in one mail of a known kind, for `cassbot classify --facts`.

A new request's facts (`bot.extract.facts`); a check answer read by its team's reader.
Without the store, the people an answer is read against are those its quoted check
request names, as the team saw them; in the running service they are the request's own.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from bot.classify import Classification
from bot.config import Settings
from bot.domain import NEW_REQUEST_KINDS
from bot.extract.answers import read_answer
from bot.extract.document import Document, split_segments
from bot.extract.facts import read_facts
from bot.extract.people import read_people
from bot.mail import ParsedMail
from bot.teams import team_of_kind


def facts_of(mail: ParsedMail, found: Classification, settings: Settings, now: datetime) -> dict[str, Any] | None:
    """The facts read from `mail` as what it was classified, as JSON; None for kinds the bot reads nothing
    more from (a follow-up, a team notice)."""
    if found.kind in NEW_REQUEST_KINDS:
        return read_facts(mail, settings, now).as_json()
    team = team_of_kind(found.name)
    if team is None or found.name != team.answer_kind:
        return None
    checked = quoted_people(mail, now)
    answer = read_answer(team.reader, mail, checked, quoted_relations(mail, now))
    return {"checked": checked, "summary": answer.summary, **answer.facts, "notes": list(answer.notes)}


def quoted_people(mail: ParsedMail, now: datetime) -> list[str]:
    """The people the check request quoted under an answer names (applicants and household alike)."""
    return list(quoted_relations(mail, now))


def quoted_relations(mail: ParsedMail, now: datetime) -> dict[str, str]:
    """The people the quoted check request names, each with how they stand: "applicant", "partner", "son"."""
    on = (mail.date or now).date()
    quoted = tuple(s for s in split_segments(mail.body_text, mail.from_address, on) if s.depth > 0)
    people = [p for p in read_people(Document(quoted), "", on).people if p.applicant or p.household]
    lines = "\n".join(s.text for s in quoted).splitlines()
    first = not any(p.applicant for p in people)  # a check request lists the applicant first
    return {p.name.written: " ".join(filter(None, (
        "applicant" if p.applicant or (first and n == 0) else "", p.relation or _bracketed(p.name.written, lines))))
        for n, p in enumerate(people)}


def _bracketed(name: str, lines: list[str]) -> str:
    """The relation written in brackets on the person's line: "Kieran Mulvey - 19/08/2004 (son)"."""
    line = next((line for line in lines if name in line), "")
    found = re.search(r"\(([^()]{2,40})\)", line)
    return found.group(1).lower() if found else ""
