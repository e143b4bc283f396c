"""Draft acceptance as a team leader reads it: a draft sent as drafted is unchanged, one changed line is a light
edit, a new letter is a rewrite; what the RAO adds, the note for the RAO and the placeholders are not the bot's
text; and what is kept of a draft holds none of its words."""

from __future__ import annotations

import json

from bot.acceptance import SKETCH, fingerprint, measure

DRAFT = """NOTE FOR THE RAO - delete before sending:
  - confirm the signing date on the form before sending
========================================================================

Our reference: CASS-2026-000123

Dear Ruth,

Thank you for your request for information about Ms Iris Shaw. Your request did not include signed
consent to share information, so we are unable to process it.

Please resubmit your request with the appropriate signed consent. Please note that signed consent must
be no more than 3 months old and everyone aged over 16 living in the household must sign the consent.

[RAO: keep if CareFirst shows other over-16s at the address, else delete]

Kind regards

Referral and Advice Officer
Children's Advice and Support Service
"""


def _sent(text: str) -> str:
    return text.split("========================================================================\n", 1)[1]


def test_a_draft_sent_as_drafted_is_unchanged_with_its_note_and_placeholder_gone() -> None:
    kept = fingerprint(DRAFT)
    sent = _sent(DRAFT).replace("[RAO: keep if CareFirst shows other over-16s at the address, else delete]", "")
    found = measure(kept, sent)
    assert found is not None and (found.edit, found.changed) == ("unchanged", 0.0)


def test_one_changed_line_is_a_light_edit_and_a_new_letter_a_rewrite() -> None:
    kept = fingerprint(DRAFT)
    one_line = _sent(DRAFT).replace("Thank you for your request for information about Ms Iris Shaw.", "Thanks.")
    light = measure(kept, one_line)
    assert light is not None and light.edit == "lightly edited" and 0 < light.changed <= 0.3
    rewritten = measure(kept, "Hello Ruth, we will come back to you next week with what we hold. Priya")
    assert rewritten is not None and rewritten.edit == "rewritten" and rewritten.changed > 0.9


def test_what_the_rao_adds_and_the_quoted_history_below_are_not_changes_to_the_bots_text() -> None:
    kept = fingerprint(DRAFT)
    added = _sent(DRAFT) + "\nPriya Shah\nRAO, direct line 01234 567890\n\n-----Original Message-----\nFrom: Ruth\n"
    found = measure(kept, "I have also checked our records myself.\n" + added)
    assert found is not None and found.changed == 0.0 and found.edit == "lightly edited"


def test_what_is_kept_of_a_draft_holds_none_of_its_words() -> None:
    kept = fingerprint(DRAFT)
    data = json.loads(kept)
    assert set(data) == {"salt", "digest", "sketch", "gaps"} and len(data["sketch"]) <= SKETCH
    for word in ("Iris", "Shaw", "Ruth", "consent", "CASS-2026-000123", "resubmit"):
        assert word.lower() not in kept.lower()
    assert fingerprint(DRAFT) != kept  # salted afresh each time: the same letter gives another fingerprint


def test_a_draft_saved_before_fingerprints_were_kept_is_not_measured() -> None:
    assert measure("", "anything") is None
