"""Turn an HTML mail body (Outlook's usual HTML-only mail) into readable text."""

from __future__ import annotations

import re
import warnings

_BLOCKS = ("p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "table", "blockquote")
# Outlook puts kilobytes of CSS and conditional comments before the first word;
# none of it is text, and dropping it first halves the tree BeautifulSoup builds.
_NOT_TEXT = re.compile(r"<head\b.*?</head\s*>|<style\b.*?</style\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
# The classifier reads at most 64 KB of text; a few MB of HTML cannot add to it.
HTML_LIMIT = 512_000


def html_to_text(html: str) -> str:
    """Visible text of `html`, one line per block element, a table's cells on a row apart (" | "); scripts and
    styles dropped."""
    from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning  # only HTML mail pays for the parser

    html = _NOT_TEXT.sub(" ", html[:HTML_LIMIT])
    with warnings.catch_warnings():
        # A body that is just a URL or a file name makes bs4 warn; it is still text.
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(html, "lxml")
    for hidden in soup(["script", "style", "title"]):
        hidden.decompose()
    for row in soup.find_all("tr"):  # a table's cells apart, as a text table ("Consent | Signed 2 November")
        for cell in row.find_all(["td", "th"], recursive=False)[:-1]:
            cell.insert_after(" | ")
    for block in soup.find_all(_BLOCKS):
        block.insert_after("\n")
    lines = (" ".join(line.split()) for line in soup.get_text().splitlines())
    return "\n".join(line for line in lines if line)
