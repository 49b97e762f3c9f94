"""Dutch delivery wording and deadlines named by customers (P3)."""
from __future__ import annotations

from datetime import datetime

import pytest

from bot.delivery import arrives_in_time, describe_window, find_deadline
from bot.money import euros

MONDAY = datetime(2026, 11, 23, 9, 30)  # a Monday


def test_windows_are_worded_as_a_customer_says_them():
    assert describe_window(datetime(2026, 11, 24, 10), datetime(2026, 11, 24, 12), MONDAY.date()) == "morgen tussen 10:00 en 12:00"
    assert describe_window(datetime(2026, 11, 28, 13), datetime(2026, 11, 28, 17), MONDAY.date()) == "zaterdag 28 november tussen 13:00 en 17:00"


@pytest.mark.parametrize("text, latest, label", [
    ("ik heb het morgen nodig", datetime(2026, 11, 24, 23, 59), "morgen"),
    ("mijn zus vertrekt morgenochtend naar het buitenland", datetime(2026, 11, 24, 12, 0), "morgenochtend"),
    ("komt het voor zaterdag?", datetime(2026, 11, 28, 23, 59), "zaterdag"),
    ("ik heb het op 27 november nodig", datetime(2026, 11, 27, 23, 59), "27 november"),
    ("het moet er dit weekend zijn", datetime(2026, 11, 28, 23, 59), "dit weekend"),
])
def test_deadlines_are_found_and_resolved(text, latest, label):
    deadline = find_deadline(text, MONDAY)
    assert deadline is not None and deadline.latest == latest and deadline.label == label


def test_greetings_are_not_deadlines():
    assert find_deadline("goedemorgen, waar is mijn pakket", MONDAY) is None


def test_the_whole_window_must_close_before_the_deadline():
    morning = find_deadline("morgenochtend nodig", MONDAY)
    assert arrives_in_time(datetime(2026, 11, 24, 12, 0), morning)
    assert not arrives_in_time(datetime(2026, 11, 24, 13, 0), morning)
    assert not arrives_in_time(None, morning)


def test_euros_are_written_the_dutch_way():
    assert euros(12950) == "€ 129,50"
    assert euros(120000) == "€ 1.200,00"
