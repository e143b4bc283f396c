"""Link a mail to its open request, in DESIGN.md's order, or say why it cannot.

1. the request's own reference in the subject or the X-Cassbot-Reference header;
2. In-Reply-To / References against Message-IDs the bot has stored (mail seen,
   drafts made, check requests sent);
3. for a trusted check answer only: the RAO it names plus the applicant named in
   it (the whole name beats the surname alone), against open requests of that
   RAO waiting on that team's check;
4. for an Ofsted suitability check (which carries no reference of ours): the OLA
   request, open or closed, that names its applicant in full.

A mail that could belong to more than one request, or to none, is never guessed:
`Link.problem` says why, and the pipeline lists it for a person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session, col, select

from bot.classify import Classification
from bot.domain import OPEN_STATES, CheckState, Kind
from bot.mail import ParsedMail
from bot.patterns import TITLES
from bot.store import Check, Draft, MailSeen, Request, request_by_reference


@dataclass(frozen=True)
class Link:
    request: Request | None
    how: str = ""
    problem: str = ""


def link(session: Session, mail: ParsedMail, found: Classification) -> Link:
    """The request `mail` belongs to, and how that was decided."""
    if found.kind == Kind.CHECK_ANSWER and not found.sender_trusted:
        return Link(None, problem="an untrusted check answer is never linked")
    if found.reference:
        request = request_by_reference(session, found.reference)
        if request:
            return Link(request, f"reference {found.reference}")
        return Link(None, problem=f"reference {found.reference} is not a request the bot knows")
    by_thread = _by_thread(session, mail)
    if by_thread:
        return Link(by_thread, "reply in a thread the bot knows")
    if found.kind == Kind.CHECK_ANSWER:
        return _by_rao_and_applicant(session, mail, found)
    if found.kind == Kind.SUITABILITY_CHECK:
        return _by_applicant(session, mail)
    return Link(None)


def _by_thread(session: Session, mail: ParsedMail) -> Request | None:
    ids = [i for i in (mail.in_reply_to, *mail.references) if i]
    if not ids:
        return None
    request_ids = set(session.exec(select(MailSeen.request_id).where(col(MailSeen.message_id).in_(ids))).all())
    request_ids |= set(session.exec(select(Draft.request_id).where(col(Draft.message_id).in_(ids))).all())
    request_ids |= set(session.exec(select(Check.request_id).where(col(Check.sent_message_id).in_(ids))).all())
    request_ids.discard(None)
    if len(request_ids) != 1:
        return None
    return session.get(Request, request_ids.pop())


def _by_rao_and_applicant(session: Session, mail: ParsedMail, found: Classification) -> Link:
    if not found.rao_member:
        return Link(None, problem="check answer names no RAO the bot can match to one person")
    assert found.team is not None  # the classifier names the team of every check answer
    waiting = session.exec(
        select(Request).join(Check, col(Check.request_id) == col(Request.id)).where(
            Check.team == found.team.role, Check.state != CheckState.ANSWERED, Request.rao == found.rao_member.name,
            col(Request.state).in_(OPEN_STATES),
        )
    ).all()
    # The answer, and the check request it quotes: "Not known." names no one; the RAO's request below does.
    text = _words(mail)
    scores = {r.id: max((_named_score(name, text) for name in r.applicants), default=0) for r in waiting}
    best = max(scores.values(), default=0)
    named = [r for r in waiting if best and scores[r.id] == best]
    if len(named) == 1:
        return Link(named[0], f"RAO {found.rao_member.name} and applicant {named[0].applicant}")
    if not named:
        rao = found.rao_member.name
        return Link(None, problem=f"no open request of {rao}'s waiting on this check names the applicant")
    refs = ", ".join(r.reference for r in named)
    return Link(None, problem=f"could belong to {len(named)} requests ({refs})")


def _by_applicant(session: Session, mail: ParsedMail) -> Link:
    """The OLA request whose applicant the mail names in full; of several, the one still open."""
    text = _words(mail)
    requests = session.exec(select(Request).where(Request.kind == Kind.OLA_REQUEST)
                            .order_by(col(Request.received_at))).all()
    named = [r for r in requests if max((_named_score(name, text) for name in r.applicants), default=0) == 2]
    if len(named) > 1:
        named = [r for r in named if r.state in OPEN_STATES] or named
    if len(named) == 1:
        return Link(named[0], f"applicant {named[0].applicant} named in full")
    if not named:
        return Link(None, problem="names no applicant of an OLA request the bot knows")
    return Link(None, problem=f"could belong to {len(named)} requests ({', '.join(r.reference for r in named)})")


def _words(mail: ParsedMail) -> str:
    """The subject and body (quoted mail included), lower case, on one line."""
    return " ".join(f"{mail.subject}\n{mail.body_text[:20_000]}".lower().split())


def _named_score(applicant: str, text: str) -> int:
    """2 when the applicant's whole name (title aside) is in the text, 1 for the surname alone."""
    words = [w for w in applicant.lower().replace(".", "").split() if w not in TITLES]
    if not words:
        return 0
    if " ".join(words) in text:
        return 2
    return 1 if re.search(rf"\b{re.escape(words[-1])}\b", text) else 0
