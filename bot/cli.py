"""The `cassbot` command line. The only module that reads `.env`."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path

from dotenv import load_dotenv
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from bot.alerts import send_due_alerts
from bot.classify import Classifier
from bot.config import Settings, load_settings
from bot.demo import run_demo
from bot.digest import gather, render
from bot.errors import ConfigError, MailboxAuthError
from bot.jobs import send_due_digests
from bot.mail import parse_mail
from bot.mailbox.credentials import missing_variables
from bot.mailbox.registry import open_mailboxes
from bot.observability import configure_logging, start_metrics
from bot.pipeline import Deps, run_once
from bot.reading import facts_of
from bot.redaction import redact
from bot.reports import chronology_text, needs_person_table, requests_table, service_status
from bot.service import Service
from bot.store import make_engine, migrate, request_by_reference, utcnow
from bot.timescales import Calendar

EXIT_OK = 0
EXIT_MAILBOX = 1  # a mailbox could not be reached this time
EXIT_FAILED = 1  # something that had to happen did not (a digest not sent, the store unusable)
EXIT_USAGE = 2
EXIT_AUTH = 3  # a mailbox refused the bot's credentials: a person must act
log = logging.getLogger(__name__)


def main(argv: Sequence[str] | None = None) -> int:
    os.umask(0o077)  # the store, state/, previews and logs hold children's data: the service user's only
    load_dotenv(override=False)
    args = _parser().parse_args(argv)
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(f"cassbot: configuration error\n{exc}", file=sys.stderr)
        return EXIT_USAGE
    configure_logging(settings, args.verbose)
    try:
        result: int = args.command(args, settings)
    except ConfigError as exc:
        print(f"cassbot: configuration error: {redact(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except MailboxAuthError as exc:
        log.error("%s", exc)
        print(f"cassbot: {redact(str(exc))}", file=sys.stderr)
        return EXIT_AUTH
    except SQLAlchemyError as exc:  # the store is full, locked, gone: nothing half-written (each mail is one
        log.debug("store error", exc_info=True)  # transaction), one line, and the run ends
        print(f"cassbot: the store could not be used, the run stopped: {_first_line(exc)}", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:
        # The reader (`| head`) went away: stop quietly, as Unix tools do.
        sys.stderr.close()
        return EXIT_OK
    return result


def _first_line(exc: BaseException) -> str:
    cause = getattr(exc, "orig", None) or exc
    return redact(str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__)


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config", type=Path, help="configuration file (default: $CASSBOT_CONFIG, else config/cassbot.toml)"
    )
    common.add_argument("-v", "--verbose", action="store_true", help="log in detail to stderr")
    parser = argparse.ArgumentParser(prog="cassbot", description="Inbox automation for the CASS front door.")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    classify = commands.add_parser(
        "classify", parents=[common], help="say what each mail is, one JSON line per mail",
        description="Classify .eml files (or every *.eml in a folder) and print one JSON object per mail.",
    )
    classify.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    classify.add_argument("--facts", action="store_true",
                          help="add what was read: a request's people, consent, history and address; a check "
                               "answer person by person (docs/requests.md)")
    classify.set_defaults(command=_classify)
    demo = commands.add_parser(
        "demo", parents=[common], help="run the whole OLA journey on local demo Maildirs under state/demo/"
    )
    demo.set_defaults(command=_demo)
    run = commands.add_parser("run", parents=[common], help="run the service (or, with --once, one pass)")
    run.add_argument("--once", action="store_true", help="process every mailbox once, then stop")
    run.set_defaults(command=_run)
    status = commands.add_parser("status", parents=[common], help="health: last good poll, needs a person, next digest")
    status.add_argument("--json", action="store_true", help="one JSON object, for monitoring")
    status.set_defaults(command=_status)
    digest = commands.add_parser("digest", parents=[common], help="the team leaders' daily digest")
    action = digest.add_mutually_exclusive_group(required=True)
    action.add_argument("--preview", nargs="?", const="state/digest-preview.html", metavar="FILE",
                        help="write today's digest (HTML) to FILE, and its text part beside it")
    action.add_argument("--send", action="store_true", help="send today's digest now, unless it has gone already")
    digest.set_defaults(command=_digest)
    requests = commands.add_parser(
        "requests", parents=[common], help="open requests (urgent, then oldest first) and what needs a person"
    )
    requests.add_argument("show", nargs="?", choices=["show"], help=argparse.SUPPRESS)
    requests.add_argument("reference", nargs="?", help="with `show`: one request's chronology")
    requests.set_defaults(command=_requests)
    return parser


def _eml_files(paths: Sequence[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.glob("*.eml") if p.is_file())
        else:
            yield path


def _classify(args: argparse.Namespace, settings: Settings) -> int:
    classifier = Classifier(settings)
    for path in _eml_files(args.paths):
        print(json.dumps(classify_file(classifier, path, args.facts), ensure_ascii=False), flush=True)
    return EXIT_OK


def classify_file(classifier: Classifier, path: Path, facts: bool = False) -> dict[str, object]:
    """One line of `cassbot classify` output; an unreadable file still gets one."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        log.info("cannot read %s: %s", path, exc.strerror)
        return {"path": str(path), "kind": "other", "urgent": False, "rao": None,
                "sender_trusted": None, "reference": None, "reasons": [],
                "error": f"cannot read file: {exc.strerror}"}
    mail = parse_mail(raw)
    found = classifier.classify(mail)
    line: dict[str, object] = {"path": str(path), **found.as_json()}
    if facts:
        line["facts"] = facts_of(mail, found, classifier.settings, utcnow())
    return line


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    run_demo(settings, Path("state") / "demo", sys.stdout)
    return EXIT_OK


def _secrets_present(settings: Settings) -> None:
    """Every secret the configuration names is in the environment, or the command stops naming the variable
    (never an empty password tried against a server)."""
    missing = missing_variables(settings)
    if missing:
        raise ConfigError("; ".join(missing))


def _run(args: argparse.Namespace, settings: Settings) -> int:
    _secrets_present(settings)
    engine = make_engine(settings.store.url)
    migrate(engine)
    deps = Deps(settings, engine, open_mailboxes(settings), utcnow)
    if not args.once:
        start_metrics(engine, settings)
        return Service(deps).run()
    try:
        report = run_once(deps)
    finally:
        send_due_alerts(engine, settings, utcnow())
    counts = Counter(o.outcome for o in report.outcomes if o.outcome != "already_processed")
    summary = ", ".join(f"{n} {what.replace('_', ' ')}" for what, n in sorted(counts.items())) or "no new mail"
    print(f"cassbot: {summary}; {report.drafts_saved} drafts saved; {report.drafts_deleted} drafts deleted unsent")
    for role, why in report.failed.items():
        print(f"cassbot: the {role} mailbox was not processed: {why}", file=sys.stderr)
    return EXIT_MAILBOX if report.failed else EXIT_OK


def _status(args: argparse.Namespace, settings: Settings) -> int:
    engine = make_engine(settings.store.url)
    migrate(engine)
    with Session(engine) as session:
        health = service_status(session, settings, utcnow())
    print(json.dumps(health.as_json()) if args.json else health.text())
    return EXIT_OK if health.healthy else EXIT_MAILBOX


def _digest(args: argparse.Namespace, settings: Settings) -> int:
    engine = make_engine(settings.store.url)
    migrate(engine)
    now = utcnow()
    if args.send:
        _secrets_present(settings)
        run = send_due_digests(engine, settings, now, anytime=True)
        for recipient, why in run.failed.items():
            print(f"cassbot: the digest to {recipient} was not sent: {redact(why)}", file=sys.stderr)
        if run.sent:
            print(f"cassbot: digest sent to {', '.join(run.sent)}")
        elif run.already and not run.failed:
            print("cassbot: today's digest has gone already")
        elif not run.failed:
            print("cassbot: no team leader is on the staff list: no digest to send", file=sys.stderr)
            return EXIT_USAGE
        return EXIT_FAILED if run.failed else EXIT_OK
    with Session(engine) as session:
        data = gather(session, settings, Calendar.from_settings(settings), now, now - timedelta(days=1))
    text, html = render(data, settings)
    out = Path(args.preview)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html)
    out.with_suffix(".txt").write_text(text)
    print(f"cassbot: digest preview written to {out} and {out.with_suffix('.txt')}")
    return EXIT_OK


def _requests(args: argparse.Namespace, settings: Settings) -> int:
    engine = make_engine(settings.store.url)
    migrate(engine)
    with Session(engine) as session:
        if not args.show:
            print(requests_table(session))
            print("\nNeeds a person:\n" + needs_person_table(session))
            return EXIT_OK
        request = request_by_reference(session, (args.reference or "").upper())
        if request is None:
            print(f"cassbot: no request {args.reference!r}", file=sys.stderr)
            return EXIT_USAGE
        print(chronology_text(session, request))
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
