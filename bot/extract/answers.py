"""Read the checks' answers and the applicant's history: fostered or adopted before, LADO, A&F reasons."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from bot.extract.text import any_of, clauses, head, window

_NOT_BEFORE = any_of(r"\b(?:not|never|no)\b[^.!?;]{0,30}$", r"n['’]t\b[^.!?;]{0,30}$")
_PREVIOUSLY_FOSTERED = any_of(
    r"\bpreviously\s+(?:been\s+)?(?:fostered|adopted|approved|assessed|applied|registered|an?\s+(?:foster|adopt))",
    r"\b(?:former|ex-?|previous|past)\s+(?:approved\s+)?(?:foster(?:ing)?\s+carers?|adopters?)\b",
    r"\b(?:was|were|has\s+been|have\s+been|had\s+been|used\s+to\s+be)\s+(?:an?\s+)?(?:approved\s+|registered\s+)?"
    r"(?:foster(?:ing)?\s+carers?|adopters?)\b",
    r"\b(?:has|have|had)\s+(?:previously\s+|already\s+)?(?:fostered|adopted)\b",
    r"\b(?:fostered|adopted|applied\s+to\s+(?:foster|adopt))\s+(?:before|previously)\b",
    r"\b(?:was|were|been)\s+(?:approved|assessed|registered)\s+as\s+an?\s+(?:foster\s+carer|adopter)\b[^.\n]{0,60}"
    r"\b(?:19|20)\d{2}\b",
    r"\b(?:approved|assessed|registered|fostered|applied)\b[^.\n]{0,40}\b(?:with|by|to)\s+"
    r"(?:your|you|another|a\s+different|an\s+independent)\b",
    r"\bapplied\s+to\s+(?:foster|adopt|become)\b[^.\n]{0,60}\b(?:before|previously|in\s+(?:19|20)\d{2}|years?\s+ago)\b",
    r"\bskills\s+to\s+foster\b",
    r"\b(?:foster(?:ing)?\s+carer|adopter)\s+role\b",
)


def previously_fostered_or_adopted(body: str) -> bool:
    """The mail says the applicant fostered, adopted, was approved or applied before (000)."""
    text = head(body)
    for match in _PREVIOUSLY_FOSTERED.finditer(text):
        if not _NOT_BEFORE.search(window(text, match.start(), match.start(), 40, 0)):
            return True
    return False


_KNOWN = any_of(r"\b(?:un)?known\b")
_NEGATION = any_of(r"\b(?:not|no|none|neither|nor|never|nothing|nobody|no-one)\b", r"n['’]t\b")
_CONDITIONAL = any_of(r"\b(?:whether|if)\b")
# "known to police" or "to Children's Social Care" is not a LADO answer.
_KNOWN_ELSEWHERE = any_of(r"\s+to\s+(?!(?:the\s+)?(?:LADO|us|our|this|me)\b)")
_NOTHING_HELD = any_of(
    r"\bno\s+(?:LADO\s+)?(?:trace|records?|information|involvement|concerns|match(?:es)?|history)\b",
    r"\bnothing\s+(?:held|recorded|found|known|on\s+(?:our|the)\s+(?:system|records))\b",
    r"\bnil\s+(?:return|trace)\b",
)


def _lado_verdicts(clause: str) -> Iterator[bool]:
    """Each "known" in a clause, read as yes or no; a question ("whether ... known") is no answer."""
    if "?" in clause:
        return
    conditional = _CONDITIONAL.search(clause)
    start = 0
    for match in _KNOWN.finditer(clause):
        if conditional and conditional.start() < match.start():
            return
        if not _KNOWN_ELSEWHERE.match(clause, match.end()):
            negated = match.group().lower() == "unknown" or _NEGATION.search(clause, start, match.start())
            yield not negated
        start = match.end()
    if _NOTHING_HELD.search(clause):
        yield False


def known_to_lado(body: str) -> bool | None:
    """LADO's answer: True if anyone is known, False if all it says is negative, else None."""
    verdicts = [v for clause in clauses(head(body)) for v in _lado_verdicts(clause)]
    if True in verdicts:
        return True
    return False if verdicts else None


_TURNED_DOWN = any_of(
    r"\bturned\s+down\b",
    r"\b(?:declined|refused|rejected|unsuccessful|unsuitable|resigned|deregistered|de-registered|retired)\b",
    r"\bnot\s+(?:approved|progressed|suitable|taken\s+forward|accepted)\b",
    r"\bdid\s+not\s+(?:progress|proceed|continue)\b",
    r"\bwithdr(?:ew|awn|awal|aw)\b",
    r"\bcounsell?ed\s+out\b",
    r"\b(?:closed|ended|stopped|paused)\b|\bput\s+on\s+hold\b",
)
_SENSITIVE_REASON = any_of(
    r"\b(?:health|medical|medically|illness|ill|unwell|diagnos\w*|surgery|treatment|cancer|depression|anxiety)\b",
    r"\b(?:financ\w*|debts?|money|bankrupt\w*|insolven\w*|IVA|arrears|afford\w*|unemploy\w*|repossess\w*|CCJs?)\b",
)
_NOT_SENSITIVE = any_of(r"\bhealth\s+(?:and|&)\s+safety\b", r"\bhealth\s+visit\w*")
# "no financial concerns", "not for health reasons"; but "did not progress due to health" is a reason.
_DENIED_JUST_BEFORE = any_of(r"(?:\b(?:no|not|nor|without)|n['’]t)\s+(?:\w+\s+)?(?:(?:or|and|nor|&)\s+(?:\w+\s+)?)?$")


def af_gave_sensitive_reason(body: str) -> bool:
    """A&F say the applicant was turned down or withdrew for health or money reasons (000).

    Read over the whole answer, not one sentence ("Withdrew 2019. Reason: health."):
    a wrong yes only makes the response more discreet.
    """
    text = _NOT_SENSITIVE.sub(" ", head(body))
    if not _TURNED_DOWN.search(text):
        return False
    return any(
        not _DENIED_JUST_BEFORE.search(window(text, m.start(), m.start(), 30, 0))
        for m in _SENSITIVE_REASON.finditer(text)
    )


@dataclass(frozen=True)
class TeamAnswer:
    """What one team's answer means for the response, read from its words.

    `response` holds only what the response draft needs (never A&F's health or
    money reasons themselves); `notes` what the RAO must look at before sending.
    """

    summary: str  # one line for the audit trail
    response: dict[str, object] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def read_lado_answer(body: str, checked: Sequence[str]) -> TeamAnswer:
    """LADO's answer: is anyone known?"""
    known = known_to_lado(body)
    summary = {True: "someone is known to LADO", False: "no one is known to LADO",
               None: "cassbot could not tell from LADO's answer whether anyone is known"}[known]
    notes = (summary,) if known is None else ()
    return TeamAnswer(summary, {"lado_known": known}, notes)


def read_af_answer(body: str, checked: Sequence[str]) -> TeamAnswer:
    """A&F's CHARMS answer: did they give health or financial reasons (which the response never repeats)?"""
    sensitive = af_gave_sensitive_reason(body)
    summary = ("A&F gave health or financial reasons: the response says only that the applicant withdrew"
               if sensitive else "CHARMS summary received")
    return TeamAnswer(summary, {"charms_checked": True, "af_withdrew_sensitive": sensitive})
