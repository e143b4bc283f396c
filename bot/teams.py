"""The check teams CASS asks about an applicant, as one table: add a row to add a team.

Seed 000: the RAO asks Adoption & Fostering (who hold CHARMS) for a CHARMS summary
when the applicant fostered or adopted before, with "CHARMS check required by CASS"
in the title, and A&F answer with "CHARMs Check" and the RAO's name; the RAO asks
LADO whether the applicant or anyone over 16 in the household is known, and LADO
answers with "LADO CHECK" and the RAO's name.

Each row says everything the bot needs about a team: the mailbox role it is
configured under, what people call it, its drafts and subject conventions, how to
read its answer (by the reader's name), when a new request needs it, and what its
answer adds to the response. Classification, linking, drafting, the outbox, the
handlers, the sweep, the digest, the chronology, the pilot and the test harness read
the table; none of them names a team, but the reply to Ofsted's suitability check,
which seed 000 sends to LADO.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.domain import CASS
from bot.errors import ConfigError
from bot.patterns import OFSTED, any_of

# A new request's facts as the store keeps them (`RequestFacts.as_json`): what a rule of when a team is asked reads.
Facts = Mapping[str, Any]


@dataclass(frozen=True)
class ResponsePart:
    """What a team's answer adds to the response: the partial that writes its paragraph, and what the
    response says while the team has not answered (safe by default: LADO's says the OFSTED paragraph).

    `decision` names what the pilot compares with staff's own reply: whether the response says `flag`,
    against whether staff's reply has `staff_words`.
    """

    partial: str  # templates/drafts/response/<partial>.txt.j2 and .html.j2
    defaults: Mapping[str, object] = field(default_factory=dict)
    decision: str = ""
    flag: str = ""
    staff_words: re.Pattern[str] | None = None


@dataclass(frozen=True)
class CheckTeam:
    role: str  # the team's mailbox role in the configuration
    name: str  # what people call the team: "A&F", "LADO"
    label: str  # ... in the digest and the sweep's reasons, with its system: "A&F (CHARMS)"
    system: str  # what a check of it is called: "CHARMS check", "LADO check"
    request_template: str  # templates/drafts/<name>.txt.j2 and .html.j2; also the wire name of a request to it
    answer_kind: str  # the wire name of its answer, as `cassbot classify` prints it
    convention: re.Pattern[str]  # its subject convention, in requests and answers alike
    request_body: re.Pattern[str]  # staff asking it in the body, without the convention in the subject
    request_subject: str  # a check request's subject: {applicant} and {reference} are filled in
    reader: str  # the name its answer's reader is known by in `bot.extract.answers.READERS`
    asked_when: Callable[[Facts], bool]  # which new requests need this check
    asked_why: Callable[[Facts], str] = lambda facts: ""  # the rule's reason, for the audit trail
    response: ResponsePart | None = None  # what its answer adds to the response; None: nothing
    # Seed 000: "the RAO may send initial response ... to prevent delay" while this check is pending.
    response_may_precede: bool = False

    @property
    def asked(self) -> str:
        """The pilot's name for the decision to ask this team: "LADO check asked"."""
        return f"{self.system} asked"

    def wire_kind(self, answer: bool) -> str:
        """The kind of a request to this team, or of its answer, as `cassbot classify` prints it."""
        return self.answer_kind if answer else self.request_template


# "check", and how hurried fingers type it: "chk", "chek", "chekc", "cheque".
CHECK_WORD = r"(?:checks?|chks?|cheks?|chekcs?|chceks?|chcks?|cheques?)\b"
AF = CheckTeam(
    role="af", name="A&F", label="A&F (CHARMS)", system="CHARMS check",
    request_template="charms_check_request", answer_kind="charms_check_response",
    # "CHARMs Check", "CHARM'S check", "Charms checks": written by busy people.
    convention=any_of(rf"\bcharm(?:['’‘`]?s)?[\s\-_]*{CHECK_WORD}"),
    request_body=any_of(r"\bCHARMS\b"),
    request_subject="CHARMS check required by CASS - {applicant} [{reference}]",
    reader="af",
    asked_when=lambda facts: bool(facts["previously_fostered_or_adopted"]["charms_check"]),
    asked_why=lambda facts: f"the request says \"{facts['previously_fostered_or_adopted']['charms_words']}\"",
    response=ResponsePart("charms", {"charms_checked": False, "af_withdrew_sensitive": False}),
    response_may_precede=True,
)
LADO = CheckTeam(
    role="lado", name="LADO", label="LADO", system="LADO check",
    request_template="lado_check_request", answer_kind="lado_check_response",
    convention=any_of(rf"\bl\.?a\.?d\.?o\.?[\s\-_]*{CHECK_WORD}"),
    request_body=any_of(r"\bknown to (?:the )?LADO\b", r"\bLADO (?:check|search|records)\b"),
    request_subject="LADO check request - {applicant} and household [{reference}]",
    reader="lado",
    asked_when=lambda facts: True,
    asked_why=lambda facts: "every OLA request with consent in order: the applicants and the household over 16",
    # Safe by default: until LADO's answer says no one is known, the response says to contact OFSTED.
    response=ResponsePart("lado", {"ofsted": True, "lado_known": (), "lado_not_known": (), "lado_unclear": ()},
                          decision="response: OFSTED paragraph", flag="ofsted", staff_words=OFSTED),
)
# In the order their drafts are planned and their conventions are tried.
CHECK_TEAMS: tuple[CheckTeam, ...] = (LADO, AF)


def teams() -> tuple[CheckTeam, ...]:
    """The table as it stands (read at call time, so a test or a deployment can add a row)."""
    return CHECK_TEAMS


def team_of_role(role: str) -> CheckTeam | None:
    return next((team for team in teams() if team.role == role), None)


def team_of_template(template: str) -> CheckTeam | None:
    """The team a draft asks, if the draft is a check request."""
    return next((team for team in teams() if team.request_template == template), None)


def team_of_kind(wire_kind: str) -> CheckTeam | None:
    """The team whose check request or answer this wire name ("lado_check_response") is."""
    return next((team for team in teams() if wire_kind in (team.request_template, team.answer_kind)), None)


def mailbox_roles() -> tuple[str, ...]:
    """Every mailbox role a configuration must name once: CASS, then each team."""
    return (CASS, *(team.role for team in teams()))


def response_parts() -> tuple[ResponsePart, ...]:
    """What the response is made of beyond its letter, team by team, in the table's order."""
    return tuple(team.response for team in teams() if team.response is not None)


def response_defaults() -> dict[str, object]:
    """What every draft's context starts from for the teams' parts of the response: the partials, in the table's
    order, and what each says until its team answers (safe by default). A team's answer overrides its own."""
    parts = response_parts()
    return {"response_parts": [part.partial for part in parts],
            **{key: value for part in parts for key, value in part.defaults.items()}}


def check_roles(roles: Sequence[str], source: str) -> None:
    """Every role of the table configured once, and no other: checked where settings and the teams are wired
    together (`cassbot`'s start, `bot.pipeline.Deps`), so that `bot.config` need not know the table."""
    known = mailbox_roles()
    wrong = [f"{role!r} (found {roles.count(role)})" for role in known if roles.count(role) != 1]
    wrong += [f"{role!r} (no such role)" for role in roles if role not in known]
    if wrong:
        raise ConfigError(f"{source}: mailboxes: expected exactly one mailbox with each role ({', '.join(known)}); "
                          f"check {', '.join(wrong)}")
