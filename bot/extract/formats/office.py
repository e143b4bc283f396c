"""Other word-processor files: OpenDocument text (.odt, with odfpy) and Rich Text (.rtf, with striprtf).

An old binary Word file (.doc) has no well-kept pure-Python reader: it is not read, and the
reader says so, so a person opens it.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

from bot.errors import UnreadableAttachment
from bot.extract.formats.layout import Layout

_MOST_LINES = 3_000


def read_odt(name: str, data: bytes) -> Layout:
    from odf import opendocument
    from odf.namespaces import TABLENS, TEXTNS

    try:
        document = opendocument.load(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, AttributeError) as exc:
        raise UnreadableAttachment(f"{name} could not be read as an OpenDocument file ({type(exc).__name__})") from exc
    row, cell, paragraphs = (TABLENS, "table-row"), (TABLENS, "table-cell"), ((TEXTNS, "p"), (TEXTNS, "h"))

    def lines(node: Any) -> Iterator[str]:
        for child in node.childNodes:
            if child.qname == row:
                yield "\t".join(" ".join(_words(c).split()) for c in child.childNodes if c.qname == cell)
            elif child.qname in paragraphs:
                words = " ".join(_words(child).split())
                if words:
                    yield words
            else:
                yield from lines(child)

    return Layout(name, "odt", tuple(line for line in lines(document.text) if line.strip("\t"))[:_MOST_LINES])


def _words(node: Any) -> str:
    if node.nodeType == node.TEXT_NODE:
        return str(node.data)
    return " ".join(_words(child) for child in node.childNodes)


def read_rtf(name: str, data: bytes) -> Layout:
    from striprtf.striprtf import rtf_to_text

    source = data[:3_000_000].decode("latin-1")
    if not source.lstrip().startswith("{\\rtf"):
        raise UnreadableAttachment(f"{name} could not be read as a Rich Text file (it is not one)")
    try:
        marked = re.sub(r"\\row(?![a-z])", r"\\par ", re.sub(r"\\cell(?![a-z])", "\t", source))  # cells, rows
        words: str = rtf_to_text(marked, errors="ignore")  # type: ignore[no-untyped-call]
    except (ValueError, IndexError) as exc:
        raise UnreadableAttachment(f"{name} could not be read as a Rich Text file ({type(exc).__name__})") from exc
    lines = [" \t".join(" ".join(cell.split()) for cell in line.split("\t")).replace(" \t", "\t").strip("\t ")
             for line in words.splitlines()]
    return Layout(name, "rtf", tuple(line for line in lines if line)[:_MOST_LINES])


def refuse_doc(name: str) -> Layout:
    raise UnreadableAttachment(f"{name} is an old Word file (.doc), which cassbot cannot read: a person opens it")
