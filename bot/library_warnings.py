"""What the libraries that read a mail say about it (pypdf, pdfminer, pdfplumber, dateparser, exchangelib),
caught while that one mail is handled and logged once, with its Message-ID: a warning alone ("EOF marker not
found") names no mail, and gives an operator nothing to act on.

pdfminer's own warnings stay below ERROR, as reading a PDF sets them (`extract.formats.pdf`): a failure is
ours to say. Python's warnings and the libraries' loggers are process-wide: this is for the one thread that handles mail
(the service runs one job at a time) and for the command line.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)

LIBRARIES = ("pypdf", "pdfminer", "pdfplumber", "dateparser", "exchangelib", "PIL", "docx")
_NOT_FOR_OPERATORS = (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning)
_MOST = 5  # a damaged PDF can warn on every object: the first few say enough


class Heard(logging.Handler):
    """The libraries' warnings about one mail, in the order they came, each once."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.said: dict[str, None] = {}

    def emit(self, record: logging.LogRecord) -> None:
        self.said.setdefault(f"{record.name}: {record.getMessage()}"[:300], None)

    def log(self, message_id: str) -> None:
        """One line for the mail, if any library spoke."""
        if self.said:
            more = f" (and {len(self.said) - _MOST} more)" if len(self.said) > _MOST else ""
            log.warning("%s: the libraries reading it warned: %s%s", message_id, "; ".join(list(self.said)[:_MOST]),
                        more)


@contextmanager
def heard() -> Iterator[Heard]:
    """Catch the libraries' warnings and log records while the block runs; `Heard.log` then says them once."""
    found = Heard()
    loggers = [logging.getLogger(name) for name in LIBRARIES]
    propagating = [logger.propagate for logger in loggers]
    for logger in loggers:
        logger.addHandler(found)
        logger.propagate = False
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for category in _NOT_FOR_OPERATORS:
                warnings.simplefilter("ignore", category)
            yield found
    finally:
        for logger, propagate in zip(loggers, propagating, strict=True):
            logger.removeHandler(found)
            logger.propagate = propagate
    for warning in caught:
        found.said.setdefault(f"{warning.category.__name__}: {warning.message}"[:300], None)
