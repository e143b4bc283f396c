"""The request lifecycle: an explicit state machine; every move audited.

    received ─┬─> awaiting_consent ──────────────> closed   (OLA: CASS does not keep it)
              │        └──> received                      (partner: more information came)
              ├─> awaiting_secure_address ─┬─> checks_pending
              │                            └─> response_drafted
              ├─> checks_pending ──> response_drafted ──> responded ──> closed
              ├─> response_drafted
              ├─> redirected ──> closed                   (Level 3: Disclosure Team)
              └─> responded

Any open state may also be closed by a person. A move the table does not allow
is an error (`IllegalTransition`), never a silent overwrite.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from bot.store import Request, audit


class State(StrEnum):
    RECEIVED = "received"
    AWAITING_CONSENT = "awaiting_consent"
    AWAITING_SECURE_ADDRESS = "awaiting_secure_address"
    CHECKS_PENDING = "checks_pending"
    RESPONSE_DRAFTED = "response_drafted"
    RESPONDED = "responded"
    CLOSED = "closed"
    REDIRECTED = "redirected"


ALLOWED: dict[State, frozenset[State]] = {
    State.RECEIVED: frozenset({
        State.AWAITING_CONSENT, State.AWAITING_SECURE_ADDRESS, State.CHECKS_PENDING,
        State.RESPONSE_DRAFTED, State.REDIRECTED, State.RESPONDED, State.CLOSED,
    }),
    State.AWAITING_CONSENT: frozenset({State.RECEIVED, State.CLOSED}),
    State.AWAITING_SECURE_ADDRESS: frozenset({State.CHECKS_PENDING, State.RESPONSE_DRAFTED, State.CLOSED}),
    State.CHECKS_PENDING: frozenset({State.RESPONSE_DRAFTED, State.CLOSED}),
    State.RESPONSE_DRAFTED: frozenset({State.RESPONDED, State.CLOSED}),
    State.RESPONDED: frozenset({State.CLOSED}),
    State.REDIRECTED: frozenset({State.CLOSED}),
    State.CLOSED: frozenset(),
}
OPEN_STATES = frozenset(State) - {State.CLOSED}


class IllegalTransition(Exception):
    """A request was asked to move where its lifecycle does not go."""


def move(session: Session, request: Request, to: State, *, actor: str, why: str, now: datetime) -> None:
    """Move `request` to `to`, audited with who (or which rule) moved it and why."""
    current = State(request.state)
    if to not in ALLOWED[current]:
        raise IllegalTransition(f"{request.reference}: cannot go from {current} to {to} ({why})")
    request.state = to
    request.updated_at = now
    if to == State.CLOSED:
        request.closed_at = now
    session.add(request)
    audit(session, actor, f"state {current} -> {to}", why, request_id=request.id, at=now)
