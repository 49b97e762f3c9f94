"""Business hours, holidays and callback windows from business_hours.yml."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
import yaml

from bot.config import ROOT
from bot.hours import BusinessHours, HoursError, load, window_label

SHOP = load(ROOT / "business_hours.yml")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def test_open_on_a_weekday_afternoon_and_closed_at_night_on_sunday_and_holidays():
    assert SHOP.is_open(utc(2026, 11, 24, 12, 0))          # tuesday 13:00 in Amsterdam
    assert not SHOP.is_open(utc(2026, 11, 23, 21, 50))     # monday 22:50
    assert not SHOP.is_open(utc(2026, 11, 29, 12, 0))      # sunday
    assert not SHOP.is_open(utc(2026, 12, 25, 12, 0))      # Eerste Kerstdag
    assert SHOP.is_open(utc(2026, 12, 24, 15, 0))          # Kerstavond until 17:00 ...
    assert not SHOP.is_open(utc(2026, 12, 24, 16, 30))     # ... not after


def test_the_customer_hears_when_the_team_is_back_in_dutch():
    assert SHOP.back_sentence(utc(2026, 11, 23, 21, 50)) == "Ons team is er weer morgen (dinsdag 24 november) vanaf 8:30."
    assert SHOP.back_sentence(utc(2026, 11, 24, 6, 0)) == "Ons team is er weer vandaag vanaf 8:30."
    christmas = SHOP.back_sentence(utc(2026, 12, 25, 10, 0))
    assert christmas == "Vandaag is het Eerste Kerstdag. Ons team is er weer maandag 28 december vanaf 8:30."


def test_callback_windows_lie_in_the_coming_business_days_spread_over_the_day():
    windows = SHOP.callback_windows(utc(2026, 11, 23, 21, 50))
    labels = [window_label(w) for w in windows]
    assert labels[:3] == ["di 24 nov 8:30–10:30", "di 24 nov 12:30–14:30", "di 24 nov 18:30–20:00"]
    assert {w.start.date().isoformat() for w in windows} == {"2026-11-24", "2026-11-25", "2026-11-26"}
    saturday = SHOP.callback_windows(utc(2026, 11, 28, 15, 0))  # 16:00 saturday: sunday skipped
    assert [w.start.strftime("%a %H:%M") for w in saturday][:1] == ["Mon 08:30"]


def test_windows_start_after_the_lead_time_and_full_windows_are_not_offered():
    now = utc(2026, 11, 24, 7, 10)  # 8:10 local: the 8:30 window is within the 30 minutes lead
    first = SHOP.callback_windows(now)[0]
    assert first.start.strftime("%H:%M") == "10:30"
    full = {first.start: SHOP.callbacks.per_slot}
    assert first not in SHOP.callback_windows(now, full)


def test_weekly_summary_matches_the_faq_answer_about_opening_hours():
    faq = yaml.safe_load((ROOT / "data" / "nlu" / "faq.yml").read_text())["responses"]["utter_faq/opening_hours"][0]["text"]
    assert SHOP.weekly_summary() == "ma–vr 8:30–20:00, za 9:00–17:00"
    for opens, closes in re.findall(r"(\d+:\d\d)–(\d+:\d\d)", SHOP.weekly_summary()):
        assert f"van {opens} tot {closes}" in faq


@pytest.mark.parametrize("data, complaint", [
    ({"hours": {"monday": "9-17"}}, "hours.monday"),
    ({"hours": {"monday": "18:00-09:00"}}, "must open before it closes"),
    ({"hours": {"maandag": "09:00-17:00"}}, "hours must map"),
    ({"timezone": "Mars/Olympus"}, "unknown timezone"),
    ({"holidays": [{"name": "zonder datum"}]}, "holidays[0]"),
    ({"callbacks": {"per_slot": 0}}, "at least 1"),
    ("just text", "expected a mapping"),
])
def test_a_wrong_hours_file_gets_an_error_that_says_where(data, complaint):
    with pytest.raises(HoursError, match=re.escape(complaint)):
        BusinessHours.from_mapping(data)


def test_an_edited_file_is_read_again_without_a_restart(tmp_path):
    path = tmp_path / "hours.yml"
    path.write_text("hours: {monday: closed}\n")
    assert not load(path).is_open(utc(2026, 11, 23, 12, 0))
    path.write_text("hours: {monday: '00:00-24:00'}\n")
    assert load(path).is_open(utc(2026, 11, 23, 12, 0))
