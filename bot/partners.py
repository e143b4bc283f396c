"""The partner agencies and the formal processes that make consent unnecessary (seed 001), written once.

Two readers are built from these rows: the classifier's cues (`bot.rules`), for which an agency's address,
its work named in a mail or a formal process cited is evidence of a partner's request; and the partner
reader (`bot.extract.partner`), which says which agency asks and which process applies. An agency or a
process is added or changed here alone.

Patterns are written as `bot.patterns.any_of` takes them (case-insensitive) and matched between word
boundaries; a domain fragment is a plain lower-case substring of the sender's domain.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Agency:
    """One kind of agency that asks CASS for information.

    `domains`: what its addresses' domains hold ("police", "nhs.net"); one in a sender's domain is evidence
    of a partner's request, and says which agency asks. `more_domains` say which agency asks too, but the
    classifier does not count them as evidence (a "homes", "medical" or ".ac.uk" domain may be anyone's;
    ".gov.uk" is every council's, and councils send OLA requests too). `words`: how a signature or a
    request names it, to say which agency asks. `work`: words narrow enough that, in any mail, they are
    evidence of a partner's request ("school nurse", where "school" is in many an OLA request), each by
    the lower-case word every match of it contains (the classifier's cheap test before the pattern).
    `refers`: its staff send safeguarding referrals too (seed 003), so its address is evidence of one.
    """

    name: str  # as `PartnerFacts.agency` says it
    domains: tuple[str, ...]
    words: str
    work: Mapping[str, str] = field(default_factory=dict)
    more_domains: tuple[str, ...] = ()
    refers: bool = False


AGENCIES: tuple[Agency, ...] = (
    Agency("probation", ("justice.gov.uk", "probation"), r"probation|HMPPS",
           {"probation": r"probation", "sentence report": r"pre-?sentence report", "parole": r"parole board"}),
    Agency("police", ("police",), r"police|constabulary|detective|DC\s|PC\s|DS\s|PPU|MASH\s+police",
           {"police": r"police", "oic": r"OIC"}, refers=True),
    Agency("cafcass", ("cafcass",), r"cafcass|family\s+court\s+adviser", {"cafcass": r"cafcass"}),
    Agency("health", ("nhs.net", "nhs.uk", "hospital", "health", "surgery"),
           r"health\s+visitor|midwi\w+|GP|school\s+nurse|hospital|NHS|paediatric\w*|CAMHS",
           {"health visit": r"health visit(?:or|ing)", "midwi": r"midwi(?:fe|fery)", "school nurse": r"school nurse",
            "gp surgery": r"gp surgery"}, more_domains=("medical",), refers=True),
    Agency("education", (".sch.", "school", "academy", "college"),
           r"school|academy|DSL|designated\s+safeguarding\s+lead|head\s*teacher|nursery|college",
           {"safeguarding lead": r"designated safeguarding lead", "dsl": r"DSL"},
           more_domains=("nursery", ".ac.uk"), refers=True),
    Agency("housing", ("housing",), r"housing",
           {"housing": r"housing officer", "homeless": r"homeless(?:ness)?\s+(?:application|assessment)"},
           more_domains=("homes",)),
    Agency("solicitor", (), r"solicitors?|(?:we\s+act|acting)\s+for|law\s+firm",
           more_domains=("solicitor", "law", "legal", "llp")),
    Agency("local_authority", (), r"council|local\s+authority|children['’]?s\s+services",
           more_domains=(".gov.uk", "council")),
)

# Work several agencies do together, named in a mail: evidence of a partner's request, of no one agency.
JOINT_WORK: Mapping[str, str] = {"marac": r"MARAC", "youth ": r"youth (?:offending|justice)"}


@dataclass(frozen=True)
class Exemption:
    """A formal process that makes consent unnecessary (seed 001).

    `cited`: how a mail cites it by its number or title ("s47", "section 47"), which is evidence of a
    partner's request; `keywords` the lower-case words every citation contains (the classifier's cheap
    test). `described`: the process in other words ("a strategy meeting"), which says it applies once the
    mail is a partner's request.
    """

    code: str  # as `PartnerFacts.exemption` says it
    name: str  # as a more-information draft names it
    cited: tuple[str, ...]
    keywords: tuple[str, ...]
    described: tuple[str, ...] = ()

    @property
    def citation(self) -> str:
        """Its citations as one alternation, for a pattern that names the process in a longer phrase."""
        return "|".join(self.cited)


EXEMPTIONS: tuple[Exemption, ...] = (
    Exemption("s47", "a section 47 enquiry", (r"s\.?\s?47", r"section\s+47"), ("47",),
              (r"child\s+protection\s+(?:enquir(?:y|ies)|investigation)", r"strategy\s+(?:discussion|meeting)")),
    Exemption("care_proceedings", "care proceedings", (r"care\s+proceedings",), ("proceedings",),
              (r"public\s+law\s+proceedings", r"(?:interim\s+)?care\s+order\s+(?:application|proceedings)")),
    # "s7" alone, "S.7 direction": the reader takes them; the classifier counts "s7" only as "s7 report" (alone,
    # "S7" may be a Sheffield postcode).
    Exemption("s7", "a section 7 report", (r"s\.?\s?7 report", r"section\s+7"), ("7",),
              (r"(?:s\.?\s?7|section\s+7)\s*(?:welfare\s+)?(?:reports?|direction|enquiry)?\b(?!\s*\d)",)),
    Exemption("s37", "a section 37 report", (r"s\.?\s?37", r"section\s+37"), ("37",)),
    Exemption("plo", "the Public Law Outline (PLO)", (r"PLO", r"public\s+law\s+outline"), ("plo", "outline"),
              (r"pre[\s-]proceedings",)),
)


def exemption(code: str) -> Exemption:
    return next(e for e in EXEMPTIONS if e.code == code)


def whole_words(patterns: Iterable[str]) -> tuple[str, ...]:
    """Each pattern between word boundaries, as one alternative of an `any_of`."""
    return tuple(rf"\b(?:{p})\b" for p in patterns)
