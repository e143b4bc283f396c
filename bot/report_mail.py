"""The month in figures by mail: on the first working day of each month, last month's report to the configured
recipients (staff only, as the digest), once each.

The mail's HTML is the report itself (`bot.figures_report.as_html`, what `cassbot report` writes to
report.html, so the file is its preview); the plain-text part gives the headline figures.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.config import Settings
from bot.figures import MonthReport, Period, month_period, month_report
from bot.figures_report import as_html
from bot.jobs import DigestRun, send_once
from bot.leases import lease
from bot.store import ReportSent
from bot.timescales import Calendar


def last_month(now: datetime, calendar: Calendar) -> Period:
    first = now.astimezone(calendar.zone).date().replace(day=1)
    return month_period(f"{first - timedelta(days=1):%Y-%m}")


def recipients(settings: Settings) -> list[str]:
    return list(settings.report.recipients) or [m.address for m in settings.staff if m.role == "team_leader"]


def headline(report: MonthReport) -> str:
    """The plain-text part: the figures a reader looks for first."""
    lines = [f"The front door in figures: {report.period} ({report.organisation})", "",
             f"Requests: {report.demand.requests}, of which urgent {report.demand.urgent}."]
    lines += [f"{t.measure}: {t.on_time} of {t.of} on time; median {t.median_working_hours} working hours."
              for t in report.timeliness]
    lines += [f"{c.label} checks: {c.asked} asked, {c.answered} answered, {c.open_at_end} open at the end."
              for c in report.checks]
    lines += [f"{report.acceptance.line('In the period')}.", "",
              "The report is the HTML part of this mail; docs/report.md says how each figure is worked out."]
    return "\n".join(lines) + "\n"


def message(report: MonthReport, settings: Settings, recipient: str, now: datetime) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.digest.from_address
    msg["To"] = recipient
    msg["Subject"] = f"CASS front door in figures: {report.period}"
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = f"<report.{report.period}.{recipient.replace('@', '.')}@cassbot.{settings.organisation.domain}>"
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: out-of-office replies must not answer it
    msg.set_content(headline(report))
    msg.add_alternative(as_html(report), subtype="html")
    return msg


def send_due_report(engine: Engine, settings: Settings, now: datetime, anytime: bool = False) -> DigestRun:
    """Last month's report to each recipient who has not had it: on the first working day of the month from
    `report.send_at` until the digest's catch-up limit, or now when `anytime`."""
    calendar = Calendar.from_settings(settings)
    local = now.astimezone(calendar.zone)
    first_working = _first_working_day(local.date().replace(day=1), calendar)
    due = local.date() == first_working and settings.report.send_at <= local.time() < settings.digest.catch_up_until
    run = DigestRun()
    if not anytime and not (settings.report.send and due):
        return run
    period = last_month(now, calendar)
    with lease(engine, "report") as held, Session(engine) as session:
        if not held:
            return run
        report = month_report(session, settings, period, now)
        for recipient in recipients(settings):
            if session.exec(select(ReportSent).where(ReportSent.period == period.label,
                                                     ReportSent.recipient == recipient)).first():
                run.already.append(recipient)
                continue
            mail = message(report, settings, recipient, now)
            record = ReportSent(period=period.label, recipient=recipient, sent_at=now,
                                message_id=str(mail["Message-ID"]))
            send_once(session, settings, mail, record, recipient, run)
    return run


def _first_working_day(day: date, calendar: Calendar) -> date:
    return day if calendar.is_working_day(day) else calendar.next_working_day(day)
