"""Dates as UK writers put them, exact or vague, read against the date of the mail that says them.

A date is kept as the span of days it can mean: "14/10/2026" is one day; "yesterday",
"Monday" and "a fortnight ago" are one day counted back from the mail's own Date; "last
week", "earlier this month", "in the summer", "the first week of September" are spans.
Whoever judges the date against a limit decides which end matters (consent: the
earliest day a vague phrase can mean). Exact forms are read by dateparser with the
mail's date as its relative base and the day first; the vague ones by the table below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from dateutil.relativedelta import relativedelta

from bot.patterns import any_of

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
          r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_DAY = r"(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?"
_YEAR = r"(?:(?:19|20)\d{2}|['’]\d{2}\b)"
_WEEKDAY = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?"
_SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11), "winter": (12, 2)}

EXACT = any_of(
    r"\b(?:19|20)\d{2}-[01]\d-[0-3]\d\b",
    r"\b\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})\b",
    rf"\b{_DAY}(?:\s+of)?[\s\-]+{_MONTH}(?:,?[\s\-]+{_YEAR})?(?![\w/])",
    rf"\b{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?(?![\w/])",
    r"\b\d{1,2}/\d{1,2}\b(?![/.\-]\d)",
)
RELATIVE = any_of(
    r"\b(?:today|this morning|this afternoon)\b",
    r"\b(?:the day before )?yesterday\b",
    rf"\b(?:(?:last|this|on|the)\s+)?{_WEEKDAY}\b(?:\s+(?:just\s+gone|last|past))?",
    r"\b(?:a|one|two|three|\d{1,2})\s+(?:days?|weeks?|fortnights?)\s+ago\b",
    r"\ba\s+fortnight\s+ago\b",
    r"\bthe\s+(?:[1-9]|[12]\d|3[01])(?:st|nd|rd|th)\b",
)
VAGUE = any_of(
    r"\b(?:last|this|the\s+past)\s+week\b",
    r"\b(?:earlier|(?:at\s+)?(?:the\s+)?(?:start|beginning|end)\s+of)\s+(?:this|last)\s+month\b",
    r"\b(?:earlier\s+)?this\s+month\b",
    r"\blast\s+month\b",
    r"\b(?:(?:in|during|over|since)\s+(?:the\s+)?(?:last\s+|this\s+(?:past\s+)?)?|(?:last|this)\s+(?:past\s+)?)"
    r"(?:spring|summer(?:\s+holidays?)?|autumn|fall|winter)\b",
    rf"\b(?:(?:the\s+)?(?:first|second|third|last)\s+week|(?:the\s+)?(?:start|beginning|middle|end)|early|mid|late)"
    rf"(?:\s+of\s+|-|\s+){_MONTH}\b(?:\s+{_YEAR})?",
    rf"\b(?:back\s+)?in\s+{_MONTH}(?:\s+{_YEAR})?(?!\s*\d)",
)
_PARSER_SETTINGS = {"DATE_ORDER": "DMY", "PREFER_DAY_OF_MONTH": "first", "PREFER_DATES_FROM": "past"}


@dataclass(frozen=True)
class DateSpan:
    """The days a written date can mean, and the words it was read from."""

    earliest: date
    latest: date
    words: str
    start: int = 0  # where the words are in the text read
    end: int = 0

    @property
    def exact(self) -> date | None:
        return self.earliest if self.earliest == self.latest else None


def find_dates(text: str, base: date) -> list[DateSpan]:
    """Every date written in `text`, in order, as spans of days before or on `base` (the mail's date)."""
    found: list[DateSpan] = []
    taken: list[tuple[int, int]] = []
    for pattern, reader in ((EXACT, _exact), (VAGUE, _vague), (RELATIVE, _relative)):
        for match in pattern.finditer(text):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            span = reader(match.group(), base)
            if span is not None:
                found.append(DateSpan(span[0], span[1], match.group(), match.start(), match.end()))
                taken.append((match.start(), match.end()))
    return sorted(found, key=lambda s: s.start)


def read_date(words: str, base: date) -> date | None:
    """One exact date ("02.10.26", "Oct 2nd", "14th October 2026"), or None."""
    span = _exact(words, base)
    return span[0] if span else None


def _exact(words: str, base: date) -> tuple[date, date] | None:
    cleaned = re.sub(r"['’](\d{2})\b", r"20\1", words.strip())  # "Nov '26"
    cleaned = re.sub(r"\bof\b", " ", cleaned)
    day = _common(cleaned, base)
    if day is None:
        day = _parse(cleaned, base)
    if day is None:
        return None
    if not re.search(r"\d{4}|['’]\d{2}\b|\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2}\b", words) and day > base:
        day = day.replace(year=day.year - 1) if not (day.month == 2 and day.day == 29) else day  # no year: the past
    return day, day


_MONTH_NUMBERS = {name: n for n, names in enumerate((
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
    ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
    ("dec", "december")), start=1) for name in names}
_NUMERIC = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_WRITTEN = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[\s\-]+([A-Za-z]{3,9})\.?,?[\s\-]+(\d{4})", re.IGNORECASE)


def _common(words: str, base: date) -> date | None:
    """The forms most mail uses ("02/10/2026", "2.10.26", "2026-10-02", "2nd October 2026") read directly;
    anything else goes to dateparser, which costs a tenth of a second to load."""
    text = words.strip()
    try:
        if numeric := _NUMERIC.fullmatch(text):
            day, month, year = (int(g) for g in numeric.groups())
            if year < 100:  # "3/4/79" is 1979, "2/10/26" 2026: the latest such year not after the mail
                year += 2000 if 2000 + year <= base.year else 1900
            return date(year, month, day)  # UK order
        if iso := _ISO.fullmatch(text):
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        if (written := _WRITTEN.fullmatch(text)) and written.group(2).lower() in _MONTH_NUMBERS:
            return date(int(written.group(3)), _MONTH_NUMBERS[written.group(2).lower()], int(written.group(1)))
    except ValueError:
        return None  # "31/02/2026": no such day
    return None


@lru_cache(maxsize=4096)
def _parse(words: str, base: date) -> date | None:
    import dateparser  # the first call costs a tenth of a second; only request reading needs it

    settings = {**_PARSER_SETTINGS, "RELATIVE_BASE": datetime(base.year, base.month, base.day)}
    try:
        parsed = dateparser.parse(words, languages=["en"], settings=settings)
    except Exception:  # noqa: BLE001 - dateparser's own errors on odd text: an unread date is no date
        return None
    return parsed.date() if isinstance(parsed, datetime) else None


_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_COUNTS = {"a": 1, "one": 1, "two": 2, "three": 3}


def _relative(words: str, base: date) -> tuple[date, date] | None:
    lowered = words.lower()
    if lowered.startswith(("today", "this morning", "this afternoon")):
        return base, base
    if "yesterday" in lowered:
        back = base - timedelta(days=2 if "day before" in lowered else 1)
        return back, back
    if "ago" in lowered:
        return _ago(lowered, base)
    nth = re.match(r"the\s+(\d{1,2})", lowered)
    if nth:
        return _day_of_month(int(nth.group(1)), base)
    weekday = next((n for n, name in enumerate(_WEEKDAYS) if re.search(rf"\b{name}", lowered)), None)
    if weekday is None:
        return None
    # "Monday" in a mail sent on a Tuesday is the day before; on a Monday, a week before.
    days_back = (base.weekday() - weekday) % 7 or 7
    that_day = base - timedelta(days=days_back)
    return that_day, that_day


def _ago(lowered: str, base: date) -> tuple[date, date] | None:
    count_word = lowered.split()[0]
    count = int(count_word) if count_word.isdigit() else _COUNTS.get(count_word, 1)
    days = count * (14 if "fortnight" in lowered else 7 if "week" in lowered else 1)
    day = base - timedelta(days=days)
    return day, day


def _day_of_month(day_number: int, base: date) -> tuple[date, date] | None:
    month = base.replace(day=1)
    for _ in range(2):
        try:
            candidate = month.replace(day=day_number)
        except ValueError:
            candidate = None
        if candidate is not None and candidate <= base:
            return candidate, candidate
        month = month - relativedelta(months=1)
    return None


def _vague(words: str, base: date) -> tuple[date, date] | None:
    lowered = " ".join(words.lower().split())
    this_month = base.replace(day=1)
    last_month = this_month - relativedelta(months=1)
    if "week" in lowered and not re.search(_MONTH, lowered.split("week", 1)[1] if "week" in lowered else ""):
        start = base - timedelta(days=base.weekday() + (7 if "last" in lowered or "past" in lowered else 0))
        return start, min(base, start + timedelta(days=6))
    if "month" in lowered:
        month = last_month if "last month" in lowered else this_month
        month_end = month + relativedelta(months=1) - timedelta(days=1)
        if "start" in lowered or "beginning" in lowered:
            return month, min(base, month + timedelta(days=9))
        if "end of" in lowered:
            return max(month, month_end - timedelta(days=9)), min(base, month_end)
        return month, min(base, month_end)
    season = next((name for name in _SEASONS if name in lowered), None)
    if season is not None:
        return _season(season, "holiday" in lowered, "last" in lowered, base)
    return _part_of_month(lowered, base)


def _season(name: str, holidays: bool, last: bool, base: date) -> tuple[date, date] | None:
    first, last_month = _SEASONS[name]
    year = base.year
    start = date(year, first, 1)
    if start > base:
        year -= 1
    if last and date(year, first, 1) <= base <= _season_end(year, first, last_month):
        year -= 1  # "last summer" said during a summer is the one before
    start = date(year, first, 1)
    end = _season_end(year, first, last_month)
    if holidays and name == "summer":  # the school summer holidays: late July to early September
        start, end = date(year, 7, 20), date(year, 9, 5)
    if start > base:
        return None
    return start, min(end, base)


def _season_end(year: int, first: int, last_month: int) -> date:
    end_year = year + 1 if last_month < first else year
    return date(end_year, last_month, 1) + relativedelta(months=1) - timedelta(days=1)


def _part_of_month(lowered: str, base: date) -> tuple[date, date] | None:
    month_match = re.search(_MONTH, lowered)
    if month_match is None:
        return None
    month_number = _MONTHS.index(month_match.group()[:3]) + 1
    year_match = re.search(r"(?:19|20)(\d{2})|['’](\d{2})", lowered[month_match.end():])
    year = int("20" + (year_match.group(2) or year_match.group(1))) if year_match else base.year
    if not year_match and date(year, month_number, 1) > base:
        year -= 1
    start = date(year, month_number, 1)
    end = start + relativedelta(months=1) - timedelta(days=1)
    span = _part(lowered, start, end)
    return (span[0], min(span[1], base)) if span[0] <= base else None


def _part(lowered: str, start: date, end: date) -> tuple[date, date]:
    for words, first, last in (("first week", 0, 6), ("second week", 7, 13), ("third week", 14, 20),
                               ("start", 0, 9), ("beginning", 0, 9), ("early", 0, 9), ("middle", 10, 19),
                               ("mid", 10, 19)):
        if words in lowered:
            return start + timedelta(days=first), start + timedelta(days=last)
    if any(words in lowered for words in ("last week", "end", "late")):
        return end - timedelta(days=9), end
    return start, end
