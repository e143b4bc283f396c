"""One reader for every attachment a form comes in: Word, PDF (text or scanned), photos, OpenDocument, RTF.

`read_attachment` gives a `Layout` (lines in reading order, a table's row one line with its
cells split by tabs), or None for an attachment that is no document (a logo, a calendar
invite). A document that cannot be opened (damaged, password-protected, a zip bomb, a
picture far larger than a page, an old .doc) raises `UnreadableAttachment`, which the
reader turns into a note for a person: it is never consent.
"""

from __future__ import annotations

import logging
import weakref

from bot.errors import UnreadableAttachment
from bot.extract.formats.layout import CONFIDENT, MARK, Layout
from bot.extract.formats.scan import Budget, ocr_available
from bot.mail import Attachment, document_kind

log = logging.getLogger(__name__)

__all__ = ["CONFIDENT", "MARK", "Budget", "Layout", "ocr_available", "read_attachment"]


def read_attachment(attachment: Attachment, budget: Budget | None = None) -> Layout | None:
    kind = document_kind(attachment.name, attachment.content_type)
    if not kind:
        return None
    if not attachment.data:
        if attachment.size:
            raise UnreadableAttachment(f"{attachment.name} ({attachment.size // 1_000_000} MB) is too large for "
                                       "cassbot to read")
        raise UnreadableAttachment(f"{attachment.name} is empty")
    known = _READ.get(id(attachment))
    if known is not None:
        return known
    try:
        layout = _read(kind, attachment.name, attachment.data, budget or Budget())
    except UnreadableAttachment:
        raise
    except Exception as exc:  # a library failing on a file it should have refused: the file's fault, not ours
        log.warning("%s could not be read (%s: %s)", attachment.name, type(exc).__name__, exc)
        raise UnreadableAttachment(f"{attachment.name} could not be read ({type(exc).__name__})") from exc
    if not layout.scanned:  # what OCR reads depends on its budget; a text layer's words do not
        _READ[id(attachment)] = layout
        weakref.finalize(attachment, _READ.pop, id(attachment), None)
    return layout


# The layouts read of attachments still held, by the attachment's id (attachments that are equal may hold other
# bytes): the classifier reads a short mail's document, and the request's facts are read from it again.
_READ: dict[int, Layout] = {}


def _read(kind: str, name: str, data: bytes, budget: Budget) -> Layout:
    if kind == "pdf":
        from bot.extract.formats.pdf import read_pdf

        return read_pdf(name, data, budget)
    if kind == "docx":
        from bot.extract.formats.word import read_docx

        return read_docx(name, data)
    if kind == "image":
        from bot.extract.formats.scan import read_scan_file

        return read_scan_file(name, data, budget)
    from bot.extract.formats import office

    if kind == "odt":
        return office.read_odt(name, data)
    if kind == "rtf":
        return office.read_rtf(name, data)
    return office.refuse_doc(name)
