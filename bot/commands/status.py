"""`cassbot status [--json]`: the service at a glance; exit 1 when a mailbox is stale or failing."""

from __future__ import annotations

import argparse

from sqlmodel import Session

from bot.config import Settings
from bot.errors import Exit
from bot.reports import service_status
from bot.store import open_store, utcnow


def run(args: argparse.Namespace, settings: Settings) -> int:
    now = utcnow()
    with Session(open_store(settings.store.url)) as session:
        health = service_status(session, settings, now)
        if args.json:
            from bot.views import status_view
            print(status_view(session, settings, now).model_dump_json())
    if not args.json:
        print(health.text())
    return Exit.OK if health.healthy else Exit.FAILED
