"""Business hours, holidays and callback windows, read from business_hours.yml (P8).

Times in the file are local wall-clock times; everything that leaves this module as a datetime is
timezone-aware, and `to_utc_naive` converts for the database (which keeps naive UTC).
"""
from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.config import ROOT

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DUTCH_DAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
DUTCH_DAYS_SHORT = ("ma", "di", "wo", "do", "vr", "za", "zo")
DUTCH_MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
                "oktober", "november", "december")
DUTCH_MONTHS_SHORT = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class HoursError(ValueError):
    """The business hours file is wrong; the message says where."""


@dataclass(frozen=True)
class CallbackRules:
    slot_minutes: int = 120
    days_ahead: int = 3
    slots_per_day: int = 3
    per_slot: int = 4
    lead_minutes: int = 30


@dataclass(frozen=True)
class Window:
    start: datetime  # aware, local
    end: datetime

    @property
    def key(self) -> str:
        """Stable identifier for a button payload: local start as YYYYMMDDHHMM."""
        return self.start.strftime("%Y%m%d%H%M")


Span = tuple[int, int]  # minutes after midnight: open, close (close may be 1440)


def _span(value: object, where: str) -> Span | None:
    if value in (None, "closed", "gesloten", False):
        return None
    match = SPAN.match(str(value))
    if not match:
        raise HoursError(f"{where}: '{value}' is not a time span like \"08:30-20:00\" or 'closed'")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    opens, closes = h1 * 60 + m1, h2 * 60 + m2
    if h1 > 23 or m1 > 59 or m2 > 59 or closes > 24 * 60 or closes <= opens:
        raise HoursError(f"{where}: '{value}' must open before it closes, between 00:00 and 24:00")
    return opens, closes


def clock(moment: datetime | time) -> str:
    """'8:30', '17:00': the way Dutch shops write times."""
    return f"{moment.hour}:{moment.minute:02d}"


def dutch_date(day: date, *, weekday: bool = True) -> str:
    text = f"{day.day} {DUTCH_MONTHS[day.month - 1]}"
    return f"{DUTCH_DAYS[day.weekday()]} {text}" if weekday else text


def short_date(day: date) -> str:
    """'ma 27 nov': a day in a list, a chart or a button."""
    return f"{DUTCH_DAYS_SHORT[day.weekday()]} {day.day} {DUTCH_MONTHS_SHORT[day.month - 1]}"


def day_phrase(day: date, today: date) -> str:
    """'vandaag', 'morgen (dinsdag 24 november)' or 'woensdag 25 november'."""
    if day == today:
        return "vandaag"
    if day == today + timedelta(days=1):
        return f"morgen ({dutch_date(day)})"
    return dutch_date(day)


def window_label(window: Window) -> str:
    """Short button text: 'di 24 nov 8:30–10:30'."""
    day = window.start
    return f"{short_date(day)} {clock(day)}–{clock(window.end)}"


class BusinessHours:
    def __init__(self, tz: ZoneInfo, weekly: dict[int, Span | None], holidays: dict[date, tuple[str, Span | None]],
                 callbacks: CallbackRules):
        self.tz, self.weekly, self.holidays, self.callbacks = tz, weekly, holidays, callbacks

    # --- reading -------------------------------------------------------------------------------------
    @classmethod
    def from_mapping(cls, data: object, source: str = "business_hours.yml") -> "BusinessHours":
        if not isinstance(data, dict):
            raise HoursError(f"{source}: expected a mapping with timezone, hours, holidays")
        try:
            tz = ZoneInfo(str(data.get("timezone", "Europe/Amsterdam")))
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise HoursError(f"{source}: unknown timezone {data.get('timezone')!r}") from exc
        hours = data.get("hours") or {}
        if not isinstance(hours, dict) or set(hours) - set(DAYS):
            raise HoursError(f"{source}: hours must map {', '.join(DAYS)} to a span or 'closed'")
        weekly = {i: _span(hours.get(name), f"{source}: hours.{name}") for i, name in enumerate(DAYS)}
        holidays: dict[date, tuple[str, Span | None]] = {}
        for n, item in enumerate(data.get("holidays") or []):
            where = f"{source}: holidays[{n}]"
            if not isinstance(item, dict) or not isinstance(item.get("date"), date):
                raise HoursError(f"{where}: needs a date like 2026-12-25")
            holidays[item["date"]] = (str(item.get("name") or "feestdag"), _span(item.get("hours"), where))
        rules = data.get("callbacks") or {}
        try:
            callbacks = CallbackRules(**{k: int(v) for k, v in rules.items()})
        except (TypeError, ValueError) as exc:
            raise HoursError(f"{source}: callbacks: {exc}") from exc
        if min(callbacks.slot_minutes, callbacks.days_ahead, callbacks.slots_per_day, callbacks.per_slot) < 1:
            raise HoursError(f"{source}: callbacks values must be at least 1")
        return cls(tz, weekly, holidays, callbacks)

    # --- questions -----------------------------------------------------------------------------------
    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz) if moment.tzinfo else moment.replace(tzinfo=timezone.utc).astimezone(self.tz)

    def span_on(self, day: date) -> Span | None:
        if day in self.holidays:
            return self.holidays[day][1]
        return self.weekly[day.weekday()]

    def _at(self, day: date, minutes: int) -> datetime:
        return datetime.combine(day, time(0), tzinfo=self.tz) + timedelta(minutes=minutes)

    def is_open(self, moment: datetime) -> bool:
        now = self.local(moment)
        span = self.span_on(now.date())
        if span is None:
            return False
        minutes = now.hour * 60 + now.minute
        return span[0] <= minutes < span[1]

    def next_opening(self, moment: datetime) -> datetime | None:
        """When the team is there again (now, if open); None if closed for the next three weeks."""
        now = self.local(moment)
        if self.is_open(now):
            return now
        for offset in range(0, 22):
            day = now.date() + timedelta(days=offset)
            span = self.span_on(day)
            if span is not None and self._at(day, span[0]) > now:
                return self._at(day, span[0])
        return None

    def back_sentence(self, moment: datetime) -> str:
        """'We zijn er weer morgen (dinsdag 24 november) vanaf 8:30.'"""
        now = self.local(moment)
        opening = self.next_opening(now)
        if opening is None:
            return "Ons team is de komende tijd niet bereikbaar via de chat."
        when = day_phrase(opening.date(), now.date())
        holiday = self.holidays.get(now.date())
        closed_because = f"Vandaag is het {holiday[0]}. " if holiday and holiday[1] is None else ""
        return f"{closed_because}Ons team is er weer {when} vanaf {clock(opening)}."

    def callback_windows(self, moment: datetime, taken: Mapping[datetime, int] | None = None) -> list[Window]:
        """Free callback windows on the coming business days, earliest first.

        `taken` counts booked callbacks per window start (aware datetimes); full windows are skipped.
        """
        taken = taken or {}
        rules = self.callbacks
        now = self.local(moment)
        earliest = now + timedelta(minutes=rules.lead_minutes)
        windows: list[Window] = []
        days_with_windows = 0
        for offset in range(0, 31):
            day = now.date() + timedelta(days=offset)
            span = self.span_on(day)
            if span is None:
                continue
            free: list[Window] = []
            start = span[0]
            while start < span[1]:
                end = min(start + rules.slot_minutes, span[1])
                window = Window(self._at(day, start), self._at(day, end))
                long_enough = end - start >= min(30, rules.slot_minutes)
                if long_enough and window.start >= earliest and taken.get(window.start, 0) < rules.per_slot:
                    free.append(window)
                start = end
            today = _spread(free, rules.slots_per_day)
            if today:
                windows += today
                days_with_windows += 1
                if days_with_windows >= rules.days_ahead:
                    break
        return windows

    def weekly_summary(self) -> str:
        """'ma–vr 8:30–20:00, za 9:00–17:00' (days with equal hours grouped)."""
        groups: list[tuple[int, int, Span]] = []
        for i in range(7):
            span = self.weekly[i]
            if span is None:
                continue
            if groups and groups[-1][2] == span and groups[-1][1] == i - 1:
                groups[-1] = (groups[-1][0], i, span)
            else:
                groups.append((i, i, span))

        def hhmm(m: int) -> str:
            return f"{m // 60}:{m % 60:02d}"
        parts = []
        for first, last, (opens, closes) in groups:
            days = DUTCH_DAYS_SHORT[first] if first == last else f"{DUTCH_DAYS_SHORT[first]}–{DUTCH_DAYS_SHORT[last]}"
            parts.append(f"{days} {hhmm(opens)}–{hhmm(closes)}")
        return ", ".join(parts)


def _spread(windows: list[Window], count: int) -> list[Window]:
    """At most `count` windows, spread over the day (morning, afternoon, evening), not just the first ones."""
    if len(windows) <= count:
        return windows
    if count == 1:
        return windows[:1]
    picks = sorted({round(i * (len(windows) - 1) / (count - 1)) for i in range(count)})
    return [windows[i] for i in picks]


def to_utc_naive(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def hours_file() -> Path:
    return Path(os.environ.get("BUSINESS_HOURS_FILE") or ROOT / "business_hours.yml")


_cache: dict[Path, tuple[tuple[int, int], BusinessHours]] = {}


def load(path: Path | None = None) -> BusinessHours:
    """The business hours, re-read when the file changes (so an edit needs no restart)."""
    path = path or hours_file()
    try:
        stat = path.stat()
        mtime = (stat.st_mtime_ns, stat.st_size)
    except OSError as exc:
        raise HoursError(f"{path}: cannot read the business hours file ({exc.strerror})") from exc
    cached = _cache.get(path)
    if cached and cached[0] == mtime:
        return cached[1]
    with path.open(encoding="utf-8") as handle:
        try:
            data = yaml.safe_load(handle)
        except yaml.YAMLError as exc:
            raise HoursError(f"{path}: not valid YAML ({exc})") from exc
    hours = BusinessHours.from_mapping(data, source=path.name)
    _cache[path] = (mtime, hours)
    return hours


class HoursFile:
    """The hours as the file says now, for a process that runs for days: an edit counts without a restart, and
    a broken edit keeps the last good version (and says so in the log). A broken file at the start stops it."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._good = load(path)

    def current(self) -> BusinessHours:
        try:
            self._good = load(self.path)
        except HoursError as exc:
            logging.getLogger(__name__).error("business hours not reloaded, keeping the previous ones: %s", exc)
        return self._good
