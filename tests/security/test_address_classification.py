"""Whether an address may receive a response: judged on the parsed addr-spec (issue 14)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.config import Settings
from bot.domain import Kind, RequestState, Template
from bot.drafting import DraftPlan, plan_new_request
from bot.errors import DraftRefused
from bot.extract.addresses import address_kind, unsafe_new_address
from bot.extract.facts import read_facts
from bot.guards import check_draft
from bot.mail import parse_mail
from tests.support.forms import signed_consent
from tests.support.mail import build_mail

NOW = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("address", "kind"), [
    # A person's own, or an LA's secure domain.
    ("helen.marsh@northshire.gov.uk", "secure"),
    ("HELEN.MARSH@NORTHSHIRE.GOV.UK", "secure"),
    ("duty.team@northshire.gov.uk", "secure"),
    ("claire.ashworth1@nhs.net", "secure"),
    ("claire.dunn@brightpathfostering.co.uk", "personal"),
    # A team's box at a secure domain will do only when it is a local authority's (seed 000).
    ("fostering.team@westshire.gov.uk", "secure"),
    ("elmburyhospitals.safeguardingchildren@nhs.net", "generic"),
    ("mash.hub@elmshire.police.uk", "generic"),
    # Never anyone's own: quoted local parts, an "@" inside, lookalike domains, no domain.
    ('"helen.marsh@northshire.gov.uk"@gmail.com', "generic"),
    ('"helen marsh"@northshire.gov.uk', "generic"),
    ("helen.marsh@northshire.gov.uk@gmail.com", "generic"),
    ("helen.marsh@gov.uk.example.com", "lookalike"),  # made to pass for gov.uk: never secure
    ("helen.marsh@northshire-gov.uk", "lookalike"),
    ("helen.marsh@northshiregovuk.com", "lookalike"),
    ("helen.marsh@northshire.g\u043ev.uk", "lookalike"),  # a Cyrillic o
    ("helen.marsh@northshire.xn--gv-fmc.uk", "lookalike"),
    ("jo.smith@childrenstrust.example.co", "lookalike"),  # the trust's own domain inside another
    ("Helen Marsh <helen.marsh@northshire.gov.uk>", "generic"),
    ("helen.marsh", "generic"),
    ("", "generic"),
    # Role and team boxes, whatever their wording.
    ("info@brightpathfostering.co.uk", "generic"),
    ("fosteringteam@harbourfamilies.org.uk", "generic"),
    ("recruitment@kinshipbridges.org.uk", "generic"),
    ("referrals.north@agency.co.uk", "generic"),
    ("noreply@agency.co.uk", "generic"),
    # Free mail from the large providers of the UK and Europe, and the long tail the package lists.
    ("helen.marsh@gmail.com", "webmail"),
    ("helen.marsh@proton.me", "webmail"),
    ("helen.marsh@btinternet.com", "webmail"),
    ("helen.marsh@sky.com", "webmail"),
    ("helen.marsh@gmx.de", "webmail"),
    ("helen.marsh@libero.it", "webmail"),
    ("helen.marsh@seznam.cz", "webmail"),
    ("helen.marsh@yandex.ru", "webmail"),
    ("helen.marsh@posteo.de", "webmail"),
    ("helen.marsh@tutanota.com", "webmail"),
    ("helen.marsh@laposte.net", "webmail"),
    ("helen.marsh@eircom.net", "webmail"),
])
def test_address_kind(address: str, kind: str, settings: Settings) -> None:
    assert address_kind(address, settings) == kind


def test_the_configuration_extends_and_excepts_the_free_mail_list(settings: Settings) -> None:
    addresses = settings.addresses.model_copy(update={"webmail_domains": ("partner-isp.example",),
                                                      "webmail_exceptions": ("plus.com",)})
    local = settings.model_copy(update={"addresses": addresses})
    assert address_kind("jo.smith@partner-isp.example", local) == "webmail"
    assert address_kind("jo.smith@plus.com", settings) == "webmail"
    assert address_kind("jo.smith@plus.com", local) == "personal"


# One address of each kind a sender's address can be, and whether seed 000 lets a response go to it.
_ONE_OF_EACH_KIND = [
    ("helen.marsh@northshire.gov.uk", "secure", True),
    ("claire.dunn@brightpathfostering.co.uk", "personal", True),
    ("info@brightpathfostering.co.uk", "generic", False),
    ("helen.marsh@gmail.com", "webmail", False),
    ("helen.marsh@northshire-gov.uk", "lookalike", False),
]


@pytest.mark.parametrize(("address", "kind", "safe"), _ONE_OF_EACH_KIND)
def test_one_rule_says_where_a_response_may_go(address: str, kind: str, safe: bool, settings: Settings) -> None:
    """The planner, the guard and the reader of a new address agree: an address that may not take the response
    gets the secure-address question, and no response, Level 1 reply or change of address goes to it."""
    assert address_kind(address, settings) == kind
    mail = parse_mail(build_mail("Information request - Form F - Mr Sam Cole",
                                 "Form F assessment of Mr Sam Cole. Signed consent attached, signed 2 November 2026.",
                                 sender=address,
                                 attachment=signed_consent("Mr Sam Cole")))
    facts = read_facts(mail, settings, NOW)
    ola = plan_new_request(Kind.OLA_REQUEST, mail, facts, settings)
    asked = [d.to for d in ola.drafts if d.template == Template.SECURE_ADDRESS_CHALLENGE]
    assert (asked, ola.state) == (([], RequestState.CHECKS_PENDING) if safe
                                  else ([address], RequestState.AWAITING_SECURE_ADDRESS))
    level1 = plan_new_request(Kind.LEVEL1_VERIFICATION, mail, facts, settings)
    assert [d.to for d in level1.drafts] == ([address] if safe else [])
    assert (unsafe_new_address(address, address, settings) == "") is safe
    refused = False
    try:
        check_draft(DraftPlan(Template.RESPONSE, address, {}), settings)
    except DraftRefused:
        refused = True
    assert refused is not safe
