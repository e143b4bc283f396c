"""Say what a mail is, with reasons. Pure: a `ParsedMail` in, a `Classification` out.

The order is the order a person at the front door would think in: machines first
(an out-of-office never answers anything), then the check conventions between
CASS, A&F and LADO, then later mail on a request, then new requests by the
weight of their evidence. The cues themselves live in `bot.rules`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from bot import rules
from bot.config import Settings, StaffMember
from bot.domain import URGENT_UNPLACED, Kind
from bot.extract.document import without_disclaimers
from bot.extract.forms import form_text, says_little
from bot.literals import finds, replaced
from bot.mail import Attachment, ParsedMail
from bot.patterns import REFERENCE
from bot.staff import NameMatch, StaffDirectory
from bot.teams import CheckTeam, teams
from bot.trust import vouched_for

_NOT_URGENT_KINDS = frozenset({Kind.AUTO_REPLY, Kind.OTHER})


@dataclass(frozen=True)
class Classification:
    """What a mail is, and why the bot thinks so."""

    kind: Kind
    urgent: bool
    reasons: tuple[str, ...]
    team: CheckTeam | None = None  # check requests and answers: the team asked, or answering
    rao: str | None = None  # check answers: the staff name, else as written
    rao_member: StaffMember | None = None
    sender_trusted: bool | None = None  # check answers only
    reference: str | None = None
    needs_person: tuple[str, ...] = ()  # why a person must look at it
    near: Kind | None = None  # "other" mail that came close to this request kind: a person should see it
    unsure: bool = False  # "other" mail the bot cannot be confident is nothing (not machine-sent, not a notice)
    urgent_cues: tuple[str, ...] = ()  # "other" mail from outside that says it is urgent, by cue (issue 21)

    @property
    def name(self) -> str:
        """The kind as people and the JSON output see it: a check's is its team's ("lado_check_response")."""
        return self.team.wire_kind(self.kind == Kind.CHECK_ANSWER) if self.team else str(self.kind)

    def as_json(self) -> dict[str, object]:
        return {
            "kind": self.name, "urgent": self.urgent, "rao": self.rao,
            "sender_trusted": self.sender_trusted, "reference": self.reference,
            "reasons": list(self.reasons),
        }


@dataclass
class _Finding:
    kind: Kind = Kind.OTHER
    near: Kind | None = None  # the request kind the mail came closest to, when it fell short
    team: CheckTeam | None = None
    reasons: list[str] = field(default_factory=list)
    needs_person: list[str] = field(default_factory=list)


class Classifier:
    """Classifies mail against one organisation's settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.staff = StaffDirectory(settings.staff)
        self._address = {team.role: settings.mailbox(team.role).address for team in teams()}
        self._answerers = {team.role: {settings.mailbox(team.role).address, *settings.mailbox(team.role).answered_by}
                           for team in teams()}

    def classify(self, mail: ParsedMail) -> Classification:
        found = _Finding()
        reference = _reference(mail)
        for step in (self._auto_reply, self._check, self._suitability, self._followup, self._request):
            if step(mail, found, reference):
                break
        else:
            found.reasons.append("no rule fired: left alone")
        if mail.defects:
            found.needs_person.append("mail is damaged: " + "; ".join(mail.defects[:3]))
        return self._finish(mail, found, reference)

    # -- the steps, in order; each returns True when it has decided the kind --

    def _auto_reply(self, mail: ParsedMail, found: _Finding, reference: str | None) -> bool:
        if not mail.auto_reply_signals:
            return False
        found.kind = Kind.AUTO_REPLY
        found.reasons.extend(f"machine-sent: {s}" for s in mail.auto_reply_signals)
        return True

    def _check(self, mail: ParsedMail, found: _Finding, reference: str | None) -> bool:
        """The teams' subject conventions (the one written first wins), or staff asking a team in the body."""
        by_subject = [(match.start(), n, team) for n, team in enumerate(teams())
                      if (match := team.convention.search(mail.subject))]
        if by_subject:
            team = min(by_subject, key=lambda found: found[:2])[2]
            kind = self._direction(mail, team)
        elif asked := self._team_asked_in_body(mail):
            team, kind = asked, Kind.CHECK_REQUEST
        else:
            return False
        found.kind, found.team = kind, team
        found.reasons.append(f"check convention: {team.wire_kind(kind == Kind.CHECK_ANSWER).replace('_', ' ')}")
        return True

    def _direction(self, mail: ParsedMail, team: CheckTeam) -> Kind:
        """Request (someone asks the team) or answer (the team answers, or claims to)."""
        address = self._address[team.role]
        if mail.from_address in self._answerers[team.role]:
            return Kind.CHECK_ANSWER
        asks = address in mail.recipients or _asks(_after_last(team.convention, mail.subject))
        return Kind.CHECK_REQUEST if asks else Kind.CHECK_ANSWER

    def _team_asked_in_body(self, mail: ParsedMail) -> CheckTeam | None:
        """Staff writing to a team without the subject convention."""
        if not self.settings.is_internal(mail.from_address) or mail.is_reply:
            return None
        return next((team for team in teams() if self._address[team.role] in mail.recipients
                     and team.request_body.search(mail.fresh_text)), None)

    def _suitability(self, mail: ParsedMail, found: _Finding, reference: str | None) -> bool:
        in_subject = finds(rules.SUITABILITY, mail.subject)
        in_body = finds(rules.SUITABILITY, mail.fresh_text) and finds(rules.OFSTED, mail.subject + mail.fresh_text)
        if not (in_subject or in_body):
            return False
        found.kind = Kind.SUITABILITY_CHECK
        found.reasons.append("Ofsted suitability check wording")
        return True

    def _followup(self, mail: ParsedMail, found: _Finding, reference: str | None) -> bool:
        if reference:
            found.reasons.append(f"carries reference {reference}")
        elif mail.is_reply and not mail.starts_as_forward and not self.settings.is_internal(mail.from_address) \
                and _request_like(mail.subject):
            if _body_alone_is_a_request(mail):  # a whole request sent as a reply: its kind, then linking
                return False  # decides whether it continues a request or starts one
            found.reasons.append("reply from outside on a request subject")
        else:
            return False
        found.kind = Kind.REQUESTER_FOLLOWUP
        return True

    def quoted_request(self, mail: ParsedMail) -> Classification | None:
        """A chaser ("Any update on the below?") whose request the bot never saw: the request it quotes, as
        if it had come on its own, so that nothing is lost. None when the quoted thread is no request."""
        found = _Finding()
        if not self._request(mail, found, None, body=mail.body_text[:FRESH_LIMIT]) or found.kind not in (
                Kind.OLA_REQUEST, Kind.PARTNER_REQUEST, Kind.LEVEL1_VERIFICATION, Kind.DISCLOSURE_REQUEST):
            return None
        found.reasons.insert(0, "a chaser for a request the bot never saw: read from the request it quotes")
        return self._finish(mail, found, None)

    def _request(self, mail: ParsedMail, found: _Finding, reference: str | None, body: str | None = None) -> bool:
        scores, fired = _score_requests(mail, body=body)
        if not scores:
            return False
        # The kinds with enough evidence compete; a kind that has more words but too little evidence does not
        # hide one that has enough (a housing officer's concerns about a family are a referral).
        enough = Counter({k: n for k, n in scores.items() if _enough(k, n, fired)})
        terse = _terse_request(mail, scores, fired) if not enough else None
        if terse:  # issue 21: a line or two naming a person and asking about them, its few cues agreeing
            enough = Counter({terse: scores[terse]})
            found.reasons.append(f"a short mail that names someone and asks about them: read as {terse}")
        if not enough:
            wire, _ = _leading(scores, fired)
            cues = sorted({name.split(" (")[0] for k, name in fired if k == wire})
            found.reasons.append(f"too little evidence for {wire}: {', '.join(cues)}")
            found.near = Kind(wire)
            return False
        wire, _ = _leading(enough, fired)
        kind = Kind(wire)
        strong = _strong(wire, fired)
        head = f"{mail.subject}\n{mail.fresh_text[:2000]}"
        if _about_no_one(mail, kind, found):
            return False
        if finds(rules.NOT_A_REQUEST, head) or (finds(rules.THANKS, head) and not strong):
            found.reasons.append(f"looks like {kind} in words, but is a notice, not a request")
            return False
        if kind == Kind.REFERRAL and not any(name.startswith("harm to a child") for _, name in fired) \
                and finds(rules.ASKS_HOW_TO_REFER, f"{mail.subject}\n{mail.fresh_text[:4000]}"):
            found.reasons.append("too little evidence for referral: asks how to refer, about no child")
            found.near = kind
            return False
        if self.settings.is_internal(mail.from_address) and not mail.is_forward:
            found.reasons.append(f"looks like {kind}, but internal mail that forwards nothing")
            return False
        found.kind = kind
        found.reasons.extend(name for k, name in fired if k == wire)
        return True

    # -- what applies to every kind --

    def _finish(self, mail: ParsedMail, found: _Finding, reference: str | None) -> Classification:
        urgent = False
        if found.kind not in _NOT_URGENT_KINDS:
            urgent, why = _urgency(mail)
            if not urgent and found.kind == Kind.REFERRAL:
                urgent, why = _referral_urgency(mail)
            if why:
                found.reasons.append(why)
        rao: NameMatch | None = None
        trusted: bool | None = None
        if found.kind == Kind.CHECK_ANSWER and found.team is not None:
            rao = self._rao(mail, found.team, found)
            trusted = self._trusted(mail, found.team, found)
        notice = finds(rules.NOT_A_REQUEST, f"{mail.subject}\n{mail.fresh_text[:2000]}")  # a bulletin's "same day"
        urgent_cues = () if found.kind != Kind.OTHER or notice or self.settings.is_internal(mail.from_address) \
            else tuple(unplaced_urgency(mail))
        if urgent_cues:
            found.reasons.append(f"{URGENT_UNPLACED}: {', '.join(urgent_cues)}")
        return Classification(
            kind=found.kind,
            urgent=urgent,
            reasons=tuple(found.reasons),
            team=found.team,
            rao=(rao.member.name if rao.member else rao.written) if rao else None,
            rao_member=rao.member if rao else None,
            sender_trusted=trusted,
            reference=reference,
            needs_person=tuple(found.needs_person),
            near=found.near if found.kind == Kind.OTHER else None,
            unsure=found.kind == Kind.OTHER and (bool(urgent_cues) or not _plainly_a_notice(
                f"{mail.subject}\n{mail.fresh_text}")),
            urgent_cues=urgent_cues,
        )

    def _rao(self, mail: ParsedMail, team: CheckTeam, found: _Finding) -> NameMatch | None:
        candidates = _name_candidates(team.convention, mail.subject)
        first_written: NameMatch | None = None
        for written in candidates:
            match = self.staff.match(written)
            if match.member or match.ambiguous:
                return self._record_rao(match, found)
            first_written = first_written or match
        greeting = _greeting_name(mail.fresh_text)
        if greeting and (match := self.staff.match(greeting)).member:
            found.reasons.append(f"RAO from the greeting: {match.reason}")
            return match
        return self._record_rao(first_written, found) if first_written else self._no_rao(found)

    @staticmethod
    def _record_rao(match: NameMatch, found: _Finding) -> NameMatch:
        found.reasons.append(f"RAO named: {match.reason}")
        if not match.member:
            found.needs_person.append(f"RAO not matched to one person: {match.reason}")
        return match

    @staticmethod
    def _no_rao(found: _Finding) -> None:
        found.needs_person.append("check answer names no RAO")
        return None

    def _trusted(self, mail: ParsedMail, team: CheckTeam, found: _Finding) -> bool:
        problem = _trust_problem(mail, self._address[team.role], self._answerers[team.role])
        verdict = vouched_for(mail, self.settings.trust) if not problem else None
        if verdict is not None and not verdict.trusted:
            problem = verdict.why
        if problem or verdict is None:
            found.reasons.append(f"sender not trusted: {problem}")
            found.needs_person.append(f"claims to be a check answer but {problem}")
            return False
        found.reasons.append(f"sender is the configured {team.name} address"
                             if mail.from_address == self._address[team.role]
                             else f"sender {mail.from_address} answers for {team.name} (configured)")
        found.reasons.append(verdict.why)
        return True


def _reference(mail: ParsedMail) -> str | None:
    for text in (mail.subject, mail.reference_header):
        match = REFERENCE.search(text)
        if match:
            return f"CASS-{match.group(1)}-{match.group(2)}"
    return None


def _request_like(subject: str) -> bool:
    if finds(rules.REQUEST_LIKE_SUBJECT, subject):
        return True
    place = rules.cue_text(subject)
    return any("subject" in cue.where and cue.fires(place) for cue in rules.REQUEST_CUES)


def _body_alone_is_a_request(mail: ParsedMail) -> bool:
    """A reply whose own words, without its subject or sender, make a request ("RE: ..." resubmissions)."""
    scores, fired = _score_requests(mail, subject="", sender="")
    if not scores:
        return False
    wire, score = scores.most_common(1)[0]
    cues = {name.split(" (")[0] for k, name in fired if k == wire}
    strong = [cue for cue in rules.REQUEST_CUES if cue.kind == wire and cue.strong and cue.name in cues]
    if wire == Kind.REFERRAL and strong:  # harm to a child told in a reply ("Re: call earlier") is a referral
        return True
    return score >= rules.REQUEST_THRESHOLD + 1 and len(cues) >= 3 and (bool(strong) or len(cues) >= 4)


def _about_no_one(mail: ParsedMail, kind: Kind, found: _Finding) -> bool:
    """Issue 21: a Freedom of Information request is about no one, and an OLA request that names no one being
    assessed (nor attaches a form that would) is no OLA request; the first goes to a person as itself, the
    second as close to an OLA request."""
    if finds(rules.FOI, without_disclaimers(f"{mail.subject}\n{mail.fresh_text[:2000]}")):
        found.reasons.append(rules.FOI_REASON)
        return True
    if kind == Kind.OLA_REQUEST and not mail.attachments and not finds(rules.NAMES_SOMEONE,
            f"{mail.subject}\n{mail.body_text[:FRESH_LIMIT]}"):
        found.reasons.append("too little evidence for ola_request: it names no one being assessed")
        found.near = kind
        return True
    return False


def _terse_request(mail: ParsedMail, scores: Counter[str], fired: list[tuple[str, str]]) -> str | None:
    """The kind of a terse request (a line or two, abbreviations, half in another language): it names a person
    and asks about them, every cue it has is of one kind, and nothing speaks against it (an OLA request still
    needs someone being assessed to care for a child)."""
    text = f"{mail.subject}\n{mail.fresh_text}"
    if len(mail.fresh_text.split()) > rules.TERSE_WORDS or not finds(rules.NAMES_SOMEONE, text) \
            or not finds(rules.ASKS_ABOUT_SOMEONE, text) or mail.is_reply:
        return None
    said = {k for k, name in fired if name.endswith(("(subject)", "(body)"))}  # the mail's words, not its sender
    if not said and Kind.PARTNER_REQUEST in scores:  # a partner asking what is known of someone
        said = {Kind.PARTNER_REQUEST.value}
    if len(said) != 1:
        return None
    (wire,) = said
    cues = {name.split(" (")[0] for k, name in fired if k == wire}
    return None if wire == Kind.OLA_REQUEST and not cues & rules.OLA_CARER_CUES else wire


def _strong(wire: str, fired: list[tuple[str, str]]) -> bool:
    cues = {name.split(" (")[0] for k, name in fired if k == wire}
    return any(cue.strong and cue.name in cues for cue in rules.REQUEST_CUES if cue.kind == wire)


def _enough(wire: str, score: int, fired: list[tuple[str, str]]) -> bool:
    """Enough evidence for a kind: the threshold from enough different cues, or a strong cue, which stands alone
    ("copies of all case notes", "applied to foster", a child left alone)."""
    cues = {name.split(" (")[0] for k, name in fired if k == wire}
    if wire == Kind.OLA_REQUEST and not cues & rules.OLA_CARER_CUES:
        return False
    return _strong(wire, fired) or (score >= rules.REQUEST_THRESHOLD and len(cues) >= rules.REQUEST_MIN_CUES)


def _leading(scores: Counter[str], fired: list[tuple[str, str]]) -> tuple[str, int]:
    """The kind the evidence favours; Level 3 wording in its own words wins over a partner request's (seed 001:
    whole case assessments and case notes go to the Disclosure Team, whatever the process behind them)."""
    level3 = {name.split(" (")[0] for kind, name in fired if kind == "disclosure_request"}
    if any(cue.strong and cue.kind == "disclosure_request" and cue.name in level3 for cue in rules.REQUEST_CUES) \
            and scores.get("partner_request", 0) >= scores.most_common(1)[0][1] - 6:
        return "disclosure_request", scores["disclosure_request"]
    return scores.most_common(1)[0]


def _score_requests(mail: ParsedMail, subject: str | None = None, sender: str | None = None,
                    body: str | None = None) -> tuple[Counter[str], list[tuple[str, str]]]:
    places: dict[rules.Where, str] = {
        "subject": mail.subject if subject is None else subject,
        "body": request_text(mail) if body is None else body,
        "sender": mail.from_address.rpartition("@")[2] if sender is None else sender,
        "attachment": " ".join(a.name for a in mail.attachments),
    }
    read = {where: rules.cue_text(text) for where, text in places.items() if text}
    scores: Counter[str] = Counter()
    fired: list[tuple[str, str]] = []
    for cue in rules.REQUEST_CUES:
        for where in cue.where:
            if where in read and cue.fires(read[where]):
                scores[cue.kind] += rules.WEIGHTS[where] + (2 if cue.strong and where in ("body", "subject") else 0)
                fired.append((cue.kind, f"{cue.name} ({where})"))
    return scores, fired


def request_text(mail: ParsedMail) -> str:
    """The words a request is read from: the mail's own, and for a forward the mail it forwards too; for a
    mail whose words are few ("Please see attached"), its PDF or Word attachments' words as well."""
    if not mail.is_forward and not _FORWARD_BLOCK.search(mail.body_text[:FRESH_LIMIT]):
        text = mail.fresh_text
    else:
        text = mail.body_text[:FRESH_LIMIT]
    if not says_little(text) or not mail.attachments:
        return text
    return "\n\n".join([text, *filter(None, map(_attached_words, mail.attachments))])[:FRESH_LIMIT]


def _attached_words(attachment: Attachment) -> str:
    return form_text(attachment)  # without OCR: a scan is read with the request's facts, not to classify it


FRESH_LIMIT = 12_000
_FORWARD_BLOCK = re.compile(r"^\s*-{2,}\s*(?:Forwarded message|Original Message)|^\s*Begin forwarded message:",
                            re.IGNORECASE | re.MULTILINE)


def _urgency(mail: ParsedMail) -> tuple[bool, str]:
    if finds(rules.NOT_URGENT, mail.subject):
        return False, "subject says NOT URGENT"
    if finds(rules.URGENT_WORD, mail.subject) or finds(rules.URGENT_PLACEMENT, mail.subject):
        return True, "urgent: subject"
    body = _urgent_words(mail.fresh_text)
    if finds(rules.URGENT_PLACEMENT, body):
        return True, "urgent: placement needed today"
    if finds(rules.URGENT_WORD, body):
        return True, "urgent: body says urgent"
    return False, ""


def unplaced_urgency(mail: ParsedMail) -> list[str]:
    """The urgency cues, by name, of a mail the bot could not place (issue 21): a child to be placed today,
    the emergency duty team, same day, a child at risk now. "NOT URGENT" and a signature's "if your
    enquiry is urgent..." say none."""
    if finds(rules.NOT_URGENT, mail.subject):
        return []
    text = _urgent_words(f"{mail.subject}\n{mail.fresh_text}")
    return [name for name, pattern in rules.UNPLACED_URGENT_CUES if rules.said(pattern, text)]


def _urgent_words(text: str) -> str:
    """The text less "NOT URGENT" and a signature's "if your enquiry is urgent, ring...", which say no urgency."""
    return replaced(rules.CONDITIONAL_URGENT, " ", replaced(rules.NOT_URGENT, " ", text))


def _referral_urgency(mail: ParsedMail) -> tuple[bool, str]:
    """A referral is urgent on what it describes: an injury, a disclosure, an adult who hurt a child, a child not
    safe to go home or left alone, police protection (seed 003, issue 15). "NOT URGENT" still wins."""
    if finds(rules.NOT_URGENT, mail.subject):
        return False, ""
    text = f"{mail.subject}\n{without_disclaimers(request_text(mail))}"
    cues = [name for name, pattern in rules.REFERRAL_URGENT_CUES if rules.said(pattern, text)]
    return (True, f"urgent referral: {', '.join(cues)}") if cues else (False, "")


def _plainly_a_notice(text: str) -> bool:
    return bool(finds(rules.NOT_A_REQUEST, text) or finds(rules.THANKS, text))


def _after_last(pattern: re.Pattern[str], text: str) -> str:
    matches = list(pattern.finditer(text))
    return text[matches[-1].end():] if matches else ""


_SEPARATORS = re.compile(r"\s*(?:[-–—:|/,;()\[\]]|\s-\s|\bre\b:?)\s*", re.IGNORECASE)
_NOT_A_NAME = re.compile(
    r"^(?:applicant|household|urgent|not urgent|required|request|cass|charms|lado)\b", re.IGNORECASE
)
_FILLER = re.compile(r"^(?:for|from|by|to|request(?:ed)?(?: by)?|response|reply|answer|re|the|rao)\b\s*", re.IGNORECASE)


def _name_candidates(pattern: re.Pattern[str], subject: str) -> list[str]:
    """Pieces of the subject that may be the RAO's name: after the convention, then before it.

    What follows "CHARMS check required by CASS" (or "LADO check request") names
    the applicant, never the RAO, so those matches offer no candidates.
    """
    subject = REFERENCE.sub(" ", subject)
    answers = [m for m in pattern.finditer(subject) if not _asks(subject[m.end():])]
    if not answers:
        return []
    after = subject[answers[-1].end():]
    before = subject[: answers[0].start()]
    pieces = _SEPARATORS.split(after) + _SEPARATORS.split(before)[::-1]
    cleaned = (_strip_filler(p) for p in pieces)
    return [p for p in cleaned if p and any(ch.isalpha() for ch in p) and not _NOT_A_NAME.match(p)]


def _asks(after: str) -> bool:
    """The words after a check convention ask for one ("required by CASS", "request")."""
    return rules.CHECK_REQUEST_WORDING.match(after) is not None


def _strip_filler(piece: str) -> str:
    previous = None
    while previous != piece:
        previous, piece = piece, _FILLER.sub("", piece.strip()).strip()
    return piece


_GREETING = re.compile(
    r"^\s*(?:hi|hello|dear|morning|afternoon|good (?:morning|afternoon))\s+([A-Z][\w'’.-]+(?:\s+[A-Z][\w'’-]+)?)",
    re.MULTILINE,
)


def _greeting_name(text: str) -> str | None:
    match = _GREETING.search(text[:500])
    return match.group(1).rstrip(",.") if match else None


def _trust_problem(mail: ParsedMail, team: str, answerers: set[str]) -> str | None:
    if mail.from_problem:
        return mail.from_problem
    if mail.from_address not in answerers:
        return f"it comes from {mail.from_address or 'no address'}, not {team}"
    return None
