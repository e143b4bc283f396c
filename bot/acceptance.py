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

from bot.patterns import QUOTED_HISTORY, placeholders_apart, without_note

SKETCH = 128
REWRITTEN_ABOVE = 0.5
EDITS = ("unchanged", "lightly edited", "rewritten")
_WORD = re.compile(r"\w+")
_FILL_WORDS = 40  # what an RAO writes into one placeholder, at the most, and the draft is still unchanged
_GAP = "\x00"  # where a placeholder stood: what the RAO writes there is theirs, and no shingle spans it


def bots_words(text: str) -> list[str]:
    """The words of a draft or its sent copy that the measure compares, lower case, in order; a placeholder's
    place is a gap."""
    quoted = QUOTED_HISTORY.search(text)
    text = text[: quoted.start()] if quoted else text
    return re.findall(rf"\w+|{_GAP}", placeholders_apart(without_note(text), f" {_GAP} ").lower())


def _shingles(words: list[str]) -> Iterable[str]:
    for run in " ".join(words).split(_GAP):
        yield from _run_shingles(run.split())


def _run_shingles(words: list[str]) -> Iterable[str]:
    if len(words) < 3:
        if words:
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
    return json.dumps({"salt": salt.hex(), "digest": _digest(salt, words), "sketch": sketch,
                       "gaps": _gap_edges(salt, words)}, separators=(",", ":"))


def _pair_hash(salt: bytes, pair: list[str]) -> int:
    return int.from_bytes(hashlib.blake2b(" ".join(pair).encode(), digest_size=4, key=salt).digest(), "big")


def _gap_edges(salt: bytes, words: list[str]) -> list[list[int]]:
    """For each placeholder, the hashes of the two words before it and the two after (or 0 at an end)."""
    edges = []
    for n, word in enumerate(words):
        if word == _GAP:
            before, after = words[max(0, n - 2):n], words[n + 1:n + 3]
            edges.append([_pair_hash(salt, before) if len(before) == 2 else 0,
                          _pair_hash(salt, after) if len(after) == 2 else 0])
    return edges


def _unfilled(salt: bytes, words: list[str], edges: list[list[int]]) -> list[str]:
    """The sent words with what the RAO wrote into each placeholder taken out again (a gap in its place): the
    words between the two words before a placeholder and the two after it, at most `_FILL_WORDS` of them; where
    the two words before stand more than once, the last of them before the two after."""
    pairs = [_pair_hash(salt, words[n:n + 2]) for n in range(len(words))]
    out: list[str] = []
    at = 0
    for before, after in edges:
        found = _fill(pairs, at, before, after, len(words))
        if found is None:
            continue
        start, end = found
        out += [*words[at:start], _GAP]
        at = end
    return out + words[at:]


def _fill(pairs: list[int], at: int, before: int, after: int, total: int) -> tuple[int, int] | None:
    """(where the RAO's words begin, where the bot's begin again) for one placeholder, from word `at` on."""
    starts = [n + 2 for n in range(at, total - 1) if pairs[n] == before] if before else [at]
    for start in starts:
        ends = [m for m in range(start, min(total, start + _FILL_WORDS) + 1)
                if (m == total if after == 0 else m < total and pairs[m] == after)]
        later = [s for s in starts if start < s <= (ends[0] if ends else start)]
        if ends and not later:
            return start, ends[0]
    return None


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
    if _digest(salt, _unfilled(salt, words, found.get("gaps", []))) == found["digest"]:
        return Measure(0.0, "unchanged")  # as drafted, its placeholders filled in
    sent = _hashes(salt, words)
    changed = round(sum(h not in sent for h in sketch) / len(sketch), 3) if sketch else 1.0
    return Measure(changed, "rewritten" if changed > REWRITTEN_ABOVE else "lightly edited")
