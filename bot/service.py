"""`cassbot run`: the long-running service. The only module that imports APScheduler.

Jobs run one at a time on a single worker, so two polls of one mailbox never
overlap and the store never sees two writers; missed runs are coalesced. Each
mailbox is polled every `service.poll_seconds`, and sooner when its IDLE watcher
(IMAP) hears of new mail. The timescale sweep, the digest and retention run on
their own intervals. SIGTERM or Ctrl-C lets the mail in hand finish, closes the
connections and exits 0; a refused login stops the service with exit status 3.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from sqlmodel import Session

from bot.alerts import send_due_alerts, urgent_alerts
from bot.errors import Exit, Fault, MailboxAuthError, MailboxError, OperatorMustAct
from bot.health import HEALTH_TICK_SECONDS, write
from bot.jobs import poll_mailbox, purge_closed, send_due_digests, sweep_timescales
from bot.mailbox.base import Folder
from bot.mailbox.registry import open_mailbox
from bot.pipeline import Deps
from bot.report_mail import send_due_report
from bot.views import status_view

log = logging.getLogger(__name__)
DIGEST_TICK_MINUTES = 5
ALERT_TICK_SECONDS = 20  # an urgent request's alert goes within this of the poll that saw it


class Service:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.stop = threading.Event()
        self.exit_code: int = Exit.OK
        self.scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 600},
            timezone="UTC",
        )

    def run(self) -> int:
        """Run until SIGTERM, Ctrl-C or a refused login; returns the exit status."""
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self.stop.set())
        self._schedule()
        self.scheduler.start()
        watchers = self._start_watchers()
        log.info("cassbot running: %d mailboxes", len(self.deps.mailboxes))
        if not self.deps.settings.alerts.operators:
            log.warning("alerts.operators is empty: nobody will be mailed when a mailbox cannot be read or a "
                        "credential is about to expire (cassbot status and the digest still show it)")
        self.stop.wait()
        log.info("stopping: finishing the mail in hand")
        self.deps.stop = self.stop  # the pipeline stops between mails
        self.scheduler.shutdown(wait=True)
        for thread in watchers:
            thread.join(timeout=5)
        for mailbox in self.deps.mailboxes.values():
            mailbox.close()
        log.info("stopped")
        return self.exit_code

    def _schedule(self) -> None:
        settings, now = self.deps.settings, datetime.now(self.deps.clock().tzinfo)
        for role in self.deps.mailboxes:
            self.scheduler.add_job(self._guard(partial(self._poll, role)), "interval",
                                   seconds=settings.service.poll_seconds, next_run_time=now, id=f"poll-{role}",
                                   name=f"poll {role}")
        self.scheduler.add_job(self._guard(lambda: sweep_timescales(self.deps.engine, settings, self.deps.clock())),
                               "interval", minutes=settings.service.sweep_minutes, next_run_time=now, id="sweep",
                               name="timescale sweep")
        self.scheduler.add_job(self._guard(lambda: send_due_digests(self.deps.engine, settings, self.deps.clock())),
                               "interval", minutes=DIGEST_TICK_MINUTES, next_run_time=now, id="digest",
                               name="digest")
        self.scheduler.add_job(self._guard(lambda: send_due_report(self.deps.engine, settings, self.deps.clock())),
                               "interval", minutes=DIGEST_TICK_MINUTES, next_run_time=now, id="report",
                               name="monthly report")
        self.scheduler.add_job(self._guard(self._alerts), "interval", seconds=ALERT_TICK_SECONDS,
                               next_run_time=now, id="alerts", name="alerts")
        self.scheduler.add_job(self._guard(self._health), "interval", seconds=HEALTH_TICK_SECONDS,
                               next_run_time=now, id="health", name="health file")
        self.scheduler.add_job(self._guard(lambda: purge_closed(self.deps.engine, settings, self.deps.clock())),
                               "interval", hours=24, next_run_time=now + timedelta(minutes=1), id="retention",
                               name="retention")

    def _guard(self, job: Callable[[], Any]) -> Callable[[], None]:
        """A job that fails is logged and tried again next time; a refused login stops the service."""
        def guarded() -> None:
            if self.stop.is_set():
                return
            try:
                job()
            except OperatorMustAct as exc:  # a refused login: only a person can fix it
                log.error("%s: stopping; fix the credentials and start cassbot again", exc)
                self._alerts()  # the operators hear of it before the bot stops
                self.exit_code = Exit.AUTH
                self.stop.set()
            except Fault as exc:
                log.warning("%s (%s)", exc, "will try again" if exc.transient else "will run again at its next time")
            except Exception:  # a bug in one job must not stop the others (logged with its traceback)
                log.exception("job failed; it will run again at its next time")
        return guarded

    def _poll(self, role: str) -> None:
        """Poll, then alert at once about anything urgent the poll found, and say how the service is."""
        poll_mailbox(self.deps, role)
        urgent_alerts(self.deps.engine, self.deps.settings, self.deps.clock())
        self._health()

    def _health(self) -> None:
        """The health file the container's check reads (`bot.health`)."""
        now = self.deps.clock()
        with Session(self.deps.engine) as session:
            view = status_view(session, self.deps.settings, now)
        write(Path(self.deps.settings.service.health_file), view.model_dump(mode="json"), now)

    def _alerts(self) -> None:
        send_due_alerts(self.deps.engine, self.deps.settings, self.deps.clock())

    def _start_watchers(self) -> list[threading.Thread]:
        """One IDLE watcher per IMAP mailbox, on its own connection, that runs the poll early."""
        threads = []
        for config in self.deps.settings.mailboxes:
            if config.backend != "imap" or config.role not in self.deps.mailboxes:
                continue
            thread = threading.Thread(target=self._watch, args=(config.role,), name=f"idle-{config.role}",
                                      daemon=True)
            thread.start()
            threads.append(thread)
        return threads

    def _watch(self, role: str) -> None:
        watcher = open_mailbox(self.deps.settings.mailbox(role))
        try:
            while not self.stop.is_set():
                try:
                    wait = min(30, self.deps.settings.service.poll_seconds)
                    arrived = watcher.wait_for_mail(Folder.INBOX, timeout=wait)
                except (MailboxError, MailboxAuthError) as exc:
                    log.debug("%s: IDLE watcher: %s", role, exc)
                    self.stop.wait(self.deps.settings.service.poll_seconds)
                    continue
                if arrived and not self.stop.is_set():
                    self.scheduler.modify_job(f"poll-{role}", next_run_time=datetime.now(self.deps.clock().tzinfo))
        finally:
            watcher.close()
