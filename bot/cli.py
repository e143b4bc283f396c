"""The `cassbot` command line: the parser, and a dispatcher that imports a command's module only when it runs.

`cassbot --help` imports nothing but argparse, and each command only what it uses (the
container's health check runs `cassbot status` all day); `python -m bench startup` measures it.
Each command is a module of `bot.commands` with `run(args, settings) -> int`; its exit codes are
`bot.errors.Exit`, listed per command in docs/operations.md.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from datetime import date
from importlib import import_module
from pathlib import Path

from bot.errors import ConfigError, Exit, MailboxAuthError, MailboxError

log = logging.getLogger(__name__)

# Each command's exit codes, as its --help ends (docs/operations.md has the same table). Every command also
# exits 2 for a usage or configuration error and 1 when the store fails under it.
EXIT_CODES = {
    "classify": "0 done (an unreadable file still gets its line)",
    "demo": "0 done",
    "run": "0 stopped by SIGTERM or Ctrl-C (with --once: every mailbox processed); 1 (--once) a mailbox could not "
           "be reached, or another run holds the SQLite store; 3 a mailbox refused the bot's credentials",
    "status": "0 healthy (a credential warning alone is healthy); 1 a mailbox stale or failing",
    "digest": "0 written, sent, or gone already today; 1 a team leader's copy was not sent; 2 no team leader on "
              "the staff list",
    "requests": "0 shown; 2 no such request (show REF)",
    "reconcile": "0 caught up; 1 a mailbox could not be read, or the bot's drafts name a request still missing; "
                 "3 a mailbox refused the bot's credentials",
    "pilot": "0 report written; 3 a mailbox refused the bot's credentials",
    "check-mailboxes": "0 every step passed; 1 a step failed (its line names the permission it needs), or the "
                       "mailbox the bot must not reach could be opened; 3 a mailbox refused the bot's sign-in",
    "report": "0 report written (or sent, or gone already for that month); 1 a recipient's copy was not sent",
}


def main(argv: Sequence[str] | None = None) -> int:
    os.umask(0o077)  # the store, state/, previews and logs hold children's data: the service user's only
    args = parser().parse_args(argv)
    from dotenv import load_dotenv  # after parsing: `--help` needs none of it

    from bot.config import load_settings
    from bot.logs import configure_logging
    from bot.redaction import redact
    from bot.teams import check_roles
    load_dotenv(override=False)
    try:
        settings = load_settings(args.config)
        check_roles([m.role for m in settings.mailboxes], settings.source)
    except ConfigError as exc:
        print(f"cassbot: configuration error\n{exc}", file=sys.stderr)
        return Exit.USAGE
    configure_logging(settings, args.verbose)
    try:
        return int(import_module(f"bot.commands.{args.command.replace('-', '_')}").run(args, settings))
    except ConfigError as exc:
        print(f"cassbot: configuration error: {redact(str(exc))}", file=sys.stderr)
        return Exit.USAGE
    except MailboxAuthError as exc:
        log.error("%s", exc)
        print(f"cassbot: {redact(str(exc))}", file=sys.stderr)
        return Exit.AUTH
    except MailboxError as exc:  # a mailbox a command had to read could not be reached: one line, not a traceback
        log.error("%s", exc)
        print(f"cassbot: a mailbox could not be read, the command stopped: {redact(str(exc))}", file=sys.stderr)
        return Exit.FAILED
    except BrokenPipeError:
        # The reader (`| head`) went away: stop quietly, as Unix tools do.
        sys.stderr.close()
        return Exit.OK
    except Exception as exc:
        if not _store_failed(exc):
            raise
        # The store is full, locked, gone: nothing half-written (each mail is one transaction), one line, the end.
        log.debug("store error", exc_info=True)
        print(f"cassbot: the store could not be used, the run stopped: {_first_line(exc)}", file=sys.stderr)
        return Exit.FAILED


def _store_failed(exc: Exception) -> bool:
    """A database error; if SQLAlchemy was never imported, the command never touched the store."""
    if "sqlalchemy" not in sys.modules:
        return False
    from sqlalchemy.exc import SQLAlchemyError
    return isinstance(exc, SQLAlchemyError)


def _first_line(exc: BaseException) -> str:
    from bot.redaction import redact
    cause = getattr(exc, "orig", None) or exc
    return redact(str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__)


def parser() -> argparse.ArgumentParser:
    """Every command and option; docs/operations.md and the README show the same."""
    common, as_json = _options(), _json_option()
    top = argparse.ArgumentParser(
        prog="cassbot", description="Inbox automation for the CASS front door. Exit codes: 0 done, 1 something "
        "that had to happen did not, 2 configuration or usage, 3 a mailbox refused the bot's credentials.")
    commands = top.add_subparsers(required=True, metavar="COMMAND", dest="command")
    classify = commands.add_parser(
        "classify", parents=[common], help="say what each mail is, one JSON line per mail",
        description="Classify .eml files (or every *.eml in a folder) and print one JSON object per mail. "
                    "No store, no mailbox.")
    classify.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    classify.add_argument("--facts", action="store_true",
                          help="add what was read: a request's people, consent, history and address; a check "
                               "answer person by person (docs/requests.md)")
    commands.add_parser("demo", parents=[common], help="run the whole OLA journey on local demo Maildirs",
                        description="Build demo Maildirs and a store under state/demo/, deliver the demo mail day "
                                    "by day, play an RAO sending the drafts, and print what the bot did.")
    run = commands.add_parser(
        "run", parents=[common], help="run the service (or, with --once, one pass)",
        description="The service: polls the mailboxes, sweeps the timescales, sends the digest and alerts, purges "
                    "old closed requests; stops cleanly on SIGTERM. Exit 1 when a mailbox could not be read "
                    "(--once), 3 when one refused the bot's credentials.")
    run.add_argument("--once", action="store_true", help="process every mailbox once, print a summary, then stop")
    commands.add_parser(
        "status", parents=[common, as_json], help="health: last good poll, needs a person, next digest",
        description="The last good poll of each mailbox, how much needs a person, when the next digest goes. "
                    "Exit 1 when a mailbox is stale or failing.")
    digest = commands.add_parser(
        "digest", parents=[common], help="the team leaders' daily digest",
        description="Write today's digest to a file, or send it now (once a day at most). --send exits 1 when "
                    "a team leader's copy could not be sent.")
    action = digest.add_mutually_exclusive_group(required=True)
    action.add_argument("--preview", nargs="?", const="state/digest-preview.html", metavar="FILE",
                        help="write today's digest (HTML) to FILE, and its text part beside it")
    action.add_argument("--send", action="store_true", help="send today's digest now, unless it has gone already")
    requests = commands.add_parser(
        "requests", parents=[common, as_json], help="open requests, and `requests show REF` for one",
        usage="cassbot requests [-h] [--config CONFIG] [-v] [--json] [show REF [--json]]",
        description="Open requests (urgent, then oldest first) and what needs a person; `cassbot requests show "
                    "REF` for one request's facts and chronology.")
    shown = requests.add_subparsers(dest="show", metavar="show REF")
    # Given after `show` or before it: the options after it must not reset those before.
    show = shown.add_parser("show", parents=[_options(argparse.SUPPRESS), _json_option(argparse.SUPPRESS)],
                            help="one request: its facts and chronology",
                            description="One request: what was read in it, its checks and drafts, and every "
                                        "mail and event in time order. Exit 2 when there is no such request.")
    show.add_argument("reference", metavar="REF", help="the request's reference, CASS-YYYY-NNNNNN")
    reconcile = commands.add_parser(
        "reconcile", parents=[common], help="catch the store up from the mailboxes after a restore",
        description="Read back the bot's drafts (Drafts, Sent Items), then the Information Requests folder from DATE "
                    "and each mailbox's inbox and Sent Items from where the store had got to, and rebuild "
                    "the requests, checks and drafts the store has no record of, drafting nothing twice and "
                    "alerting nobody again. Run it after restoring the store from a backup.")
    reconcile.add_argument("--since", required=True, type=_day, metavar="DATE",
                           help="the first day to read back, by the mails' own dates (YYYY-MM-DD): a week or so "
                                "before the backup is safe")
    pilot = commands.add_parser(
        "pilot", parents=[common], help="what the bot would have done with past mail, against what staff did",
        description="Read the configured mailboxes (read only: nothing drafted, filed, flagged or sent) for a period, "
                    "replay it through the bot into a store of the pilot's own, and compare each request, decision by "
                    "decision, with what staff sent. Writes report.html, report.json and report.csv (docs/pilot.md). "
                    "Exit 2 for dates that are not dates.")
    pilot.add_argument("--since", required=True, type=_day, metavar="DATE", help="the first day (YYYY-MM-DD)")
    pilot.add_argument("--until", type=_day, metavar="DATE", help="the day after the last (YYYY-MM-DD; default: "
                                                                   "today)")
    pilot.add_argument("--out", metavar="DIR", help="where the report goes (default: state/pilot/SINCE_UNTIL/)")
    pilot.add_argument("--keep", action="store_true", help="keep the pilot's store (purged when the report is "
                                                           "written, by default)")
    pilot.add_argument("--full", action="store_true", help="names and addresses in full (default: initials and "
                                                           "organisations only)")
    check = commands.add_parser(
        "check-mailboxes", parents=[common], help="before go-live: what the bot can and cannot do in each mailbox",
        description="Sign in to each configured mailbox, list its folders, read one message, save and remove one "
                    "marked test draft, then try to open a mailbox the bot must not reach; one line per step, "
                    "naming the permission a failed step needs (docs/exchange.md). Nothing is filed, flagged, "
                    "marked read or sent, and the store is not used.")
    check.add_argument("--forbidden", metavar="ADDRESS",
                       help="a mailbox of your organisation the bot must NOT be able to open (on the same server "
                            "and credentials as the first configured mailbox)")
    _report_parser(commands, common)
    for name, command in commands.choices.items():
        command.epilog = (f"Exit codes: {EXIT_CODES[name]}; 2 a usage or configuration error; 1 the store failed "
                          "(docs/operations.md).")
    show.epilog = f"Exit codes: {EXIT_CODES['requests']} (docs/operations.md)."
    return top


def _report_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser],
                   common: argparse.ArgumentParser) -> None:
    report = commands.add_parser(
        "report", parents=[common], help="the month in figures: demand, timeliness, checks, quality, drafts",
        description="Counts and times for a period from the store (no names, addresses or words from mail): "
                    "report.html (Outlook, A4), report.json (docs/schemas/report.schema.json) and one CSV per "
                    "table, in DIR (docs/report.md). --send mails last month's to [report] recipients now.")
    period = report.add_mutually_exclusive_group()
    period.add_argument("--month", metavar="YYYY-MM", help="a calendar month (default: last month)")
    period.add_argument("--since", type=_day, metavar="DATE", help="the first day (YYYY-MM-DD), with --until")
    report.add_argument("--until", type=_day, metavar="DATE", help="the day after the last (default: today)")
    report.add_argument("--out", metavar="DIR", help="where the files go (default: state/report/PERIOD/)")
    report.add_argument("--send", action="store_true", help="mail the report to [report] recipients now, unless "
                                                            "it has gone already for that month")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _options(default: object = None) -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--config", type=Path, default=default,
                         help="configuration file (default: $CASSBOT_CONFIG, else config/cassbot.toml)")
    options.add_argument("-v", "--verbose", action="store_true", default=default or False,
                         help="log in detail to stderr")
    return options


def _json_option(default: object = False) -> argparse.ArgumentParser:
    option = argparse.ArgumentParser(add_help=False)
    option.add_argument("--json", action="store_true", default=default,
                        help="one JSON object (its JSON Schema is in docs/schemas/, stable across versions)")
    return option


if __name__ == "__main__":
    raise SystemExit(main())
