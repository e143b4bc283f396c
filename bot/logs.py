"""Log lines: text or one JSON object per line, as configured, never with a secret in them.

Kept apart from the metrics (`bot.observability`) so that every command can set up its
logging without importing the store or a metrics library.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from bot.config import Settings
from bot.redaction import RedactingFormatter


class JsonLines(logging.Formatter):
    """One JSON object per log record: time, level, logger, message (and the error, if any)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(settings: Settings, verbose: bool) -> None:
    handler = logging.StreamHandler()
    inner = JsonLines() if settings.observability.log_format == "json" else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s")
    handler.setFormatter(RedactingFormatter(inner))  # no secret in any line, whatever a server echoes
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else settings.observability.log_level)
    for noisy in ("imapclient", "apscheduler", "alembic"):  # their INFO is protocol chatter, not outcomes
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbose else logging.WARNING)
