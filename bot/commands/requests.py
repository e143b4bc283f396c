"""`cassbot requests [--json]` and `cassbot requests show REF [--json]`: what is open, and one request."""

from __future__ import annotations

import argparse
import sys

from sqlmodel import Session

from bot.config import Settings
from bot.errors import Exit
from bot.reports import chronology_text, needs_person_table, requests_table
from bot.store import open_store, request_by_reference, utcnow
from bot.views import request_detail_view, requests_view


def run(args: argparse.Namespace, settings: Settings) -> int:
    with Session(open_store(settings.store.url)) as session:
        if not args.show:
            if args.json:
                print(requests_view(session, settings, utcnow()).model_dump_json())
            else:
                print(requests_table(session))
                print("\nNeeds a person:\n" + needs_person_table(session))
            return Exit.OK
        request = request_by_reference(session, args.reference.upper())
        if request is None:
            print(f"cassbot: no request {args.reference!r}", file=sys.stderr)
            return Exit.USAGE
        if args.json:
            print(request_detail_view(session, settings, request, utcnow()).model_dump_json())
        else:
            print(chronology_text(session, request))
    return Exit.OK
