"""A month of a front door's mail for the pilot: requests, staff's check requests and replies, the teams' answers,
with staff decisions that differ from the seeds' rules in known places (the planted disagreements).

Each `Case` says what the request is and what staff did; `expected` gives, for each request, every decision the
pilot should compare and the two values, worked out here from the case, not by the bot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from bot.mailbox.base import Folder
from tests.support.forms import signed_consent
from tests.support.mail import EXCHANGE_STAMP, build_mail

CASS = "cass@childrenstrust.example"
LADO = "lado@childrenstrust.example"
AF = "fostering.recruitment@childrenstrust.example"
PRIYA = "priya.shah@childrenstrust.example"
MONTH = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday


@dataclass(frozen=True)
class Case:
    applicant: str  # "Ms Iris Shaw"
    requester: str
    fostered_here: bool = False  # the mail says so: the seeds ask A&F for CHARMS
    consent: bool = True  # signed consent given
    lado_knows: bool = False
    level3: bool = False
    # What staff did differently from the seeds (the planted disagreements):
    skip_charms: bool = False
    checks_without_consent: bool = False
    no_secure_challenge: bool = False
    response_without_ofsted: bool = False
    answered_level3_themselves: bool = False

    @property
    def generic(self) -> bool:
        return self.requester.startswith("info@")


CASES = (
    Case("Ms Iris Shaw", "ruth.okafor@northbridge.gov.uk"),
    Case("Ms Jade Wells", "peter.lund@westshire.gov.uk", fostered_here=True),
    Case("Ms Kara Doyle", "sam.ince@eastvale.gov.uk", fostered_here=True, skip_charms=True),  # planted
    Case("Ms Lena Fox", "amy.hollis@northbridge.gov.uk", lado_knows=True),
    Case("Ms Mia Hart", "tom.reeve@westshire.gov.uk", consent=False, checks_without_consent=True),  # planted
    Case("Ms Nora Vale", "info@brightpathfostering.co.uk"),
    Case("Ms Olive Dean", "info@harbourlightfostering.co.uk", no_secure_challenge=True),  # planted
    Case("Ms Paula Grey", "joan.pike@eastvale.gov.uk", consent=False),
    Case("Ms Rosa King", "dan.fenn@northbridge.gov.uk", lado_knows=True, response_without_ofsted=True),  # planted
    Case("Ms Sara Lowe", "records@crownlaw.example.co.uk", level3=True),
    Case("Ms Tess Moon", "records@ridleythorne.example.co.uk", level3=True, answered_level3_themselves=True),
)


def reference(n: int) -> str:
    return f"CASS-2026-{n:06d}"


def _request(case: Case, n: int, at: datetime) -> bytes:
    first, last = case.applicant.split()[1:]
    if case.level3:
        return build_mail(f"Request for full case file - {case.applicant}",
                          f"We act for {case.applicant} in care proceedings and ask for copies of the full case file "
                          "for inclusion in the court bundle.\n\nKind regards\nRecords Team",
                          sender=case.requester, message_id=f"<request-{n}@pilot.example>", date=format_datetime(at))
    body = (f"Dear CASS team,\n\nWe are completing a Form F fostering assessment of {case.applicant} (DOB 12/06/1985). "
            "She lives alone.")
    if case.fostered_here:
        body += f" {case.applicant} tells us she was approved as a foster carer with your trust in 2017."
    if case.consent:
        body += " Her signed consent, signed 26 October 2026, is attached."
    body += "\n\nKind regards\nSupervising Social Worker\n"
    form = signed_consent(case.applicant, on="26/10/2026", born="12/06/1985") if case.consent else None
    return build_mail(f"Information request - Form F fostering assessment - {case.applicant}", body,
                      sender=case.requester, message_id=f"<request-{n}@pilot.example>", date=format_datetime(at),
                      attachment=form)


def _sent(subject: str, to: str, body: str, at: datetime, n: int, tag: str) -> bytes:
    """A mail staff sent from the CASS mailbox, as Sent Items holds it."""
    return build_mail(subject, body, sender=CASS, to=to, Sender=PRIYA, message_id=f"<{tag}-{n}@childrenstrust.example>",
                      In_Reply_To=f"<request-{n}@pilot.example>", References=f"<request-{n}@pilot.example>",
                      date=format_datetime(at))


def _answer(subject: str, sender: str, body: str, at: datetime, n: int, tag: str) -> bytes:
    return build_mail(subject, body, sender=sender, to=CASS, message_id=f"<{tag}-{n}@childrenstrust.example>",
                      date=format_datetime(at), **EXCHANGE_STAMP)


def month(cases: tuple[Case, ...] = CASES, start: datetime = MONTH,
          spacing: timedelta = timedelta(days=2)) -> list[tuple[str, Folder, bytes]]:
    """Every mail of the month (or of as many cases as given, `spacing` apart): (mailbox role, folder, bytes)."""
    mail: list[tuple[str, Folder, bytes]] = []
    for n, case in enumerate(cases, 1):
        day = start + spacing * (n - 1)
        ref, subject = reference(n), f"Information request - Form F fostering assessment - {case.applicant}"
        mail.append(("cass", Folder.INBOX, _request(case, n, day)))
        if case.level3:
            text = ("Please contact our Disclosure Team, who deal with requests for whole files."
                    if not case.answered_level3_themselves else "Please find attached a summary of our involvement.")
            mail.append(("cass", Folder.SENT, _sent(f"RE: Request for full case file [{ref}]", case.requester, text,
                                                    day + timedelta(hours=3), n, "reply")))
            continue
        if case.generic and not case.no_secure_challenge:
            mail.append(("cass", Folder.SENT, _sent(f"RE: {subject} [{ref}]", case.requester,
                                                    "Before we can reply, please give us your own secure email "
                                                    "address.", day + timedelta(hours=2), n, "secure")))
        if not case.consent and not case.checks_without_consent:
            mail.append(("cass", Folder.SENT, _sent(f"RE: {subject} [{ref}]", case.requester,
                                                    "We cannot process this request: signed consent is missing. "
                                                    "Please resubmit it with consent signed by everyone over 16.",
                                                    day + timedelta(hours=2), n, "resubmit")))
            continue
        checks_at = day + timedelta(days=1)
        mail.append(("cass", Folder.SENT, _sent(f"LADO check request - {case.applicant} and household [{ref}]", LADO,
                                                f"Is {case.applicant} known to LADO?", checks_at, n, "lado")))
        charms = case.fostered_here and not case.skip_charms
        if charms:
            mail.append(("cass", Folder.SENT, _sent(f"CHARMS check required by CASS - {case.applicant} [{ref}]", AF,
                                                    f"Please check CHARMS for {case.applicant}.", checks_at, n,
                                                    "charms")))
        answered = checks_at + timedelta(hours=2)
        known = (f"{case.applicant} is known to LADO (2021). Please advise the agency to contact OFSTED."
                 if case.lado_knows else f"{case.applicant} is not known to LADO.")
        mail.append(("cass", Folder.INBOX, _answer("LADO CHECK Priya Shah", LADO, f"Hi Priya,\n\n{known}\n\nLADO",
                                                   answered, n, "lado-answer")))
        if charms:
            mail.append(("cass", Folder.INBOX, _answer(
                "CHARMs Check - Priya Shah", AF, f"Hi Priya,\n\n{case.applicant}: no record on CHARMS.\n\nA&F Team",
                answered, n, "af-answer")))
        ofsted = case.lado_knows and not case.response_without_ofsted
        response = (f"Thank you for your request. {case.applicant} is not known to Children's Social Care."
                    + (" Please contact OFSTED about the LADO check." if ofsted else ""))
        mail.append(("cass", Folder.SENT, _sent(f"RE: {subject} [{ref}]", case.requester, response,
                                                answered + timedelta(hours=20), n, "response")))
    return mail


def expected() -> dict[str, dict[str, tuple[str, str]]]:
    """For each request: decision -> (the bot, staff), from the cases alone (the seeds' rules for the bot)."""
    table: dict[str, dict[str, tuple[str, str]]] = {}
    for n, case in enumerate(CASES, 1):
        yes = {True: "yes", False: "no"}
        if case.level3:
            staff_redirect = not case.answered_level3_themselves
            row = {"resubmission requested": ("no", "no"), "LADO check asked": ("no", "no"),
                   "CHARMS check asked": ("no", "no"), "secure address asked": ("no", "no"),
                   "Level 3 redirect": ("yes", yes[staff_redirect])}
            if staff_redirect:
                row["kind"] = ("disclosure_request", "disclosure_request")
                row["addressee"] = (case.requester, case.requester)
            table[reference(n)] = row
            continue
        bot_checks = case.consent
        staff_checks = case.consent or case.checks_without_consent
        staff_resubmits = not case.consent and not case.checks_without_consent
        row = {"resubmission requested": (yes[not case.consent], yes[staff_resubmits]),
               "LADO check asked": (yes[bot_checks], yes[staff_checks]),
               "CHARMS check asked": (yes[bot_checks and case.fostered_here],
                                      yes[staff_checks and case.fostered_here and not case.skip_charms]),
               "secure address asked": (yes[case.generic and bot_checks],
                                        yes[case.generic and not case.no_secure_challenge]),
               "Level 3 redirect": ("no", "no")}
        if staff_checks:
            row["kind"] = ("ola_request", "ola_request")
        if staff_resubmits or (case.generic and not case.no_secure_challenge and bot_checks):
            row["addressee"] = (case.requester, case.requester)
        # The bot drafts the response once every check it asked is answered, to a requester's own address.
        if bot_checks and not case.generic and not case.skip_charms:
            row["response: OFSTED paragraph"] = (yes[case.lado_knows],
                                                 yes[case.lado_knows and not case.response_without_ofsted])
            row["addressee"] = (case.requester, case.requester)
        table[reference(n)] = row
    return table
