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

from sqlmodel import Session

from bot.domain import RequestState
from bot.errors import IllegalTransition
from bot.store import Request, audit

ALLOWED: dict[RequestState, frozenset[RequestState]] = {
    RequestState.RECEIVED: frozenset({
        RequestState.AWAITING_CONSENT, RequestState.AWAITING_SECURE_ADDRESS, RequestState.CHECKS_PENDING,
        RequestState.RESPONSE_DRAFTED, RequestState.REDIRECTED, RequestState.RESPONDED, RequestState.CLOSED,
    }),
    RequestState.AWAITING_CONSENT: frozenset({RequestState.RECEIVED, RequestState.CLOSED}),
    RequestState.AWAITING_SECURE_ADDRESS: frozenset({
        RequestState.CHECKS_PENDING, RequestState.RESPONSE_DRAFTED, RequestState.CLOSED,
    }),
    RequestState.CHECKS_PENDING: frozenset({RequestState.RESPONSE_DRAFTED, RequestState.CLOSED}),
    RequestState.RESPONSE_DRAFTED: frozenset({RequestState.RESPONDED, RequestState.CLOSED}),
    RequestState.RESPONDED: frozenset({RequestState.CLOSED}),
    RequestState.REDIRECTED: frozenset({RequestState.CLOSED}),
    RequestState.CLOSED: frozenset(),
}


def move(session: Session, request: Request, to: RequestState, *, actor: str, why: str, now: datetime) -> None:
    """Move `request` to `to`, audited with who (or which rule) moved it and why."""
    current = RequestState(request.state)
    if to not in ALLOWED[current]:
        raise IllegalTransition(f"{request.reference}: cannot go from {current} to {to} ({why})")
    request.state = to
    request.updated_at = now
    if to == RequestState.CLOSED:
        request.closed_at = now
    session.add(request)
    audit(session, actor, f"state {current} -> {to}", why, request_id=request.id, at=now)
