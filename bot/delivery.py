"""Dutch wording of delivery moments, and deadlines a customer mentions ("morgen nodig").

Plain Python: used by the actions and unit-tested on its own.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.text import clause_around

WEEKDAYS = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"]
MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december"]


def describe_day(day: date, today: date) -> str:
    delta = (day - today).days
    if delta == 0:
        return "vandaag"
    if delta == 1:
        return "morgen"
    if delta == 2:
        return "overmorgen"
    if delta == -1:
        return "gisteren"
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"


def describe_window(start: datetime, end: datetime, today: date) -> str:
    """'morgen tussen 10:00 en 12:00'."""
    return f"{describe_day(start.date(), today)} tussen {start:%H:%M} en {end:%H:%M}"


@dataclass(frozen=True)
class Deadline:
    latest: datetime  # the moment the parcel must be there
    evidence: str  # the customer's words that named it
    label: str  # Dutch wording of the deadline ("morgenochtend")


_PART_OF_DAY = {"ochtend": time(12, 0), "middag": time(17, 0), "avond": time(23, 59)}
_RELATIVE = re.compile(r"\b(vandaag|overmorgen|morgen)(ochtend|middag|avond|vroeg)?\b", re.IGNORECASE)
_WEEKDAY = re.compile(r"\b(" + "|".join(WEEKDAYS) + r")(ochtend|middag|avond)?\b", re.IGNORECASE)
_DATE = re.compile(r"\b(\d{1,2})(?:[-/](\d{1,2})|\s+(" + "|".join(MONTHS) + r"))\b", re.IGNORECASE)
_WEEKEND = re.compile(r"\b(dit|het) weekend\b", re.IGNORECASE)


def _sentence_around(text: str, start: int, end: int) -> str:
    return clause_around(text, start, end, stops=".!?,")


def _at(day: date, part: str | None) -> datetime:
    if part == "vroeg":
        part = "ochtend"
    return datetime.combine(day, _PART_OF_DAY.get((part or "avond").lower(), time(23, 59)))


def find_deadline(text: str, now: datetime) -> Deadline | None:
    """The first deadline named in the text, resolved against `now`."""
    today = now.date()
    candidates: list[tuple[int, Deadline]] = []
    for match in _RELATIVE.finditer(text):
        word, part = match.group(1).lower(), match.group(2)
        offset = {"vandaag": 0, "morgen": 1, "overmorgen": 2}[word]
        latest = _at(today + timedelta(days=offset), part)
        label = word + (part.lower() if part else "")
        candidates.append((match.start(), Deadline(latest, _sentence_around(text, match.start(), match.end()), label)))
    for match in _WEEKDAY.finditer(text):
        weekday = WEEKDAYS.index(match.group(1).lower())
        offset = (weekday - today.weekday()) % 7
        latest = _at(today + timedelta(days=offset), match.group(2))
        label = match.group(0).lower()
        candidates.append((match.start(), Deadline(latest, _sentence_around(text, match.start(), match.end()), label)))
    for match in _DATE.finditer(text):
        day_number = int(match.group(1))
        month = int(match.group(2)) if match.group(2) else MONTHS.index(match.group(3).lower()) + 1
        try:
            day = date(today.year, month, day_number)
        except ValueError:
            continue
        if day < today:
            day = date(today.year + 1, month, day_number)
        candidates.append((match.start(), Deadline(_at(day, None), _sentence_around(text, match.start(), match.end()),
                                                   f"{day.day} {MONTHS[day.month - 1]}")))
    for match in _WEEKEND.finditer(text):
        offset = (5 - today.weekday()) % 7
        candidates.append((match.start(), Deadline(_at(today + timedelta(days=offset), None),
                                                   _sentence_around(text, match.start(), match.end()), "dit weekend")))
    if not candidates:
        return None
    return min(candidates, key=lambda item: item[0])[1]


def arrives_in_time(expected_until: datetime | None, deadline: Deadline) -> bool:
    """True only when the whole expected window closes before the deadline."""
    return expected_until is not None and expected_until <= deadline.latest
