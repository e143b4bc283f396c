"""Seeing that it works: optional Prometheus metrics (logs are configured in `bot.logs`).

The metrics are read from the store at each scrape, so every instance sharing a
store reports the same truth and nothing in the pipeline needs instrumenting.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime

from prometheus_client import start_http_server
from prometheus_client.core import REGISTRY, CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from bot.config import Settings
from bot.domain import DraftState
from bot.mailbox.credentials import days_left, known_expiries
from bot.store import Draft, LateMark, MailboxHealth, MailSeen, NeedsPerson


class StoreCollector(Collector):
    """Prometheus metrics computed from the store at scrape time."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine, self.settings = engine, settings

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        now = datetime.now(UTC)
        with Session(self.engine) as session:
            processed = CounterMetricFamily("cassbot_mail_processed", "Mail processed, by outcome", labels=["outcome"])
            for outcome, count in session.exec(select(MailSeen.outcome, func.count()).group_by(MailSeen.outcome)):
                processed.add_metric([outcome], count)
            yield processed
            lag = GaugeMetricFamily("cassbot_poll_lag_seconds", "Seconds since the last good poll", labels=["mailbox"])
            failing = GaugeMetricFamily("cassbot_mailbox_failing", "1 while a mailbox cannot be polled",
                                        labels=["mailbox"])
            for config in self.settings.mailboxes:
                health = session.get(MailboxHealth, config.role)
                last = health.last_success if health and health.last_success else None
                lag.add_metric([config.role], (now - last).total_seconds() if last else float("inf"))
                failing.add_metric([config.role], 1.0 if health and health.failing_since else 0.0)
            yield lag
            yield failing
            yield self._credential_expiry(now)
            yield _gauge(session, "cassbot_needs_person", "Mail waiting for a person",
                         select(func.count()).select_from(NeedsPerson).where(col(NeedsPerson.resolved_at).is_(None)))
            yield _gauge(session, "cassbot_drafts_awaiting_approval", "Drafts saved and not yet sent",
                         select(func.count()).select_from(Draft).where(Draft.state == DraftState.SAVED))
            yield _gauge(session, "cassbot_late_items", "Things the sweep has found past their timescale",
                         select(func.count()).select_from(LateMark))

    def _credential_expiry(self, now: datetime) -> GaugeMetricFamily:
        expiry = GaugeMetricFamily("cassbot_credential_expiry_days",
                                   "Days until the client secret or certificate a mailbox signs in with expires",
                                   labels=["mailbox", "credential"])
        for role, found in known_expiries(self.settings).items():
            expiry.add_metric([role, found.what], float(days_left(self.settings, found, now)))
        return expiry


def _gauge(session: Session, name: str, description: str, query: object) -> GaugeMetricFamily:
    gauge = GaugeMetricFamily(name, description)
    gauge.add_metric([], float(session.exec(query).one()))  # type: ignore[call-overload]
    return gauge


def start_metrics(engine: Engine, settings: Settings) -> None:
    """Serve /metrics when `observability.metrics_port` is set (0, the default, means off)."""
    port = settings.observability.metrics_port
    if port:
        REGISTRY.register(StoreCollector(engine, settings))
        start_http_server(port, addr=settings.observability.metrics_address)
        logging.getLogger(__name__).info("metrics on http://%s:%d/metrics", settings.observability.metrics_address,
                                         port)
