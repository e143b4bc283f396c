"""Turn an HTML mail body (Outlook's usual HTML-only mail) into readable text."""

from __future__ import annotations

import warnings

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning

_BLOCKS = ("p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "table", "blockquote")


def html_to_text(html: str) -> str:
    """Visible text of `html`, one line per block element; scripts and styles dropped."""
    with warnings.catch_warnings():
        # A body that is just a URL or a file name makes bs4 warn; it is still text.
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(html, "lxml")
    for hidden in soup(["script", "style", "head", "title"]):
        hidden.decompose()
    for block in soup.find_all(_BLOCKS):
        block.insert_after("\n")
    lines = (" ".join(line.split()) for line in soup.get_text().splitlines())
    return "\n".join(line for line in lines if line)
