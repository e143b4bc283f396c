"""`cassbot demo`: the whole OLA journey on local demo Maildirs under state/demo/."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.config import Settings
from bot.demo import run_demo
from bot.errors import Exit


def run(args: argparse.Namespace, settings: Settings) -> int:
    run_demo(settings, Path("state") / "demo", sys.stdout)
    return Exit.OK
