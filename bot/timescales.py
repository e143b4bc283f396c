"""Working days and the timescales the seeds set: pure functions of a time and the settings.

- every enquiry needs a clear decision within 24 hours (MASH protocol, seed 003);
- urgent requests are dealt with the same working day (seed 000);
- checks to A&F and LADO are expected back the same working day;
- a draft should be sent within a working day of being prepared.
Working days skip weekends and UK bank holidays (the `holidays` library, which
follows the official lists, for the configured part of the UK).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from bot.config import Settings


@dataclass(frozen=True)
class Calendar:
    """The organisation's working days and hours, in its own time zone."""

    zone: ZoneInfo
    subdivision: str  # ENG, WLS, SCT or NIR: bank holidays differ across the UK
    day_ends: time
    day_starts: time = time(9, 0)

    @classmethod
    def from_settings(cls, settings: Settings) -> Calendar:
        hours = settings.working_hours
        return cls(ZoneInfo(hours.timezone), hours.bank_holidays, hours.day_ends, hours.day_starts)

    def is_working_day(self, day: date) -> bool:
        return _is_working_day(self.subdivision, day)

    def end_of_working_day(self, when: datetime, extra_days: int = 0) -> datetime:
        """The end of the working day `when` falls in (the next one, out of hours), plus `extra_days`."""
        local = when.astimezone(self.zone)
        day = local.date()
        if not self.is_working_day(day) or local.time() >= self.day_ends:
            day = self.next_working_day(day)
        for _ in range(extra_days):
            day = self.next_working_day(day)
        return datetime.combine(day, self.day_ends, tzinfo=self.zone)

    def working_hours(self, start: datetime, end: datetime) -> float:
        """The working time between two moments, in hours: only working days, from day_starts to day_ends."""
        first, last = start.astimezone(self.zone), end.astimezone(self.zone)
        total = 0.0
        day = first.date()
        while day <= last.date():
            if self.is_working_day(day):
                opens = max(first, datetime.combine(day, self.day_starts, tzinfo=self.zone))
                closes = min(last, datetime.combine(day, self.day_ends, tzinfo=self.zone))
                total += max(0.0, (closes - opens).total_seconds() / 3600)
            day += timedelta(days=1)
        return round(total, 2)

    def next_working_day(self, day: date) -> date:
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day


@lru_cache(maxsize=4096)
def _is_working_day(subdivision: str, day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(subdivision, day.year)


@lru_cache(maxsize=16)
def _bank_holidays(subdivision: str, year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv=subdivision, years=year)


def decision_due(settings: Settings, calendar: Calendar, received: datetime, urgent: bool,
                 kind: str) -> datetime | None:
    """When a request needs its decision: 24 hours, or for an urgent one the same working day; None for a
    kind the configuration puts no decision clock on (`timescales.decision_kinds`)."""
    if kind not in settings.timescales.decision_kinds:
        return None
    due = received + timedelta(hours=settings.timescales.decision_hours)
    if urgent and settings.timescales.urgent_same_working_day:
        due = min(due, calendar.end_of_working_day(received))
    return due


def check_due(settings: Settings, calendar: Calendar, sent: datetime) -> datetime:
    return calendar.end_of_working_day(sent, settings.timescales.check_answer_working_days)


def draft_due(settings: Settings, calendar: Calendar, saved: datetime) -> datetime:
    return calendar.end_of_working_day(saved, settings.timescales.draft_unsent_working_days)
