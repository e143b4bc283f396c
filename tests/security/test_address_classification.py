"""Whether an address may receive a response: judged on the parsed addr-spec (issue 14)."""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.extract.addresses import address_kind


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
