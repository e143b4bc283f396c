"""70 attacks written by someone who never saw the code (tests/security/attacks/, a .json beside each
mail saying what must not happen), played through whole journeys: none may get through.

Families: spoofed check answers (`sa-`), requests that try to redirect drafts (`rr-`), follow-ups that
try to change where a response goes (`fr-`), template and header injection (`hi-`), and Message-IDs
taken first by junk (`mid-`). On first play, 8 of 67 got through (a group in From, a bare CR hiding an
AuthAs header, lookalike and IDN domains, an ambiguous From taken for a council's); those are fixed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings
from tests.security.attacks_harness import ATTACKS, play

CASES = [p for p in sorted(ATTACKS.glob("*.eml")) if not (p.name.startswith("mid-") and p.stem.endswith("-a"))]


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_the_attack_does_not_get_through(path: Path, settings: Settings) -> None:
    assert play(path, settings) == []


def test_every_family_is_here() -> None:
    assert {p.name[:3] for p in CASES} == {"sa-", "rr-", "fr-", "hi-", "mid"}
    assert len(CASES) >= 60
