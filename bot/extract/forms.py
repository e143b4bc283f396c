"""The text of a consent form sent as an attachment: a PDF's text layer, or a Word document's words.

A scanned form has no text layer: its text is "" and the drafts ask the RAO to check the
date on the form. A form that cannot be opened at all (damaged, encrypted) is the
sender's fault: `UnreadableAttachment`, which the reader turns into a note for a person.
"""

from __future__ import annotations

import io
import re
import zipfile

from bot.errors import UnreadableAttachment
from bot.mail import Attachment

# A mail with fewer words than this of its own ("Please see attached") is read with its attachments' words.
SHORT_MAIL_WORDS = 60


def says_little(text: str) -> bool:
    return len(text.split()) < SHORT_MAIL_WORDS


# A form is a page or two; more than this is not a consent form, and costs time to read.
_MOST_PAGES = 6
_MOST_CHARACTERS = 20_000


def form_text(attachment: Attachment) -> str:
    """The words of a PDF or Word attachment; "" for anything else or a scan."""
    name = attachment.name.lower()
    if not attachment.data:
        return ""
    if attachment.content_type == "application/pdf" or name.endswith(".pdf"):
        return _pdf_text(attachment)
    if name.endswith(".docx") or "wordprocessingml" in attachment.content_type:
        return _docx_text(attachment)
    return ""


def _pdf_text(attachment: Attachment) -> str:
    from pypdf import PdfReader  # only mail with a PDF form pays for importing it
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(attachment.data))
        pages = [page.extract_text() or "" for page in reader.pages[:_MOST_PAGES]]
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise UnreadableAttachment(f"{attachment.name} could not be read as a PDF ({type(exc).__name__})") from exc
    return "\n".join(pages)[:_MOST_CHARACTERS]


def _docx_text(attachment: Attachment) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(attachment.data)) as document:
            xml = document.read("word/document.xml")[:2_000_000].decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError) as exc:
        raise UnreadableAttachment(f"{attachment.name} could not be read as a Word document") from exc
    xml = re.sub(r"</w:p>\s*</w:tc>", "\t", xml)  # a table's cells on one line, tab between, as text_tables reads them
    paragraphs = re.split(r"</w:p>|</w:tr>", xml)
    text = "\n".join(" ".join(re.findall(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>", p)) for p in paragraphs)
    return "\n".join(line for line in text.splitlines() if line.strip())[:_MOST_CHARACTERS]
