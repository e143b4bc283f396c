"""RAO names as busy people write them, matched to the staff list, never guessed."""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.staff import StaffDirectory


@pytest.mark.parametrize(
    ("written", "staff"),
    [
        ("Priya Shah", "Priya Shah"), ("priya shah", "Priya Shah"), ("P Shah", "Priya Shah"),
        ("P. Shah", "Priya Shah"), ("Ms Shah", "Priya Shah"), ("Shah", "Priya Shah"), ("Priya", "Priya Shah"),
        ("PS", "Priya Shah"), ("M Obi", "Marcus Obi"), ("Marc", "Marcus Obi"), ("Beth", "Bethany Clarke"),
        ("Bethany Clark", "Bethany Clarke"), ("Siobhan O’Neill", "Siobhan O'Neill"), ("S O Neill", "Siobhan O'Neill"),
        ("O'NEILL", "Siobhan O'Neill"), ("Dan H", "Daniel Hughes"), ("Mr D Wright", "Daniel Wright"),
    ],
)
def test_written_names_match_one_member(settings: Settings, written: str, staff: str) -> None:
    match = StaffDirectory(settings.staff).match(written)
    assert match.member is not None and match.member.name == staff, match.reason


def test_a_name_two_staff_share_is_ambiguous_not_guessed(settings: Settings) -> None:
    match = StaffDirectory(settings.staff).match("Daniel")
    assert match.member is None and match.ambiguous
    assert {m.name for m in match.candidates} == {"Daniel Wright", "Daniel Hughes"}
    assert "could be" in match.reason


@pytest.mark.parametrize("written", ["Kelly Dunn", "Mark Obi", "Smith", ""])
def test_unknown_names_match_no_one(settings: Settings, written: str) -> None:
    match = StaffDirectory(settings.staff).match(written)
    assert match.member is None and not match.ambiguous
