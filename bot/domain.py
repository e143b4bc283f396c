"""The front door's vocabulary: what a mail is, and the states of requests, checks and drafts.

Every module that names one of these uses the enum from here, and the store keeps
their values as text (`bot.store.EnumText`), so a reader finds each word in one
place. The check teams (A&F with CHARMS, LADO, and any team added later) are data,
not enum members: their table is `bot.teams.CHECK_TEAMS`.
"""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    """What a mail is (DESIGN.md "The mail it must understand").

    A check request or answer belongs to one check team; its name as people and the
    JSON output see it ("charms_check_response") comes from that team's row.
    """

    OLA_REQUEST = "ola_request"
    PARTNER_REQUEST = "partner_request"
    LEVEL1_VERIFICATION = "level1_verification"
    DISCLOSURE_REQUEST = "disclosure_request"
    REFERRAL = "referral"  # a safeguarding concern or Request for Support about a child (seed 003)
    CHECK_REQUEST = "check_request"
    CHECK_ANSWER = "check_answer"
    SUITABILITY_CHECK = "suitability_check"
    REQUESTER_FOLLOWUP = "requester_followup"
    AUTO_REPLY = "auto_reply"
    OTHER = "other"


# Kinds that open a request when they arrive in the CASS inbox.
NEW_REQUEST_KINDS = frozenset({
    Kind.OLA_REQUEST, Kind.PARTNER_REQUEST, Kind.LEVEL1_VERIFICATION, Kind.DISCLOSURE_REQUEST, Kind.REFERRAL,
})


class RequestState(StrEnum):
    """Where a request is in its journey (the table of moves is `bot.lifecycle.ALLOWED`)."""

    RECEIVED = "received"
    AWAITING_CONSENT = "awaiting_consent"
    AWAITING_SECURE_ADDRESS = "awaiting_secure_address"
    CHECKS_PENDING = "checks_pending"
    RESPONSE_DRAFTED = "response_drafted"
    RESPONDED = "responded"
    CLOSED = "closed"
    REDIRECTED = "redirected"


OPEN_STATES = frozenset(RequestState) - {RequestState.CLOSED}
# States in which the request still waits on CASS for a decision or an answer.
WAITING_ON_CASS = frozenset({
    RequestState.RECEIVED, RequestState.CHECKS_PENDING, RequestState.RESPONSE_DRAFTED,
    RequestState.AWAITING_SECURE_ADDRESS, RequestState.AWAITING_CONSENT,
})


class CheckState(StrEnum):
    """A check asked of a team: drafted by the bot, sent by an RAO, answered by the team."""

    DRAFTED = "drafted"
    SENT = "sent"
    ANSWERED = "answered"


class DraftState(StrEnum):
    """A draft: planned in the mail's transaction, saved to Drafts, then sent or deleted by a person."""

    PLANNED = "planned"
    SAVED = "saved"
    SENT = "sent"
    DELETED = "deleted"


class Outcome(StrEnum):
    """What processing one mail came to, recorded with it."""

    NEW_REQUEST = "new_request"
    LINKED = "linked"
    APPROVAL = "approval"  # an RAO sent one of the bot's drafts
    NEEDS_PERSON = "needs_person"
    IGNORED = "ignored"
    ALREADY_PROCESSED = "already_processed"
    FAILED = "failed"


class Template(StrEnum):
    """The drafts the bot writes to people outside (a check team's request template is in its row)."""

    RESUBMISSION_REQUEST = "resubmission_request"
    SECURE_ADDRESS_CHALLENGE = "secure_address_challenge"
    RESPONSE = "response"
    INITIAL_RESPONSE = "initial_response"  # the response while CHARMS is pending, when [responses] allows
    DISCLOSURE_REDIRECT = "disclosure_redirect"
    MORE_INFORMATION = "more_information"
    PARTNER_RESPONSE = "partner_response"  # Level 2, limited to the seed's categories
    LEVEL1_REPLY = "level1_reply"  # Level 1, to the caller's own organisation address
    REFERRAL_ACKNOWLEDGEMENT = "referral_acknowledgement"
    SUITABILITY_REPLY = "suitability_reply"  # internal: to LADO, from the request's state


# Drafts that carry information about children to an outside party.
RESPONSES = frozenset({Template.RESPONSE, Template.INITIAL_RESPONSE, Template.PARTNER_RESPONSE,
                       Template.LEVEL1_REPLY})
# What sending each closing draft means for its request.
CLOSED_BY_SENDING: dict[str, str] = {
    Template.RESUBMISSION_REQUEST: "resubmission requested: CASS does not keep the request",
    Template.DISCLOSURE_REDIRECT: "redirected to the Disclosure Team",
    Template.RESPONSE: "response sent",
    Template.PARTNER_RESPONSE: "Level 2 response sent",
    Template.LEVEL1_REPLY: "Level 1 answered",
}

# The CASS mailbox's role; every other mailbox role is a check team's (`bot.teams`).
CASS = "cass"


class AlertKind(StrEnum):
    URGENT = "urgent"
    MAILBOX_DOWN = "mailbox down"
    MAILBOX_BACK = "mailbox back"
    CREDENTIAL_EXPIRING = "credential expiring"
    NOTE_SENT = "note sent"  # a sent mail still carried the note for the RAO or a placeholder
    URGENT_UNPLACED = "urgent unplaced"  # urgent mail from outside that cassbot could not place


# What marks the bot's words for the RAO in a draft: the note's heading and each placeholder's start. The
# templates write the note's heading from NOTE_MARKER; a sent mail that still carries either is caught.
NOTE_MARKER = "NOTE FOR THE RAO"
PLACEHOLDER_MARKER = "[RAO:"
# The "needs a person" reasons the duty team leaders are alerted about at once (`bot.mail_alerts`).
NOTE_SENT = "sent with the bot's note for the RAO still in it"
URGENT_UNPLACED = "URGENT mail cassbot could not place"
