"""What a new request says, read once from the mail: one typed value, each fact with its words.

`read_facts` reads the mail as laid out (`document`), then the people (`people`), their
consent (`consent`), the applicants' history (`history`) and the requester's address
(`addresses`). Everything is judged at the mail's own date. `RequestFacts.as_json` is
what `cassbot classify --facts` prints and what the request keeps for its chronology.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.config import Settings
from bot.extract.addresses import AddressKind, address_kind, is_safe_reply
from bot.extract.consent import ConsentFacts, Signed, Status, read_consent
from bot.extract.document import Document, read_document
from bot.extract.forms import read_attached, says_little
from bot.extract.history import History, read_history
from bot.extract.partner import PartnerFacts, read_partner
from bot.extract.people import People, Person, read_people
from bot.extract.signatures import merge_form_people
from bot.mail import ParsedMail


@dataclass(frozen=True)
class PersonFacts:
    """One person the request names, as read, at the mail's date."""

    name: str
    relation: str
    born: date | None
    age: int | None
    over_16: bool | None  # None: the mail does not settle it
    consent: Signed
    signed_on: date | None
    evidence: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "relation": self.relation, "born": _iso(self.born), "age": self.age,
                "over_16": self.over_16, "consent": str(self.consent), "signed_on": _iso(self.signed_on),
                "evidence": list(self.evidence)}


@dataclass(frozen=True)
class Requester:
    address: str
    name: str
    kind: AddressKind
    forwarded_by: str  # the colleague who passed it on, when the requester is a forward's original sender

    @property
    def secure(self) -> bool:
        """A person's own address, or an LA's secure generic one (seed 000)."""
        return is_safe_reply(self.kind)

    @property
    def greeting(self) -> str:
        """"Dear Hannah": the requester's first name; a team's mailbox is "colleague"."""
        if not self.secure or not self.name or not any(c.isalpha() for c in self.name):
            return "colleague"
        first = self.name.replace(",", " ").split()[0]
        if self.kind == "secure" and not _name_in_address(self.name, self.address):
            return "colleague"  # an LA's generic box: its display name is a team's
        return first if first.isalpha() and first[0].isupper() else "colleague"


@dataclass(frozen=True)
class RequestFacts:
    """What a new request says, read once from the mail."""

    on: date  # the mail's date: ages and consent are judged at it
    applicants: tuple[PersonFacts, ...]
    household: tuple[PersonFacts, ...]
    consent: ConsentFacts
    requester: Requester
    history: History
    partner: PartnerFacts  # what a partner's request says and lacks (seed 001); read for every request
    notes: tuple[str, ...]  # what the bot could not tell: in the drafts and in "needs a person"
    reminders: tuple[str, ...] = ()  # what the RAO checks anyway: in the check drafts only

    @property
    def applicant(self) -> str:
        """The applicants' names, as one line for subjects and tables."""
        return " and ".join(p.name for p in self.applicants)

    @property
    def fostered_before(self) -> bool:
        """A CHARMS check is needed (seed 000): the mail says so, or does not say it was elsewhere."""
        return self.history.charms_check

    @property
    def gaps(self) -> tuple[str, ...]:
        """What a Level 2 request lacks, one sentence each, for the more-information draft."""
        return self.partner.gaps

    @property
    def address_kind(self) -> AddressKind:
        return self.requester.kind

    def over_16s(self) -> tuple[PersonFacts, ...]:
        return tuple(p for p in self.household if p.over_16)

    def age_not_given(self) -> tuple[PersonFacts, ...]:
        return tuple(p for p in self.household if p.over_16 is None)

    def as_json(self) -> dict[str, Any]:
        return {
            "on": self.on.isoformat(),
            "applicants": [p.as_json() for p in self.applicants],
            "household": [p.as_json() for p in self.household],
            "consent": {"status": str(self.consent.status), "signed_on": _iso(self.consent.signed_on),
                        "earliest": _iso(self.consent.earliest), "evidence": list(self.consent.evidence)},
            "requester": {"address": self.requester.address, "name": self.requester.name,
                          "kind": self.requester.kind, "secure": self.requester.secure,
                          "greeting": self.requester.greeting, "forwarded_by": self.requester.forwarded_by},
            "previously_fostered_or_adopted": {"with_this_trust": self.history.with_this_trust,
                                               "elsewhere": self.history.elsewhere,
                                               "no_place_given": bool(self.history.words_no_place),
                                               "charms_check": self.history.charms_check,
                                               "charms_words": self.history.charms_words,
                                               "evidence": [w for w in (self.history.words_this_trust,
                                                                        self.history.words_elsewhere,
                                                                        self.history.words_no_place) if w]},
            "partner": self.partner.as_json(),
            "notes": list(self.notes),
            "reminders": list(self.reminders),
        }


def read_facts(mail: ParsedMail, settings: Settings, now: datetime) -> RequestFacts:
    on = min(mail.date or now, now).date() if mail.date else now.date()
    document = read_document(mail.body_text, mail.html, mail.from_address, on)
    requester = _requester(mail, document, settings)
    own_segments = [s for s in document.segments if not settings.is_internal(s.sender) or s.depth == 0]
    document = Document(tuple(own_segments), document.tables)
    people = read_people(document, mail.subject, on, requester.name)
    attached = read_attached(mail.attachments, on)
    forms, form_notes = merge_form_people(people, attached.forms, on)
    consent = read_consent(document, people, on, attached, forms, settings.timescales.consent_max_age_months)
    history = read_history(document.text, settings.organisation.also_known_as)
    applicants = tuple(_person(p, consent, on) for p in people.applicants)
    household = tuple(_person(p, consent, on) for p in people.household)
    unreadable = [f"{why}: check it by hand." for why in attached.unreadable
                  if consent.status != Status.UNCONFIRMED]  # else the consent's notes say so already
    notes = [*form_notes, *consent.notes, *unreadable, *attached.notes, *_people_notes(applicants, history),
             *_requester_notes(requester)]
    reminders = () if household else (
        "The request names nobody else in the household: check CareFirst/Eclipse for over-16s at the address.",)
    # A partner's request sent as a form with hardly a word of its own ("Please see attached"): the form's words
    # are the request's (a mail that says its piece keeps to it, its forms read for consent alone).
    short = says_little(document.text)
    partner_words = "\n\n".join([document.text, *(text for _, text in attached.texts if text and short)])
    return RequestFacts(on, applicants, household, consent, requester, history, read_partner(mail, partner_words),
                        tuple(dict.fromkeys(notes)), reminders)


def _requester(mail: ParsedMail, document: Document, settings: Settings) -> Requester:
    """Who asked: the sender, or for a colleague's forward the original request's sender."""
    address, name, forwarded_by = mail.from_address, mail.from_name, ""
    if settings.is_internal(address):
        outside = next((s for s in document.segments if s.sender and not settings.is_internal(s.sender)), None)
        if outside is not None:
            address, name, forwarded_by = outside.sender, outside.sender_name, mail.from_address
    if mail.from_problem and not forwarded_by:
        return Requester(address, name, "unverified", forwarded_by)
    return Requester(address, name, address_kind(address, settings, name), forwarded_by)


def _person(person: Person, consent: ConsentFacts, on: date) -> PersonFacts:
    said = {name: (kind, day) for name, kind, day in consent.per_person}
    kind, day = said.get(person.name.written, (Signed.UNKNOWN, None))
    age = _age(person, on)
    return PersonFacts(person.name.written, person.relation, person.born, age, person.over_16(on), kind, day,
                       tuple(person.evidence[:3]))


def _age(person: Person, on: date) -> int | None:
    if person.born is not None:
        return on.year - person.born.year - ((on.month, on.day) < (person.born.month, person.born.day))
    return person.age


def _requester_notes(requester: Requester) -> list[str]:
    if requester.kind == "lookalike":
        return [f"The request comes from {requester.address}, whose domain looks like a council's, the NHS's or "
                "the trust's but is not one: check who sent it before anything goes to them."]
    if requester.kind == "unverified":
        return ["Who sent the request cannot be told from its From header: confirm who asked before anything is "
                "sent; no secure-address question was drafted."]
    return []


def _people_notes(applicants: tuple[PersonFacts, ...], history: History) -> list[str]:
    notes = []
    if not applicants:
        notes.append("cassbot could not make out the applicant's name from the request: add it before sending.")
    if history.charms_check and not history.with_this_trust:
        notes.append(f"The request says: \"{history.words_no_place}\" but not where: the CHARMS check is drafted "
                     "in case it was with the trust; delete it if CareFirst shows otherwise.")
    if history.elsewhere:
        notes.append(f"The request says: \"{history.words_elsewhere}\" Check CareFirst for that fostering or "
                     "adoption history.")
    return notes


def _name_in_address(name: str, address: str) -> bool:
    local = address.split("@")[0].lower()
    return any(len(w) > 1 and w.lower() in local for w in name.replace(",", " ").split())


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def facts_summary(facts: RequestFacts) -> str:
    """One line for the audit trail and the chronology: who, how old, consent, history, the address."""
    def who(p: PersonFacts) -> str:
        age = "over 16" if p.over_16 else "under 16" if p.over_16 is False else "age not given"
        return f"{p.name} ({', '.join(filter(None, (p.relation, age)))})"
    parts = [f"applicants: {', '.join(p.name for p in facts.applicants) or 'not made out'}",
             f"household: {', '.join(who(p) for p in facts.household) or 'none named'}",
             f"consent {facts.consent.status}" + (f", signed {facts.consent.signed_on:%d %b %Y}"
                                                  if facts.consent.signed_on else ""),
             f"reply to {facts.requester.address} ({facts.requester.kind})"]
    if facts.history.with_this_trust:
        parts.append(f"fostered or adopted with the trust: \"{facts.history.words_this_trust}\"")
    elif facts.history.charms_check:
        parts.append(f"fostered or adopted, place not given: \"{facts.history.words_no_place}\"")
    if facts.history.elsewhere:
        parts.append(f"fostered or adopted elsewhere: \"{facts.history.words_elsewhere}\"")
    return "; ".join(parts)


def consent_is_fine(facts: RequestFacts) -> bool:
    """Checks may be drafted: consent is in order, or signed with a date only the form shows."""
    return facts.consent.status in (Status.OK, Status.UNDATED)


__all__ = ["PersonFacts", "RequestFacts", "Requester", "consent_is_fine", "facts_summary", "read_facts", "People"]
