"""Dutch wording of delivery moments, and deadlines a customer mentions ("morgen nodig").

Plain Python: used by the actions and unit-tested on its own.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from datetime import date, datetime, time, timedelta

from bot.text import clause_around

if TYPE_CHECKING:
    from bot.webshop import Order

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
    label: str  # Dutch wording of the deadline ("morgenochtend", "vóór Sinterklaas")
    reason: str | None = None  # why it matters, in the customer's words ("mijn zus vertrekt morgen")


_PART_OF_DAY = {"ochtend": time(12, 0), "middag": time(17, 0), "avond": time(23, 59)}
_PART = r"(?:\s?(ochtend|middag|avond|vroeg))?"
# typos and English words as customers type them ("morgn", "overmorge", "tomorrow")
_RELATIVE_WORDS = {"vandaag": 0, "today": 0, "overmorgen": 2, "overmorge": 2, "overmorgn": 2, "morgen": 1,
                   "morgn": 1, "morge": 1, "tomorrow": 1}
_RELATIVE = re.compile(r"\b(" + "|".join(_RELATIVE_WORDS) + ")" + _PART + r"\b", re.IGNORECASE)
# a time after the day: "morgen voor 12 uur", "donderdag 15:00", "vrijdag om 3 uur" (1-7 o'clock is afternoon)
_CLOCK = re.compile(r"^\s*(?:,\s*)?(?:voor|vóór|om|tegen|uiterlijk|ten laatste)?\s*(\d{1,2})(?:(?:[:.](\d{2}))\s*(?:uur|u)?|"
                    r"\s*(?:uur|u))\b", re.IGNORECASE)
# "eind deze maand", "voor het einde van de maand": the month's last day
_MONTH_END = re.compile(r"\b(?:eind|einde|voor het eind|voor het einde)\s+(?:van\s+)?(deze|de|volgende)\s+maand\b",
                        re.IGNORECASE)
_TONIGHT = re.compile(r"\b(vanavond|vanmiddag|vannacht)\b", re.IGNORECASE)
_WEEKDAY = re.compile(r"\b(" + "|".join(WEEKDAYS) + r")" + _PART + r"\b", re.IGNORECASE)
_SHORT_MONTHS = {m[:3]: i + 1 for i, m in enumerate(MONTHS)} | {"sept": 9}
_DATE = re.compile(r"\b(\d{1,2})(?:[-/](\d{1,2})\b|\s+(" + "|".join(MONTHS) + "|" + "|".join(_SHORT_MONTHS)
                   + r")\b\.?)", re.IGNORECASE)
_NTH = re.compile(r"\b(?:de|op de|voor de|uiterlijk de)\s+(\d{1,2})(?:e|ste|de)\b", re.IGNORECASE)
_WEEKEND = re.compile(r"\b(dit|het|komend|komende) weekend\b", re.IGNORECASE)
_NUMBERS = {"anderhalve": 1.5, "anderhalf": 1.5, "een": 1, "één": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7, "acht": 8,
            "negen": 9, "tien": 10, "elf": 11, "twaalf": 12, "veertien": 14, "twintig": 20}
# "over drie dagen", "binnen 3 werkdagen", "in twee weken", "binnen 48 uur": digits and words alike.
_IN_DAYS = re.compile(r"\b(over|binnen|in)\s+(?:de\s+|het\s+)?(?:komende\s+|volgende\s+)?("
                      + "|".join(_NUMBERS) + r"|\d{1,3})\s+(dag|dagen|werkdag|werkdagen|week|weken|uur)\b",
                      re.IGNORECASE)
# "eind volgende week", "begin deze week", "volgende week" (a weekday after it is _NEXT_WEEK's)
_WHOLE_WEEK = re.compile(r"\b(?:(eind|einde|begin|halverwege|midden)\s+)?(deze|volgende|komende)\s+week\b"
                         r"(?!\s+(?:" + "|".join(WEEKDAYS) + r"))", re.IGNORECASE)
_WEEK_PART_DAY = {"begin": 1, "halverwege": 2, "midden": 2, "eind": 4, "einde": 4, None: 4}  # Tuesday .. Friday
_NEXT_WEEK = re.compile(r"\b(?:volgende|komende)\s+week\s+(" + "|".join(WEEKDAYS) + r")" + _PART + r"\b", re.IGNORECASE)
# Feast days by (month, day, hour): "voor kerst" means it must be there by Christmas Eve.
_FEASTS = [
    (re.compile(r"\b(sinterklaas|pakjesavond|sint)\b", re.IGNORECASE), (12, 5, 17), "Sinterklaas (5 december)"),
    (re.compile(r"\b(kerst|kerstmis|kerstavond|kerstdag|kerstdagen|kerstfeest|feestdagen)\b", re.IGNORECASE), (12, 24, 17),
     "kerst"),
    (re.compile(r"\b(valentijn|valentijnsdag)\b", re.IGNORECASE), (2, 14, 8), "Valentijnsdag"),
    (re.compile(r"\b(oudjaar|oudejaarsavond|oud en nieuw|oudejaarsdag)\b", re.IGNORECASE), (12, 31, 17), "oudjaar"),
    (re.compile(r"\b(moederdag)\b", re.IGNORECASE), None, "moederdag"),
]
# Why a date matters, in the customer's words: the clause with one of these, or after "want"/"omdat".
_REASON_WORDS = re.compile(
    r"\b(verjaardag|jarig|vakantie|op reis|vertrek\w*|verhuis\w*|verhuiz\w*|bruiloft|trouw\w*|feest\w*|cadeau\w*|"
    r"kado|sinterklaas|kerst\w*|pakjesavond|examen|begrafenis|uitvaart|weekend weg|kamp|vliegtuig|vlucht|"
    r"logeren|bezoek|opa|oma|zoon|dochter|zus|broer|moeder|vader|vriend\w*|kinderen|kind|baby|geboorte|"
    r"kraamcadeau|jubileum|communie|diploma|optreden|wedstrijd|vlieg\w*|vier\w*|viering)\b", re.IGNORECASE)
_BECAUSE = re.compile(r"\b(want|omdat|aangezien|voor de|voor mijn|voor ons)\b", re.IGNORECASE)


def _sentence_around(text: str, start: int, end: int) -> str:
    return clause_around(text, start, end, stops=".!?,")


def _at(day: date, part: str | None) -> datetime:
    if part and part.lower() == "vroeg":
        part = "ochtend"
    return datetime.combine(day, _PART_OF_DAY.get((part or "avond").lower(), time(23, 59)))


def _next_date(today: date, month: int, day_number: int) -> date | None:
    for year in (today.year, today.year + 1):
        try:
            day = date(year, month, day_number)
        except ValueError:
            return None
        if day >= today:
            return day
    return None


def _candidates(text: str, now: datetime) -> list[tuple[int, int, datetime, str]]:
    """(start, end, latest moment, label) for every deadline the text names."""
    today = now.date()
    found: list[tuple[int, int, datetime, str]] = []
    for match in _RELATIVE.finditer(text):
        word, part = match.group(1).lower(), match.group(2)
        offset = _RELATIVE_WORDS[word]
        word = ("vandaag", "morgen", "overmorgen")[offset]
        label = word + (part.lower() if part and part.lower() != "vroeg" else ("vroeg" if part else ""))
        label = {"morgenvroeg": "morgen vroeg"}.get(label, label)
        found.append((match.start(), match.end(), _at(today + timedelta(days=offset), part), label))
    for match in _TONIGHT.finditer(text):
        word = match.group(1).lower()
        moment = {"vanavond": _at(today, "avond"), "vanmiddag": _at(today, "middag"),
                  "vannacht": datetime.combine(today + timedelta(days=1), time(6, 0))}[word]
        found.append((match.start(), match.end(), moment, word))
    next_week = [m.span(1) for m in _NEXT_WEEK.finditer(text)]
    for match in _WEEKDAY.finditer(text):
        if any(start <= match.start() < end for start, end in next_week):
            continue
        weekday = WEEKDAYS.index(match.group(1).lower())
        offset = (weekday - today.weekday()) % 7
        found.append((match.start(), match.end(), _at(today + timedelta(days=offset), match.group(2)),
                      match.group(0).lower()))
    for match in _DATE.finditer(text):
        month_word = (match.group(3) or "").lower().rstrip(".")
        month = int(match.group(2)) if match.group(2) else (
            MONTHS.index(month_word) + 1 if month_word in MONTHS else _SHORT_MONTHS.get(month_word))
        if not month or not 1 <= month <= 12:
            continue
        day = _next_date(today, month, int(match.group(1)))
        if day:
            found.append((match.start(), match.end(), _at(day, None), f"{day.day} {MONTHS[day.month - 1]}"))
    for match in _NTH.finditer(text):
        number = int(match.group(1))
        month = today.month if number >= today.day else today.month % 12 + 1
        day = _next_date(today, month, number)
        if day:
            found.append((match.start(), match.end(), _at(day, None), f"{day.day} {MONTHS[day.month - 1]}"))
    for match in _WHOLE_WEEK.finditer(text):
        monday = today - timedelta(days=today.weekday())
        if match.group(2).lower() != "deze":
            monday += timedelta(days=7)
        part = match.group(1).lower() if match.group(1) else None
        day = max(today, monday + timedelta(days=_WEEK_PART_DAY[part]))
        found.append((match.start(), match.end(), _at(day, None), match.group(0).lower()))
    for match in _WEEKEND.finditer(text):
        offset = (5 - today.weekday()) % 7  # "dit weekend nodig": there by Saturday
        found.append((match.start(), match.end(), _at(today + timedelta(days=offset), None), "dit weekend"))
    for match in _IN_DAYS.finditer(text):
        number, unit = match.group(2).lower(), match.group(3).lower()
        amount = int(number) if number.isdigit() else _NUMBERS[number]
        if unit == "uur":
            moment = now + timedelta(hours=amount)
        elif unit.startswith("werkdag"):
            day, left = today, int(amount)
            while left:
                day += timedelta(days=1)
                left -= day.weekday() < 5
            moment = _at(day, None)
        else:
            moment = _at(today + timedelta(days=int(amount * (7 if unit.startswith("we") else 1))), None)
        found.append((match.start(), match.end(), moment, match.group(0).lower()))
    for match in _NEXT_WEEK.finditer(text):  # "volgende week dinsdag": the Tuesday of next week
        monday = today + timedelta(days=7 - today.weekday())
        day = monday + timedelta(days=WEEKDAYS.index(match.group(1).lower()))
        found.append((match.start(), match.end(), _at(day, match.group(2)), match.group(0).lower()))
    for pattern, when, label in _FEASTS:
        match = pattern.search(text)
        if not match or when is None:
            continue
        month, day_number, hour = when
        day = _next_date(today, month, day_number)
        if day:
            found.append((match.start(), match.end(), datetime.combine(day, time(hour, 0)),
                          f"vóór {label}" if re.search(r"\bvoor\s+(de\s+|eerste\s+|tweede\s+)?" + re.escape(match.group(0)),
                                                          text, re.I)
                          else label))
    for match in _MONTH_END.finditer(text):
        month = today.month % 12 + 1 if match.group(1).lower() == "volgende" else today.month
        year = today.year + (1 if month < today.month else 0)
        last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1))
        found.append((match.start(), match.end(), _at(last, None), "eind " + MONTHS[month - 1]))
    return [_with_clock(text, item) for item in _dated_weekdays(found)]


def _with_clock(text: str, item: tuple[int, int, datetime, str]) -> tuple[int, int, datetime, str]:
    """The hour named right after a day ("morgen voor 12 uur") is the latest moment, not the end of that day."""
    start, end, latest, label = item
    clock = _CLOCK.match(text[end:end + 25])
    if not clock or label.startswith(("over ", "binnen ", "in ")):
        return item
    hour, minute = int(clock.group(1)), int(clock.group(2) or 0)
    hour += 12 if 1 <= hour <= 7 else 0
    if hour > 23 or minute > 59:
        return item
    return start, end + clock.end(), latest.replace(hour=hour, minute=minute), label + f" {hour:02d}:{minute:02d}"


def _dated_weekdays(found: list[tuple[int, int, datetime, str]]) -> list[tuple[int, int, datetime, str]]:
    """A weekday with a date right after it ("zaterdag de 12e", "donderdag 10 dec"): the date says which one,
    so the weekday alone (this coming one) is dropped."""
    dates = [item for item in found if item[3][:1].isdigit()]
    return [item for item in found
            if not (item[3].split()[0] in WEEKDAYS and any(0 <= d[0] - item[1] <= 4 for d in dates))]


def _reason(text: str, start: int, end: int) -> str | None:
    """The customer's own words for why the date matters, when they give them (not the date itself)."""
    for because in _BECAUSE.finditer(text):
        if start <= because.start() < end:
            continue  # "voor kerst" is the deadline, not its reason
        tail = text[because.start():]
        tail = tail[:min([i for i in (tail.find(c) for c in ".!?") if i != -1] or [len(tail)])]
        if _REASON_WORDS.search(tail) or because.group(1).lower() in ("want", "omdat", "aangezien"):
            return tail.strip(" ,")[:160]
    for word in _REASON_WORDS.finditer(text):
        if start <= word.start() < end:
            continue
        return clause_around(text, word.start(), word.end(), stops=".!?,").strip()[:160]
    return None


def find_deadline(text: str, now: datetime) -> Deadline | None:
    """The first deadline named in the text, resolved against `now`, with the reason when given."""
    candidates = _candidates(text, now)
    if not candidates:
        return None
    start, end, latest, label = min(candidates, key=lambda item: item[0])
    return Deadline(latest, _sentence_around(text, start, end), label, _reason(text, start, end))


# A moment only matters for a parcel when the customer needs it by then ("tot morgen!" is a goodbye).
_NEED = re.compile(r"\b(nodig|hebben|moet|moeten|binnen|op tijd|halen|haalt|uiterlijk|ten laatste|tegen|voor|vóór|"
                   r"er zijn|er is|komt|te laat|graag|aub|a\.u\.b|alsjeblieft|alstublieft|pls|please|"
                   r"komen|bezorgd|bezorgen|geleverd|leveren|aankomen|lukt|lukken|kan het|kunnen|zijn|vertrek\w*|"
                   r"verjaardag|jarig|cadeau|feest|vakantie|weg)\b", re.IGNORECASE)


# ... and a question about the shop itself is not about an order ("hebben jullie zondag open?").
_GENERAL = re.compile(r"\b(open|geopend|openingstijden|bereikbaar|gesloten|jullie|bezorgen jullie|leveren jullie|"
                      r"bezorgt u|werkdagen|altijd|meestal|normaal)\b", re.IGNORECASE)


def needed_by(text: str, now: datetime) -> Deadline | None:
    """A deadline the customer needs the order by, or None ("tot morgen", "ik bel morgen wel",
    "hebben jullie zondag open?")."""
    if _GENERAL.search(text) and not re.search(r"\b(mijn|ik|we|wij|mij)\b", text, re.I):
        return None
    for start, end, latest, label in sorted(_candidates(text, now), key=lambda item: item[0]):
        deadline = Deadline(latest, _sentence_around(text, start, end), label, _reason(text, start, end))
        # the need must be said besides the moment ("binnen 30 dagen retourneren" names a term, not a need)
        need = _NEED.search(deadline.evidence.replace(text[start:end], " ")) or re.match(
            r"(voor|vóór|uiterlijk|tegen)\b", text[start:end], re.IGNORECASE)
        if need or deadline.reason or re.search(r"\b(sinterklaas|kerst|oudjaar)", label, re.I):
            return deadline  # the first moment the customer needs it by ("vandaag verstuurd? ... overmorgen nodig")
    return None


def arrives_in_time(expected_until: datetime | None, deadline: Deadline) -> bool:
    """True only when the whole expected window closes before the deadline."""
    return expected_until is not None and expected_until <= deadline.latest


def status_sentence(order: "Order", today: date) -> str:
    """The Dutch status line, also kept as a fact for the agent."""
    if order.status == "delivered" and order.delivered_at:
        return f"Bezorgd {describe_day(order.delivered_at.date(), today)} om {order.delivered_at:%H:%M}"
    if order.status == "processing":
        window = describe_window(order.expected_from, order.expected_until, today) if order.expected_from else "binnenkort"
        return f"Betaald, nog niet verzonden; verwachte bezorging {window}"
    window = describe_window(order.expected_from, order.expected_until, today) if order.expected_from else "onbekend"
    if order.status == "delayed":
        promised = describe_day(order.promised_date, today) if order.promised_date else "eerder"
        return f"Vertraagd bij {order.carrier}: nu verwacht {window} (beloofd was {promised})"
    return f"Onderweg met {order.carrier}, verwacht {window}"
