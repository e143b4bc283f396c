"""The teams' conventions, as named rules: the one place to read or change them.

Each `Cue` is a named pattern that counts as evidence for one kind of mail when it
fires in a given place (subject, body, sender's address, attachment names). The
classifier adds up the weights; the names of the cues that fired become the
reasons a person sees. Taken from DESIGN.md "The mail it must understand" and
the seeds (000 OLA process, 001 partner information request levels).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Literal, NamedTuple

from bot.literals import Vocabulary, narrowed, words_of
from bot.partners import AGENCIES, EXEMPTIONS, JOINT_WORK, exemption, whole_words
from bot.patterns import OFSTED as OFSTED  # the classifier reads it here, beside SUITABILITY
from bot.patterns import any_of

Where = Literal["subject", "body", "sender", "attachment"]

# The weight of one cue, by where it fired: a subject is written to be read.
WEIGHTS: dict[Where, int] = {"subject": 3, "body": 1, "sender": 2, "attachment": 1}
# A request kind needs at least this much evidence: one subject cue and one more.
REQUEST_THRESHOLD = 4
# ... from at least this many different cues, so one word twice ("fostering" in
# the subject and the body of a member of the public's question) is not a request.
REQUEST_MIN_CUES = 2


@dataclass(frozen=True)
class Cue:
    """A named piece of evidence for one kind of mail.

    `keywords` are lower-case fragments of which every match contains at least
    one: a cheap substring test that spares running the pattern over mail that
    cannot match (a test checks the promise over the whole fixture corpus).
    A `strong` cue is enough on its own ("copies of all social care records",
    "a Request for Support", "verification email as requested"); others need company.
    """

    name: str
    kind: str
    where: tuple[Where, ...]
    keywords: tuple[str, ...]
    pattern: re.Pattern[str]
    strong: bool = False
    deniable: bool = True  # False: a mention counts even denied ("I haven't got the RFI form" is a partner's mail)

    def fires(self, place: CueText) -> bool:
        """Somewhere the words say it, not denied ("We are not asking for copies of any records", "no bruises")."""
        if self._keywords.isdisjoint(place.words):
            return False
        pattern = narrowed(self.pattern, place.text, place.words)
        if pattern is None:
            return False
        return _said(pattern, place.text) if self.deniable else pattern.search(place.text) is not None

    @cached_property
    def _keywords(self) -> frozenset[str]:
        return frozenset(self.keywords)


class CueText(NamedTuple):
    """A text as the cues read it: which of the words they look for it holds (`cue_text`), found once for all."""

    text: str
    words: frozenset[str]


def cue_text(text: str) -> CueText:
    return CueText(text, _CUE_WORDS.present(text.lower()))


# A denial just before the words ("no bruises", "not asking for", "never left alone"); "I don't think she is safe"
# doubts and so still says it.
_DENIED_BEFORE = re.compile(
    r"\b(?:not|no|nor|never|without|nobody|den(?:y|ies|ied)|\w+n['’]t)\b(?!\s+(?:think|believe|feel)\b)"
    r"[^.;:\n]{0,30}$", re.IGNORECASE)


def said(pattern: re.Pattern[str], text: str) -> bool:
    """Whether the text says what the pattern matches somewhere without denying it in the 40 characters before."""
    found = narrowed(pattern, text)
    return found is not None and _said(found, text)


def _said(pattern: re.Pattern[str], text: str) -> bool:
    return any(not _DENIED_BEFORE.search(text[max(0, m.start() - 40):m.start()]) for m in pattern.finditer(text))


SUBJECT_AND_BODY: tuple[Where, ...] = ("subject", "body")
# From `bot.partners`: the partner agencies' domains (those whose staff also refer, apart), their work and the
# formal processes, as the cues below look for them.
_PARTNER_DOMAINS = tuple(part for agency in AGENCIES for part in agency.domains)
_REFERRER_DOMAINS = tuple(part for agency in AGENCIES if agency.refers for part in agency.domains)
_PARTNER_WORK = (*(work for agency in AGENCIES for work in agency.work.items()), *JOINT_WORK.items())
_S47 = exemption("s47").citation


def _in_domain(parts: tuple[str, ...]) -> re.Pattern[str]:
    return any_of(*map(re.escape, parts))


REQUEST_CUES: tuple[Cue, ...] = (
    # Level 3: whole files, all records and court bundles belong to the Disclosure Team (001).
    Cue("level 3 wording", "disclosure_request", SUBJECT_AND_BODY, ("level",), any_of(r"\blevel\s*(?:3|three)\b"),
        strong=True),
    Cue("full case file", "disclosure_request", SUBJECT_AND_BODY, ("file", "record", "case notes", "assessments"),
        any_of(
            r"\b(?:full|whole|complete|entire|all)\s(?:(?:the|of|case|social|care|child'?s?|children'?s|family|our|"
            r"her|his|their|my|client'?s?)\s)*(?:files?|records?|case\s+notes|case\s+assessments)\b",
            r"\bcase files\b",
            r"\bcop(?:y|ies)\s+of\s+(?:[\w'’]+\s+){0,5}(?:files?|records?|case\s+notes|notes|assessments|reports|"
        r"minutes)\b",
        r"\b(?:full|whole|complete|entire)\s+(?:children['’]?s\s+)?(?:social\s+care\s+)?(?:record|chronology)\b",
            r"\b(?:all|any)\s+(?:the\s+)?(?:social\s+care\s+)?records\s+(?:you|held|your)\b",
            r"\bwhole\s+case\s+assessments?\b",
        ), strong=True),
    Cue("court bundle", "disclosure_request", SUBJECT_AND_BODY, ("bundle",), any_of(r"\bcourt bundles?\b"),
        strong=True),
    Cue("disclosure", "disclosure_request", SUBJECT_AND_BODY, ("disclosure", "subject access", "sar", "authority",
                                                                    "disclose"), any_of(
        r"\bdisclosure (?:request|team|order|of (?:the )?(?:\w+\s+)?(?:file|records?|documents|information))",
        r"\bto\s+disclose\b", r"\bthird[\s\-]party\s+disclosure\b",
        r"\bsubject access(?: request)?\b", r"\bSAR\b",
        r"\brequest for disclosure\b", r"\border\s+for\s+(?:the\s+)?disclosure\b", r"\bform of authority\b",
    ), strong=True),
    Cue("everything held on me", "disclosure_request", SUBJECT_AND_BODY, ("me", "my "), any_of(
        r"\b(?:everything|all(?:\s+the\s+information)?)\s+(?:you\s+)?(?:hold|have|held|kept)\s+(?:on|about)\s+me\b",
        r"\bmy\s+(?:social\s+care\s+|care\s+)?(?:files?|records?)\b",
    ), strong=True),
    # Level 1: a professional on the phone emails to prove who they are (001).
    Cue("verification", "level1_verification", SUBJECT_AND_BODY, ("verif",), any_of(r"\bverif(?:y|ying|ication)\b")),
    Cue("verification email", "level1_verification", SUBJECT_AND_BODY, ("verif",), any_of(
        r"\bverification\s+(?:e-?mail|mail|message)\b", r"\bverif(?:y|ying)\s+(?:my|who\s+I|that\s+I)\b",
        r"\b(?:for|as)\s+(?:level\s*1\s+)?verification\b", r"\bwho\s+I\s+say\s+I\s+am\b",
    ), strong=True),
    Cue("identity", "level1_verification", SUBJECT_AND_BODY, ("identity", "who i am", "my id", " id", "id ",
                                                                "on the phone", "confirm"), any_of(
        r"\b(?:confirm|prove|verify)(?:ing)? (?:who I am|my identity|my ID)\b",
        r"\b(?:identity|ID)\s+(?:confirmation|check)\b", r"\bconfirm\s+(?:my\s+)?ID\b",
        r"\bthis\s+is\s+me\s+on\s+the\s+(?:phone|line)\b",
        r"\bconfirm\s+(?:that\s+)?I['’]?\s?a?m\s+(?:from|with|calling\s+from)\b",
    ), strong=True),
    # What seed 001 says Level 1 answers: is the child known, is there an allocated worker.
    Cue("asks for the allocated worker", "level1_verification", ("body",), ("worker",), any_of(
        r"\b(?:has|have|had)\s+(?:an?\s+)?(?:allocated\s+)?(?:social|family\s+support)\s+worker\b",
        r"\ballocated\s+(?:social|family\s+support)\s+worker\b", r"\bopen\s+to\s+(?:a\s+)?social\s+worker\b",
    )),
    Cue("as discussed on the phone", "level1_verification", SUBJECT_AND_BODY, ("phone", "call", "conversation", "line",
                                                                               "hold"),
        any_of(
            r"\bas (?:just |we )?(?:discussed|agreed|spoke|requested|per our)\b.{0,30}"
            r"\b(?:phone|telephone|call|conversation)\b",
            r"\b(?:call|conversation|phone|telephone)(?: call)? (?:just now|earlier|a moment ago)\b",
            r"\b(?:still\s+)?on\s+the\s+(?:line|phone)\b", r"\bon\s+hold\s+with\b",
            r"\btelephone\s+(?:enquiry|call)\b", r"\bjust\s+(?:made|spoken|called|rung|phoned)\b",
            r"\bre\s+(?:our\s+|the\s+)?(?:phone\s+|telephone\s+)?call\b",
        )),
    Cue("level 1 wording", "level1_verification", SUBJECT_AND_BODY, ("level",), any_of(r"\blevel\s*(?:1|one)\b")),
    # Level 2: partner agencies' Request for Information form (001).
    Cue("request for information form", "partner_request", SUBJECT_AND_BODY, ("request", "rfi", "sharing"), any_of(
        r"\brequest for information\b", r"\brfi\b", r"\binformation sharing request\b", r"\binfo(?:rmation)? sharing\b",
    )),
    Cue("RFI form named", "partner_request", SUBJECT_AND_BODY, ("rfi", "form", "sharing"), any_of(
        r"\bRFI\b", r"\brequest\s+for\s+information\s+form\b", r"\binfo(?:rmation)?\s+sharing\s+(?:request|form)\b",
    ), strong=True, deniable=False),
    Cue("level 2 wording", "partner_request", SUBJECT_AND_BODY, ("level",), any_of(
        r"\blevel\s*(?:2|two)\b(?=[^.\n]{0,30}\b(?:request|information|rfi|check|enquiry|form))",
        r"\b(?:request|information|rfi|enquiry)\b[^.\n]{0,30}\blevel\s*(?:2|two)\b",
    ), strong=True),
    Cue("asks about involvement", "partner_request", ("body",), ("involve", "known", "plan", "closed", "social", "47"),
        any_of(
            r"\b(?:involvement|involved)\b[^.?]{0,60}\b(?:children['’]?s\s+(?:services|social\s+care)|social\s+care|"
            r"social\s+workers?|CSC)\b",
            r"\b(?:children['’]?s\s+(?:services|social\s+care)|social\s+care|CSC)\b[^.?]{0,60}\binvolvement\b",
            r"\b(?:known|know)\s+to\s+(?:\w+\s+)?(?:children['’]?s\s+(?:services|social\s+care)|social\s+care|CSC)\b",
            r"\b(?:on|was\s+on|were\s+on)\s+a\s+(?:CP|CIN|child\s+protection|child\s+in\s+need)\s+plan\b",
            r"\bwhen\s+the\s+case\s+was\s+closed\b", r"\bprevious\s+social\s+care\s+involvement\b",
            r"\bwhat\s+involvement\s+(?:you|your\s+\w+|the\s+\w+)\s+(?:had|have|has)\b",
            r"\b(?:dates?|nature)\s+(?:and\s+(?:nature|dates?)\s+)?of\s+(?:your|the|any)\s+involvement\b",
            r"\bwhether\s+(?:there\s+was\s+a\s+plan|(?:\w+\s+){1,3}(?:was|were)\s+on\s+a\s+plan)\b",
            rf"\bwhether\s+any\s+(?:{_S47})\s+enquir",
        )),
    # What seed 001 says Level 2 shares, asked for in so many words: dates or reasons of involvement and a plan.
    Cue("asks for the Level 2 categories", "partner_request", ("body",), ("involvement",), any_of(
        rf"\b(?:dates?|nature|reasons?)\b[^.]{{0,40}}\binvolvement\b[^?]{{0,200}}\b(?:plan|{_S47})\b",
    ), strong=True),
    Cue("partner agency named", "partner_request", ("body",), tuple(word for word, _ in _PARTNER_WORK),
        any_of(*whole_words(pattern for _, pattern in _PARTNER_WORK))),
    Cue("formal process named", "partner_request", SUBJECT_AND_BODY,
        tuple(word for process in EXEMPTIONS for word in process.keywords),
        any_of(*whole_words(cited for process in EXEMPTIONS for cited in process.cited))),
    Cue("asks what is known", "partner_request", ("body",), ("known", "involvement", "history", "information",
                                                              "anything"), any_of(
        r"\b(?:any|whether\s+there\s+is\s+any)\s+(?:current\s+or\s+(?:past|previous)\s+|previous\s+|past\s+|relevant\s+)?"
        r"(?:social\s+care\s+|CSC\s+)?(?:involvement|history|information)\b",
        r"\b(?:is|are|were)\s+(?:\w+\s+){0,2}(?:currently\s+)?known\s+to\s+(?:you|your|children['’]?s|CSC|social)",
        r"\bwhat\s+(?:is\s+)?(?:known|information\s+you\s+hold)\b", r"\bwhat\s+the\s+involvement\s+was\b",
        r"\b(?:do\s+you\s+have|have\s+you\s+got)\s+anything\s+on\b",
    )),
    Cue("MARAC research", "partner_request", SUBJECT_AND_BODY, ("marac", "research"), any_of(
        r"\bMARAC\b[^.\n]{0,40}\bresearch\b", r"\bresearch\s+request\b"), strong=True),
    Cue("partner agency address", "partner_request", ("sender",), _PARTNER_DOMAINS, _in_domain(_PARTNER_DOMAINS)),
    Cue("form attached", "partner_request", ("attachment",), ("rfi", "information", "form"), any_of(
        r"\brfi\b", r"request.?for.?information", r"\bform\b",
    )),
    # A safeguarding referral or Request for Support about a child (003: CASS is the front door for concerns).
    Cue("request for support", "referral", SUBJECT_AND_BODY + ("attachment",), ("support", "rfs", "referral", "mash"),
        any_of(r"\brequest\s+for\s+support\b", r"\bRFS\b", r"\b(?:MASH|safeguarding|CASS)\s+referral\b",
               r"\breferral\s+(?:form|to\s+(?:CASS|MASH|children['’]?s\s+services))\b",
               r"\b(?:make|making|submit|submitting|send|sending)\s+(?:a|an|this)\s+(?:[\w\-]+\s+){0,2}referral\b"),
        strong=True),
    Cue("safeguarding concern", "referral", SUBJECT_AND_BODY,
        ("safeguarding", "concern", "worried", "aware", "needs to", "need to", "has to"), any_of(
        r"\bsafeguarding\s+(?:concern|information|issue|alert|notification)s?\b",
        r"\b(?:concern(?:ed|s)?|worried|worries)\s+(?:about|for|regarding|that)\b",
        r"\b(?:make|making)\s+you\s+aware\b", r"\bwanted\s+to\s+(?:let\s+you\s+know|make\s+you\s+aware)\b",
        r"\b(?:somebody|someone)\s+(?:needs?|has)\s+to\s+(?:check|look|go\s+round)\b",
        r"^(?:(?:re|fw|fwd)\s*:\s*)*(?:urgent\s*[-:–]?\s*)?(?:safeguarding\s+)?concerns?\s*(?:[-:–]|re\b|about\b)",
    )),
    Cue("harm to a child", "referral", SUBJECT_AND_BODY, (
        "injur", "bruis", "burn", "mark", "disclos", "hit", "slapp", "punch", "alone", "neglect", "not safe", "lice",
        "hygiene", "attendance", "missing", "exploit", "cse", "smack", "belt", "swelling", "fracture", "assault",
        "on their own", "on there own", "themselves", "gone out", "touch", "sexual", "threw", "thrown", "home",
        "safe", "graze", "cut", "welt", "push", "grab", "breath", "strangl", "chok", "looked after", "cared for",
        "hungry", "food", "clothes", "older", "boyfriend", "gave", "buys", "bought", "been home", "missing",
        "giving", "own", "adult", "come back", "yr old", "year old",
    ), any_of(
        r"\b(?:injur(?:y|ies|ed)|bruis(?:e|es|ed|ing)|burns?|swelling|fracture[ds]?|marks?\s+on)\b",
        r"\b(?:disclosed|made\s+a\s+disclosure)\b",
        r"\b(?:hit|slapped|punched|smacked|kicked|hurt|pushed|shoved)\s+(?:her|him|them)\b",
        r"\b(?:left|home|at\s+home)\s+alone\b", r"\balone\s+(?:at\s+home|in\s+the\s+(?:house|flat))\b",
        r"\bnot\s+safe\s+to\s+(?:go\s+)?home\b", r"\bneglect\b",
        r"\bhead\s+lice\b", r"\bhygiene\b", r"\b(?:poor|low)\s+attendance\b", r"\bmissing\s+from\s+(?:home|care)\b",
        r"\b(?:exploitation|CSE|CCE)\b", r"\bwith\s+a\s+belt\b", r"\bassault(?:ed)?\b",
        r"\b(?:kids|children|baby|babies)\b[^.]{0,60}\b(?:on\s+(?:their|there|its|his|her)\s+own|by\s+themselves)\b",
        r"\b(?:has|have)\s+gone\s+out\b[^.]{0,80}\b(?:kids|children|baby)\b",
        r"\bleft\s+(?:her|his|their|the)\s+(?:baby|child|children|kids|son|daughter)\b",
        r"\btouch(?:es|ed|ing)\s+(?:her|him|them)\b", r"\bsexual(?:ly)?\s+(?:abuse\w*|assault\w*|touch\w*)\b",
        r"\b(?:threw|thrown?)\s+(?:her|him|them)\s+out\b|\bthrown\s+out\s+of\s+(?:the\s+)?(?:house|home)\b",
        r"\b(?:can['’]t|cannot|won['’]t)\s+go\s+(?:back\s+)?home\b",
        r"\b(?:is|isn['’]t|not)\s+safe\s+(?:there|at\s+home)\b",
        r"\b(?:grazes?|cuts?|welts?)\s+(?:on|to)\s+(?:her|his|their|both)\b",
        r"\bgrabbed\s+(?:my|her|his|their|him|them)\s+(?:by\s+the\s+)?(?:neck|throat|arm|hair|wrist)\b",
        r"\bcouldn['’]t\s+breathe\b", r"\b(?:strangled|choked|choking)\b",
        r"\bnot\s+(?:being\s+)?(?:looked\s+after|cared\s+for|fed)\b", r"\b(?:always|often|constantly)\s+hungry\b",
        r"\b(?:asked|asking|begging|begged)\s+(?:\w+\s+){0,3}for\s+(?:money\s+for\s+)?food\b",
        r"\b(?:always|often)\s+in\s+the\s+same\s+clothes\b",
        r"\b(?:older|adult)\s+(?:boyfriend|man|male|men)\b",
        r"\b(?:giv(?:e|es|ing)|gave|buy(?:s|ing)?|bought)\s+(?:her|him|them)\s+(?:[\w,]+\s+){0,4}(?:i?phones?|vapes?|"
        r"gifts?|cash|alcohol|drugs|cigarettes)\b",
        r"\b\d{2}\s*(?:yrs?|years?)[\s-]*old\s+(?:male|man|boyfriend)\b",
        r"\b(?:hasn['’]t|has\s+not|have\s+not|haven['’]t)\s+(?:been|come)\s+(?:home|back)\b",
        r"\breported\s+(?:\w+\s+){0,2}missing\b", r"\bmissing\s+overnight\b",
        r"\b(?:found|left|home|been)\s+on\s+(?:his|her|their)\s+own\b", r"\bno\s+adults?\b",
    ), strong=True),
    Cue("a child's words", "referral", ("body",), ("told", "said"), any_of(
        r"\b(?:she|he|they)\s+(?:told|said\s+to)\s+(?:me|us|staff|her\s+teacher|his\s+teacher)\b",
        r"\bsaid\s+that\s+(?:her|his|their)\s+(?:mum|dad|mother|father|step\w*|nan|uncle|brother)\b",
    )),
    Cue("risk at home", "referral", ("body",), ("drink", "drunk", "alcohol", "drug", "violen", "shout", "scream",
                                                "fight", "row", "cannabis", "weed"), any_of(
        r"\b(?:drinking|drunk|alcohol|drugs?|violen\w*|shouting|screaming|fighting|rows?|cannabis|weed)\b",
    )),
    Cue("police notification", "referral", SUBJECT_AND_BODY, ("domestic", "din", "ppn", "police protection", "dash"),
        any_of(r"\bdomestic\s+(?:abuse\s+|violence\s+)?(?:incident\s+)?notification\b", r"\bDIN\b", r"\bPPN\b",
               r"\bpolice\s+protection\b"), strong=True),
    Cue("early help", "referral", SUBJECT_AND_BODY, ("early help",), any_of(r"\bearly\s+help\b")),
    Cue("referrer address", "referral", ("sender",), _REFERRER_DOMAINS, _in_domain(_REFERRER_DOMAINS)),
    # OLA: another local authority or an agency assessing an applicant (000).
    Cue("OLA wording", "ola_request", SUBJECT_AND_BODY, ("ola", "other local authority"), any_of(
        r"\bOLA\b", r"\bother local authority\b",
    ), strong=True),
    Cue("information request wording", "ola_request", ("subject",), ("request", "enquiry", "check"), any_of(
        r"\binformation request\b", r"\binfo request\b", r"\benquiry\b", r"\b(?:LA|local\s+authority)\s+checks?\b",
        r"\bchecks?\b",
    )),
    Cue("fostering or adoption", "ola_request", SUBJECT_AND_BODY, ("foster", "adopt", "form"), any_of(
        r"\bfoster(?:ing|er|ers)?\b", r"\badopt(?:ion|er|ers|ive)?\b", r"\bform\s?f\b",
    )),
    Cue("carer assessment named", "ola_request", SUBJECT_AND_BODY, (
        "connected", "kinship", "friends", "guardian", "sgo", "24", "viability", "prospective", "stage",
    ), any_of(
        r"\b(?:connected|kinship|family (?:and|&) friends) (?:carers?|persons?|care|assessment|placement)\b",
        # A special guardian who already is one ("his grandmother, who is his special guardian", "since the
        # SGO was made") is a family's history, not an assessment of a carer.
        r"(?<!is his )(?<!is her )(?<!s their )\bspecial guardian(?:ship)?\b(?!\s+order\s+was\s+made)",
        r"\bSGO\b(?!\s+was\s+(?:made|granted))", r"\breg(?:ulation)?\.?\s*24\b", r"\bviability assessment\b",
        r"\bprospective (?:foster |adoptive )?(?:carers?|adopters?|parents?)\b", r"\bkinship\b",
        r"\bstage\s*(?:1|2|one|two)\b", r"\bviability\b",
        r"\bproposed\s+(?:kinship\s+|foster\s+|connected\s+|family\s+)?(?:carers?|adopters?|special\s+guardians?)\b",
    )),
    Cue("applied to foster or adopt", "ola_request", ("body",), ("applied", "assessing", "assessment", "approved",
                                                                "carer", "form"), any_of(
        r"\b(?:has|have)\s+applied\s+to\s+(?:foster|adopt|become)\b", r"\bapplied\s+to\s+(?:foster|adopt)\b",
        r"\bapplied\s+to\s+(?:[\w'’]+\s+){1,5}?(?:to\s+)?(?:foster|adopt|become\s+(?:a\s+)?(?:foster|carer|adopter))",
        r"\b(?:assessing|assessment\s+of)\b[^.]{0,140}\bas\s+(?:a\s+|an\s+)?(?:prospective\s+|potential\s+)?"
        r"(?:foster\s+carers?|adopters?|carers?|connected\s+persons?|special\s+guardians?)\b",
        r"\b(?:fostering|adoption|form\s+f)\s+assessment\b", r"\bapproved\s+(?:foster\s+)?carers?\b", r"\bform\s+f\b",
        r"\bassess(?:ing|ment\s+of)\b[^.]{0,150}\b(?:fostering|adoption|foster|adopt)\w*",
        r"\bcurrent\s+carers?\b",
    ), strong=True),
    Cue("applicant named", "ola_request", SUBJECT_AND_BODY, ("applicant",), any_of(r"\bapplicants?\b")),
    # "LA checks" is the trade's word for an OLA request; a panel is where carers are approved.
    Cue("LA checks or a panel", "ola_request", SUBJECT_AND_BODY, ("checks", "panel"), any_of(
        r"\b(?:LA|local\s+authority)\s+checks?\b", r"\b(?:fostering|adoption|approval|matching)\s+panel\b",
        r"\bpanel\s+(?:on\s+|is\s+|next\s+|date\b|in\s+)?(?:mon|tue|wed|thu|fri|next|this|[0-3]?\d)\w*",
        r"\b(?:to|at|before|for)\s+panel\b",
    )),
    Cue("a placement with carers", "ola_request", ("body",), ("carer", "place", "match"), any_of(
        r"\b(?:approved|foster|kinship|connected|potential|prospective|proposed|only)\s+(?:[\w'’]+\s+){0,2}carers?\b",
        r"\bplace(?:ment|d)?\b[^.]{0,50}\bwith\s+(?:her|his|their|the|Mr|Mrs|Ms|Miss|an?)\s",
        r"\bmatch(?:ing)?\s+(?:them|him|her|the\s+\w+)\s+with\b",
    )),
    Cue("household members", "ola_request", ("body",), ("household", "16", "adult", "partner", "lives with"), any_of(
        r"\bhousehold\b", r"\bover 16s?\b", r"\badult (?:son|daughter|children)\b", r"\bpartner\b", r"\blives with\b",
    )),
    Cue("consent to share", "ola_request", ("body",), ("consent",), any_of(
        r"\bconsent\s+(?:forms?|to\s+share|attached|signed|is\s+attached)\b", r"\bsigned\s+(?:the\s+|our\s+)?consent\b",
        r"\battached\s+(?:signed\s+)?consent\b",
        r"\b(?:verbal|written)\s+consent\b",
    )),
    Cue("asks what is known of them", "ola_request", ("body",), ("known", "hold", "held", "checks"), any_of(
        r"\b(?:is|are)\s+known\s+to\s+(?:you|your)\b", r"\bwhat\s+you\s+hold\s+on\b",
        r"\b(?:any\s+)?information\s+(?:you\s+hold|held)\s+(?:on|about)\b",
        r"\b(?:LA|local\s+authority|your)\s+checks?\b",
        r"\bchecks?\s+on\b", r"\bwhat\b[^.?]{0,30}\byou\s+(?:hold|have)\s+(?:on|about)\b",
    )),
    Cue("fostering or adoption agency address", "ola_request", ("sender",), ("foster", "adopt", "kinship"), any_of(
        r"foster|adopt|kinship",
    )),
    Cue("consent attached", "ola_request", ("attachment",), ("consent",), any_of(r"consent")),
)

# Every word a cue's keywords or its narrowing look for: `cue_text` finds which a text holds in one pass.
_CUE_WORDS = Vocabulary(word for cue in REQUEST_CUES for word in (*cue.keywords, *words_of(cue.pattern)))

# An OLA request is about someone being assessed to care for a child (seed 000): without one of these it is not
# one, however much it asks what is known (another council asking about a family is a partner request).
OLA_CARER_CUES = frozenset({"OLA wording", "fostering or adoption", "carer assessment named",
                            "applied to foster or adopt", "fostering or adoption agency address", "applicant named",
                            "a placement with carers", "LA checks or a panel"})

# A Freedom of Information request (issue 21) asks about the trust's own figures and processes, never about a
# person: however many of the requests' words it uses (consent, LADO, CHARMS), it is no request; a person passes
# it to the trust's FOI team.
FOI = any_of(r"(?-i:\bFOIA?\b)\s*(?:request|enquiry|ref|[-:/\d])",
             r"\bfreedom\s+of\s+information\s+(?:request|enquiry)",
             r"\b(?:request|requesting|ask|asking)\b[^.]{0,60}\bunder\s+the\s+(?:freedom\s+of\s+information|FOI)",
             r"\benvironmental\s+information\s+regulations\s+request")
FOI_REASON = "a Freedom of Information request: for the trust's FOI team, not a request about a person"
# An OLA request names the person being assessed (issue 21): a title and a name, or a date of birth; or it
# attaches the form that does.
NAMES_SOMEONE = any_of(r"(?-i:\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+[A-Z][\w'’-]+)",
                       r"\b(?:DOB|D\.O\.B\.?|date\s+of\s+birth)\b",
                       r"\b(?:born\s+(?:on\s+)?\d|aged\s+\d|\d{1,2}[/.]\d{1,2}[/.]\d{2,4})",
                       r"(?-i:\b(?:applicants?|carers?|assessing|assess|of|for|re|about|on)[:\s]+[A-Z][a-z'’-]+"
                       r"(?:\s+(?:and|&)\s+[A-Z][a-z'’-]+)?\s+(?:[a-z]{1,3}\s+)?[A-Z][\w'’-]+)")

# A terse request (issue 21): at most this many words of its own, naming someone and asking about them.
TERSE_WORDS = 60
ASKS_ABOUT_SOMEONE = any_of(r"\bknown\s+to\s+(?:you|CSC|social\s+care|LADO)\b",
                            r"\bknown\s+to\s+children['’]?s\s+(?:services|social\s+care)\b",
                            r"\bany\s+(?:involvement|history|info(?:rmation)?|CP|CIN|concerns)\b",
                            r"\b(?:check|chk|cheque)s?\s+(?:on|for)\b", r"\bwhat\s+(?:you\s+)?(?:know|hold)\b")

# Mail that is plainly none of the requests however many of their words it uses.
NOT_A_REQUEST = any_of(
    r"\bupdate\s+your\s+(?:contact|distribution|mailing)", r"\bnewsletter\b", r"\binvoice\b", r"\bunsubscribe\b",
    r"\b(?:training|conference|webinar|workshop)\s+(?:invitation|session|event|places)\b",
    r"\bbook\s+(?:your|a)\s+place\b",
    r"\bjob\s+application\b", r"\bbook\s+now\b", r"\b(?:bulletin|briefing|toolkit)\b",
    r"\b(?:complete|take|fill\s+in)\s+(?:our|the|a|this)\s+(?:short\s+)?(?:survey|questionnaire)\b",
    r"\bhow\s+(?:do\s+I|can\s+I|to)\s+become\s+a\s+foster",
    r"\bmake\s+a\s+complaint\b|\bcomplaint\s+about\b", r"\bmeeting\s+invitation\b|\bTeams\s+meeting\b",
    r"\b(?:move|rearrange|reschedule|postpone)\s+(?:the\s+)?(?:\w+\s+){0,4}meeting\b", r"\bagenda\b",
    r"\b(?:speak|talk|present)\b[^.]{0,60}\b(?:at\s+)?(?:our|the|a)\s+(?:[\w'’]+\s+){0,3}(?:conference|seminar|event)\b",
    r"\bwe\s+are\s+(?:holding|hosting|running|organising)\s+(?:our|a|the)\s+(?:[\w'’]+\s+){0,4}"
    r"(?:conference|seminar|event|workshop)\b",
)
# Words of a thank-you, which a request can use too ("Thank you for your help just now. As you asked, I am
# emailing to confirm who I am"): a notice only when no strong cue says otherwise.
THANKS = any_of(r"\bthank\s+you\s+(?:so\s+much\s+|very\s+much\s+)?for\s+(?:all\s+)?your\s+help\b")

# A question about how to refer, about no child in particular: for a person to answer, not a referral to decide.
ASKS_HOW_TO_REFER = any_of(
    r"\bhow\s+(?:do|can|should|would)\s+(?:we|I|staff|schools?)\s+(?:make|submit|send|do|complete)\s+"
    r"(?:a\s+)?(?:referral|request\s+for\s+support)",
    r"\b(?:correct|right|best)\s+way\s+(?:for\s+(?:us|me|staff)\s+)?to\s+(?:make|submit|send)\s+a\s+referral",
    r"\b(?:don['’]t|do\s+not)\s+have\s+(?:any\s+)?concerns?\s+about\s+(?:any|a)\s+(?:particular|specific\s+)?child",
    r"\b(?:haven['’]t|have\s+not|don['’]t\s+have)\s+(?:got\s+)?a\s+(?:case|child|referral)\s+(?:at\s+the\s+moment|"
    r"right\s+now|currently)\b",
    r"\bjust\s+for\s+(?:the|our)\s+(?:\w+\s+)?(?:policy|training|flowchart)\b",
)

# What makes a subject look like the start of a request, for replies from outside.
REQUEST_LIKE_SUBJECT = any_of(
    r"\brequest", r"\benquiry", r"\bconsent", r"\bcheck\b", r"\binformation\b", r"\bOLA\b",
    r"\bfoster", r"\badopt", r"\bapplicant", r"\bRFI\b", r"\blevel\s*[123]\b",
)

# After a team's convention (`bot.teams`), words that ask for a check rather than answer one.
CHECK_REQUEST_WORDING = any_of(r"^\s*(?:[-:–—]\s*)?(?:request(?:ed)?|required|needed)\b")
SUITABILITY = any_of(r"\bsuitability (?:check|request|enquiry)\b")


# Urgency (000): a child must be placed urgently. "NOT URGENT" is a decision
# that it is not, and a signature's "if your enquiry is urgent, ring..." is no request.
NOT_URGENT = any_of(
    r"\b(?:not|non|no longer|isn'?t|is not|less)[\s\-]*(?:an?\s+|very\s+)?"
    r"(?:urgent(?:ly)?|emergency)(?:\s+placement)?\b",
)
CONDITIONAL_URGENT = any_of(
    r"\b(?:if|where|when|should)\b[^.\n]{0,60}\burgent\b[^.\n]*",
    r"\burgent (?:matters|enquiries|queries|concerns)\b[^.\n]*",
)
URGENT_WORD = any_of(r"\burgent(?:ly)?\b", r"\basap\b", r"\bemergency placement\b", r"\bimmediate placement\b")
URGENT_PLACEMENT = any_of(
    r"\b(?:plac(?:e|ed|ing|ement)|move|moving|stay|staying)\b[^.\n]{0,80}"
    r"\b(?:today|tonight|this (?:afternoon|evening)|same[\s\-]day|immediately|within the hour)\b",
    r"\b(?:same[\s\-]day|emergency|urgent) placement\b",
    r"\bplacement (?:needed|required) (?:today|tonight|now)\b",
)

# Urgency in mail the bot could not place (issue 21): each cue by name, for the alert and the reasons.
UNPLACED_URGENT_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a child to be placed today", URGENT_PLACEMENT),
    ("emergency duty team", any_of(r"\bemergency\s+duty\s+(?:team|service)\b", r"(?-i:\bEDT\b)",
                                   r"\bout\s+of\s+hours\s+(?:team|service|social\s+work)\b")),
    ("same day", any_of(r"\bsame[\s\-]day\b", r"\bby\s+(?:the\s+)?end\s+of\s+(?:the\s+)?(?:day|today)\b",
                        r"\b(?:today|tonight)\s+please\b")),
    ("a child at risk now", any_of(r"\b(?:at|in)\s+(?:immediate|imminent|significant)\s+(?:risk|danger)\b",
                                   r"\bat\s+risk\s+(?:right\s+)?now\b", r"\bin\s+danger\b",
                                   r"\bnot\s+safe\s+(?:tonight|now|at\s+home)\b")),
    ("urgent", URGENT_WORD),
)

# Authentication-Results (RFC 8601) verdicts that mean the sender is not who it says.


# What makes a safeguarding referral urgent (seed 003; issue 15): each cue by name, for the reasons.
REFERRAL_URGENT_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("injury", any_of(r"\b(?:bruis\w*|burn(?:s|ed|t)?|injur\w*|graze[sd]?|fractur\w*|bleeding|black\s+eye|"
                      r"broken\s+(?:arm|leg|bone|wrist)|bite\s+marks?|"
                      r"(?:marks?|welts?|scratch\w*)\s+(?:on|to)\s+(?:his|her|their)|"
                      r"strangulation|non[\s-]?accidental)\b")),
    ("disclosure", any_of(r"\bdisclos(?:ed|ure|ing)\b", r"\b(?:told|telling)\s+(?:me|us|staff|her\s+teacher|"
                          r"his\s+teacher|the\s+teacher)\s+(?:that|about)\b")),
    ("named adult", any_of(r"\b(?:hit|hits|slapp?(?:ed|s)?|punch(?:ed|es)?|kick(?:ed|s)?|beat(?:s|en)?|"
                           r"strangl\w*|chok(?:ed|es|ing)|shook|shaken|threw|throws|push(?:ed|es)|shoved|"
                           r"locked\s+(?:him|her|them)|hurt(?:s)?\s+(?:him|her|them))\b")),
    ("not safe to go home", any_of(r"\bnot\s+safe\s+to\s+go\s+home\b",
                                   r"\b(?:scared|afraid|frightened)\s+to\s+go\s+home\b",
                                   r"\b(?:does\s*n[o']?t|won['’]t|refus\w*\s+to)\s+(?:want\s+to\s+)?go\s+home\b",
                                   r"\b(?:can['’]t|cannot|can\s+not|will\s+not|won['’]t)\s+go\s+(?:back\s+)?home\b",
                                   r"\bsort\s+(?:her|him)\s+out\b", r"\bforced\s+marriage\b",
                                   r"\b(?:threw|thrown?)\s+(?:him|her|them)?\s*out\b",
                                   r"\bnowhere\s+to\s+(?:go|stay|sleep)\b")),
    ("left alone", any_of(r"\b(?:left|found|home|alone)\s+(?:\w+\s+){0,2}alone\b",
                          r"\b(?:found|left|home)\s+on\s+(?:his|her|their)\s+own\b",
                          r"\b(?:children|kids|baby|child)\s+(?:\w+\s+)?on\s+"
                          r"(?:their|there|his|her)\s+own\b",
                          r"\bno\s+adults?\s+(?:at\s+home|in\s+the\s+house|present)\b",
                          r"\bbeen\s+(?:left\s+)?on\s+(?:their|there|his|her)\s+own\b",
                          r"\b(?:mum|mother|dad|father|parents?)\b[^.]{0,60}\b(?:has|have)\s*n['’]?t\s+"
                          r"(?:come|been)\s+(?:back|home)\b",
                          r"\bunsupervised\b")),
    ("police protection", any_of(r"\bpolice\s+protection\b", r"\bs\.?\s?46\b")),
    ("missing or exploited", any_of(r"\b(?:hasn['’]t|has\s+not|haven['’]t|have\s+not)\s+been\s+home\b",
                                    r"\bmissing\s+(?:from\s+home|from\s+care|since)\b",
                                    r"\b(?:with|staying\s+(?:at|with))\s+(?:an?\s+)?(?:older|adult)\s+"
                                    r"(?:man|male|boyfriend)\b",
                                    r"\b(?:CSE|CCE|county\s+lines|being\s+groomed|grooming)\b",
                                    r"\bmissing\s+overnight\b", r"\breported\s+(?:\w+\s+){0,2}missing\b",
                                    r"\b\d{2}\s*(?:yrs?|years?)[\s-]*old\s+(?:male|man|boyfriend)\b")),
    ("today", any_of(r"\b(?:call|ring|phone|contact|visit|see)\s+(?:me|us|her|him|them)?\s*(?:back\s+)?"
                     r"(?:today|tonight|this\s+(?:morning|afternoon|evening))\b",
                     r"\b(?:safe|somewhere\s+(?:safe\s+)?to\s+(?:stay|sleep|go))\s+tonight\b",
                     r"\bcollect(?:s|ing|ed)?\s+(?:her|him|them)\s+(?:\w+\s+){0,3}(?:today|tonight|after\s+school)\b",
                     r"\b(?:after\s+school|home\s+time)\s+today\b")),
)
