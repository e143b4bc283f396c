"""Draft acceptance: how much of what the bot drafted an RAO sent, measured without keeping either text.

When a draft is saved, its text (less the marked note for the RAO, the `[RAO: ...]` placeholders and anything
below a quoted-history line) is reduced to a *fingerprint*: a random salt, a salted digest of its words, and a
bottom-k sketch (the `SKETCH` smallest salted 4-byte hashes of its three-word shingles). When the RAO's sent copy
is read from Sent Items, the same is done to its fresh text, in memory, and only the result is kept:

- **unchanged**: the sent words are the drafted words, exactly (the digests match);
- otherwise the *share changed* is the share of the sketch's shingles not found in what was sent (for a draft
  of at most `SKETCH` shingles this is exact; beyond, an unbiased estimate). Text the RAO added (a placeholder
  filled, a paragraph, a signature) is not a change to the bot's text; text removed or reworded is;
- **lightly edited**: at most `REWRITTEN_ABOVE` of it changed; **rewritten**: more.

Why this keeps nothing of anyone's words: a drafted text is the template's own wording (public, in templates/)
filled with what the store already holds (reference, names as the requester gave them, addresses); the
fingerprint holds a few hundred bytes of salted hashes of it, from which no text can be read back. The sent
text, which carries the RAO's words about a family, is never stored: it becomes one number and one word.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import json
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage

from bot.patterns import QUOTED_HISTORY

SKETCH = 128
REWRITTEN_ABOVE = 0.5
EDITS = ("unchanged", "lightly edited", "rewritten")
_NOTE = re.compile(r"NOTE FOR THE RAO.*?(?:={20,}|$)", re.DOTALL)
_PLACEHOLDER = re.compile(r"\[RAO:[^\]]*\]", re.DOTALL)
_WORD = re.compile(r"\w+")


def bots_words(text: str) -> list[str]:
    """The words of a draft or its sent copy that the measure compares, lower case, in order."""
    quoted = QUOTED_HISTORY.search(text)
    text = text[: quoted.start()] if quoted else text
    return _WORD.findall(_PLACEHOLDER.sub(" ", _NOTE.sub(" ", text)).lower())


def _shingles(words: list[str]) -> Iterable[str]:
    if len(words) < 3:
        yield " ".join(words)
        return
    for n in range(len(words) - 2):
        yield f"{words[n]} {words[n + 1]} {words[n + 2]}"


def _hashes(salt: bytes, words: list[str]) -> set[int]:
    return {int.from_bytes(hashlib.blake2b(s.encode(), digest_size=4, key=salt).digest(), "big")
            for s in _shingles(words)}


def _digest(salt: bytes, words: list[str]) -> str:
    return hashlib.blake2b(" ".join(words).encode(), digest_size=16, key=salt).hexdigest()


def fingerprint(text: str, salt: bytes | None = None) -> str:
    """What is kept of a drafted text: JSON of its salt, digest and sketch (no words)."""
    salt = salt or secrets.token_bytes(8)
    words = bots_words(text)
    sketch = sorted(_hashes(salt, words))[:SKETCH]
    return json.dumps({"salt": salt.hex(), "digest": _digest(salt, words), "sketch": sketch},
                      separators=(",", ":"))


def drafted_text(raw: bytes) -> str:
    """A draft's plain-text part, as the RAO opens it."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    part = message.get_body(("plain",))
    return str(part.get_content()) if part is not None else ""


@dataclass(frozen=True)
class Measure:
    changed: float  # the share of the bot's text not sent, 0.0 to 1.0
    edit: str  # one of EDITS


def measure(kept: str, sent_text: str) -> Measure | None:
    """How the sent text compares with the draft whose fingerprint is `kept`; None for a draft saved before
    fingerprints were kept."""
    if not kept:
        return None
    found = json.loads(kept)
    salt, sketch = bytes.fromhex(found["salt"]), found["sketch"]
    words = bots_words(sent_text)
    if _digest(salt, words) == found["digest"]:
        return Measure(0.0, "unchanged")
    sent = _hashes(salt, words)
    changed = round(sum(h not in sent for h in sketch) / len(sketch), 3) if sketch else 1.0
    return Measure(changed, "rewritten" if changed > REWRITTEN_ABOVE else "lightly edited")
