"""Dutch delivery wording and deadlines named by customers (P3)."""
from __future__ import annotations

from datetime import datetime

import pytest

from bot.delivery import arrives_in_time, describe_window, find_deadline, needed_by
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
    # issue 18: digits and words, "binnen", "in", "over", next week's weekday, hours
    ("ik heb het binnen 3 dagen nodig", datetime(2026, 11, 26, 23, 59), "binnen 3 dagen"),
    ("binnen twee dagen moet het er zijn", datetime(2026, 11, 25, 23, 59), "binnen twee dagen"),
    ("in 2 dagen nodig", datetime(2026, 11, 25, 23, 59), "in 2 dagen"),
    ("ik heb het over acht dagen nodig", datetime(2026, 12, 1, 23, 59), "over acht dagen"),
    ("het moet er binnen een week zijn", datetime(2026, 11, 30, 23, 59), "binnen een week"),
    ("binnen 48 uur nodig", datetime(2026, 11, 25, 9, 30), "binnen 48 uur"),
    ("ik heb het volgende week dinsdag nodig", datetime(2026, 12, 1, 23, 59), "volgende week dinsdag"),
    ("uiterlijk vrijdag moet het er zijn, WS-100004", datetime(2026, 11, 27, 23, 59), "vrijdag"),
    # a weekday with its date: the date says which one ("zaterdag de 5e" is not this Saturday the 28th)
    ("ik moet het voor zaterdag de 5e hebben", datetime(2026, 12, 5, 23, 59), "5 december"),
    ("donderdag 3 dec is het feest", datetime(2026, 12, 3, 23, 59), "3 december"),
    # half weeks, working days (Sat and Sun do not count), whole weeks, Flemish and other feasts
    ("over anderhalve week vertrek ik", datetime(2026, 12, 3, 23, 59), "over anderhalve week"),
    ("binnen 3 werkdagen moet ik het hebben", datetime(2026, 11, 26, 23, 59), "binnen 3 werkdagen"),
    ("ik heb het eind volgende week nodig", datetime(2026, 12, 4, 23, 59), "eind volgende week"),
    ("begin deze week had ik het al verwacht", datetime(2026, 11, 24, 23, 59), "begin deze week"),
    ("tegen woensdag aub", datetime(2026, 11, 25, 23, 59), "woensdag"),
    ("ten laatste dinsdag", datetime(2026, 11, 24, 23, 59), "dinsdag"),
    ("het is voor eerste kerstdag", datetime(2026, 12, 24, 17, 0), "vóór kerst"),
    # an hour after the day is the latest moment (1 to 7 o'clock is the afternoon)
    ("moet morgen voor 12 uur binnen zijn", datetime(2026, 11, 24, 12, 0), "morgen 12:00"),
    ("liefst voor donderdag 3 uur", datetime(2026, 11, 26, 15, 0), "donderdag 15:00"),
    ("eind deze maand is de verhuizing", datetime(2026, 11, 30, 23, 59), "eind november"),
])
def test_deadlines_are_found_and_resolved(text, latest, label):
    deadline = find_deadline(text, MONDAY)
    assert deadline is not None and deadline.latest == latest and deadline.label == label


WEDNESDAY = datetime(2026, 12, 2, 10, 0)


@pytest.mark.parametrize("text, latest, label", [
    ("Ik moet het vanavond hebben", datetime(2026, 12, 2, 23, 59), "vanavond"),
    ("ik heb het morgen vroeg nodig", datetime(2026, 12, 3, 12, 0), "morgen vroeg"),
    ("het moet er overmorgen zijn", datetime(2026, 12, 4, 23, 59), "overmorgen"),
    ("ik heb het de 12e nodig", datetime(2026, 12, 12, 23, 59), "12 december"),
    ("ik heb het uiterlijk 5 dec nodig", datetime(2026, 12, 5, 23, 59), "5 december"),
    ("ik heb het over drie dagen nodig", datetime(2026, 12, 5, 23, 59), "over drie dagen"),
    ("kan het er voor sinterklaas zijn?", datetime(2026, 12, 5, 17, 0), "vóór Sinterklaas (5 december)"),
    ("komt het nog voor kerst?", datetime(2026, 12, 24, 17, 0), "vóór kerst"),
    ("ik heb het voor oudjaar nodig", datetime(2026, 12, 31, 17, 0), "vóór oudjaar"),
    ("het moet er zaterdagochtend zijn", datetime(2026, 12, 5, 12, 0), "zaterdagochtend"),
])
def test_deadlines_in_every_shape_a_customer_writes_them(text, latest, label):
    deadline = needed_by(text, WEDNESDAY)
    assert deadline is not None and (deadline.latest, deadline.label) == (latest, label)


@pytest.mark.parametrize("text, reason", [
    ("Ik moet het vanavond hebben want morgenochtend vertrek ik op vakantie", "want morgenochtend vertrek ik op vakantie"),
    ("ik heb het morgen nodig voor de verjaardag van mijn zoon", "voor de verjaardag van mijn zoon"),
    ("mijn zus vertrekt morgen naar het buitenland", "mijn zus vertrekt morgen naar het buitenland"),
    ("voor sinterklaas graag, het is een cadeau", "het is een cadeau"),
    ("ik heb het morgen nodig", None),
])
def test_the_reason_is_kept_in_the_customers_words(text, reason):
    assert needed_by(text, WEDNESDAY).reason == reason


@pytest.mark.parametrize("text", ["bedankt voor je hulp, tot morgen!", "ik bel morgen wel terug", "fijn weekend",
                                  "Hebben jullie ook op zondag open?", "Bezorgen jullie ook op zaterdag?"])
def test_a_moment_that_is_no_deadline_is_left_alone(text):
    assert needed_by(text, WEDNESDAY) is None


def test_the_first_moment_the_customer_needs_it_by_counts():
    assert needed_by("wordt het vandaag verstuurd? ik heb het overmorgen nodig", WEDNESDAY).label == "overmorgen"


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


@pytest.mark.parametrize("text", ["Kan ik binnen 30 dagen retourneren?", "Krijg ik mijn geld binnen 14 dagen terug?",
                                  "Is bedenktijd in 14 dagen geregeld?"])
def test_a_term_in_a_general_question_is_no_deadline(text):
    assert needed_by(text, MONDAY) is None


@pytest.mark.parametrize("text, latest", [
    # typed as customers type: typos, English words, "graag" as the need, Flemish "te laat"
    ("ik heb het morgn nodig", datetime(2026, 11, 24, 23, 59)),
    ("overmorge moet het er zijn", datetime(2026, 11, 25, 23, 59)),
    ("i need it tomorrow pls", datetime(2026, 11, 24, 23, 59)),
    ("8 dec. graag", datetime(2026, 12, 8, 23, 59)),
    ("donderdag is te laat", datetime(2026, 11, 26, 23, 59)),
    ("ik wil het voor het eind van de maand", datetime(2026, 11, 30, 23, 59)),
    ("nog voor de feestdagen", datetime(2026, 12, 24, 17, 0)),
])
def test_needs_said_in_other_words_are_deadlines(text, latest):
    deadline = needed_by(text, MONDAY)
    assert deadline is not None and deadline.latest == latest, deadline


@pytest.mark.parametrize("text", ["zo snel mogelijk graag", "tot morgen!", "na het weekend bel ik wel"])
def test_no_moment_or_no_need_is_no_deadline(text):
    assert needed_by(text, MONDAY) is None
