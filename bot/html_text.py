"""Turn an HTML mail body (Outlook's usual HTML-only mail) into readable text.

The text is what BeautifulSoup's `get_text()` gives over lxml's parse with a newline after each block
element and " | " between a table row's cells, but read from lxml's parser events directly: a mail's
few dozen tags cost microseconds, where building BeautifulSoup's tree cost a millisecond a mail.
"""

from __future__ import annotations

import re

_BLOCKS = frozenset({"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "table", "blockquote"})
_CELLS = frozenset({"td", "th"})
_HIDDEN = frozenset({"script", "style", "title"})  # dropped with everything in them
_NOT_TEXT_INSIDE = frozenset({"rt", "rp", "template"})  # their own words are no text, as BeautifulSoup reads them
_KEEP_SPACES = frozenset({"pre", "textarea"})
_ASCII_SPACES = " \n\t\x0c\r"
# Outlook puts kilobytes of CSS and conditional comments before the first word;
# none of it is text, and dropping it first halves what the parser reads.
_NOT_TEXT = re.compile(r"<head\b.*?</head\s*>|<style\b.*?</style\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
# The classifier reads at most 64 KB of text; a few MB of HTML cannot add to it.
HTML_LIMIT = 512_000


def html_to_text(html: str) -> str:
    """Visible text of `html`, one line per block element, a table's cells on a row apart (" | "); scripts and
    styles dropped."""
    html = _NOT_TEXT.sub(" ", html[:HTML_LIMIT])
    if html.startswith("\N{BYTE ORDER MARK}"):
        html = html[1:]
    from lxml import etree  # only HTML mail pays for importing the parser

    reader = _TextReader()
    parser = etree.HTMLParser(target=reader, recover=True)
    try:
        parser.feed(html)
        parser.close()
    except (etree.ParserError, UnicodeDecodeError, LookupError):
        return ""  # lxml found no document in it at all: there is no text to read
    lines = (" ".join(line.split()) for line in "".join(reader.out).splitlines())
    return "\n".join(line for line in lines if line)


class _TextReader:
    """An lxml parser target writing the text as the events come: each run of data between two events is one
    string (a run of nothing but spaces is one space or one newline), and a cell's " | " is written after it
    once the row's next cell starts."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self._open: list[str] = []
        self._pending: list[str] = []
        self._row_marks: list[int | None] = []  # per open <tr>: where its last cell's " | " goes, if another comes
        self._hidden = self._no_text = self._keep_spaces = 0

    def start(self, tag: str, attrib: object) -> None:
        self._flush()
        if tag in _CELLS and self._open and self._open[-1] == "tr" and self._row_marks[-1] is not None:
            self.out[self._row_marks[-1]] = " | "
            self._row_marks[-1] = None
        self._open.append(tag)
        self._count(tag, 1)
        if tag == "tr":
            self._row_marks.append(None)

    def end(self, tag: str) -> None:
        self._flush()
        tag = self._open.pop() if self._open else tag
        self._count(tag, -1)
        if tag == "tr":
            self._row_marks.pop()
        if self._hidden:
            return
        if tag in _BLOCKS:
            self.out.append("\n")
        elif tag in _CELLS and self._open and self._open[-1] == "tr":
            self._row_marks[-1] = len(self.out)
            self.out.append("")

    def data(self, data: str) -> None:
        self._pending.append(data)

    def comment(self, text: str) -> None:
        self._flush()

    def pi(self, target: str, data: str) -> None:
        self._flush()

    def doctype(self, name: str, pubid: str, system: str) -> None:
        self._flush()

    def close(self) -> None:
        self._flush()

    def _count(self, tag: str, step: int) -> None:
        if tag in _HIDDEN:
            self._hidden += step
        elif tag in _NOT_TEXT_INSIDE:
            self._no_text += step
        elif tag in _KEEP_SPACES:
            self._keep_spaces += step

    def _flush(self) -> None:
        if not self._pending:
            return
        text = "".join(self._pending)
        self._pending.clear()
        if self._hidden or self._no_text:
            return
        if not self._keep_spaces and not text.strip(_ASCII_SPACES):
            text = "\n" if "\n" in text else " "
        self.out.append(text)
