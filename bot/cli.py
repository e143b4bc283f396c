"""The `cassbot` command line. The only module that reads `.env`."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from dotenv import load_dotenv

from bot.classify import Classifier
from bot.config import ConfigError, Settings, load_settings
from bot.mail import parse_mail

EXIT_OK = 0
EXIT_USAGE = 2
DEMO_MAIL = Path(__file__).resolve().parent.parent / "demo" / "mail"
log = logging.getLogger(__name__)


def main(argv: Sequence[str] | None = None) -> int:
    load_dotenv(override=False)
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(f"cassbot: configuration error\n{exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        result: int = args.command(args, settings)
    except BrokenPipeError:
        # The reader (`| head`) went away: stop quietly, as Unix tools do.
        sys.stderr.close()
        return EXIT_OK
    return result


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
    classify.set_defaults(command=_classify)
    demo = commands.add_parser("demo", parents=[common], help="run the bot on its own demo mail")
    demo.set_defaults(command=_demo)
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
        print(json.dumps(classify_file(classifier, path), ensure_ascii=False), flush=True)
    return EXIT_OK


def classify_file(classifier: Classifier, path: Path) -> dict[str, object]:
    """One line of `cassbot classify` output; an unreadable file still gets one."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        log.info("cannot read %s: %s", path, exc.strerror)
        return {"path": str(path), "kind": "other", "urgent": False, "rao": None,
                "sender_trusted": None, "reference": None, "reasons": [],
                "error": f"cannot read file: {exc.strerror}"}
    return {"path": str(path), **classifier.classify(parse_mail(raw)).as_json()}


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    classifier = Classifier(settings)
    rows = [("mail", "kind", "urgent", "RAO", "trusted", "subject", "needs a person")]
    for path in _eml_files([DEMO_MAIL]):
        mail = parse_mail(path.read_bytes())
        found = classifier.classify(mail)
        rows.append((
            path.name, found.kind, "yes" if found.urgent else "",
            found.rao or "", "" if found.sender_trusted is None else str(found.sender_trusted).lower(),
            mail.subject[:50], found.needs_person[0] if found.needs_person else "",
        ))
    print(f"cassbot demo: {len(rows) - 1} mails from {DEMO_MAIL}\n")
    print(_table(rows))
    return EXIT_OK


def _table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
