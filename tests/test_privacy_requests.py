"""AVG requests: export and erasure of one customer (console API and `bot privacy`), retention by the
desk's periodic work and legal hold; in the desk database and in Rasa's own tracker store (written here by
Rasa's SQLTrackerStore, as a running Rasa writes it)."""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
import requests
from sqlalchemy import MetaData, create_engine, select, update

from bot.config import ROOT
from bot.desk.conversations.models import Conversation
from bot.desk.db import utcnow
from tests.desk_server import DeskServer
from tests.desk_support import Customer, add_agents, desk_settings, login, project, rasa  # noqa: F401 - fixtures

EMAIL = "eva.de.vries@example.nl"


def rasa_trackers(path, conversations: dict[str, list[str]], *, age_days: float = 0) -> None:
    """Writes what Rasa keeps of these conversations with Rasa's SQLTrackerStore (sqlite)."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(path))
    when = time.time() - age_days * 86400
    for sender, texts in conversations.items():
        events = []
        for i, text in enumerate(texts):
            events += [UserUttered(text, {"name": "greet", "confidence": 0.9}, timestamp=when + 2 * i),
                       BotUttered("Dank je!", timestamp=when + 2 * i + 1)]
        asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))
    store.engine.dispose()


def rows_mentioning(url: str, needles: list[str]) -> dict[str, list]:
    """Every row of every table (all columns as text) that contains any needle."""
    engine = create_engine(url, future=True)
    metadata = MetaData()
    metadata.reflect(engine)
    found: dict[str, list] = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(select(table)):
                text = json.dumps([str(v) for v in row], ensure_ascii=False).lower()
                if any(n.lower() in text for n in needles):
                    found.setdefault(table.name, []).append(row)
    engine.dispose()
    return found


@pytest.fixture
def privacy_desk(database_url, rasa, project, tmp_path):  # noqa: F811 - fixtures
    add_agents(database_url)
    trackers = tmp_path / "trackers.db"
    settings = desk_settings(database_url, rasa, project, tracker_store_url=f"sqlite:///{trackers}",
                             callback_check_seconds=0.2)
    with DeskServer(settings) as server:
        server.app.state.periodic.next_retention = utcnow() + timedelta(days=1)  # the test says when it runs
        server.database_url, server.trackers = database_url, trackers
        yield server


def test_an_admin_exports_everything_of_one_customer_as_json(privacy_desk):
    desk = privacy_desk
    eva, other = Customer(desk), Customer(desk)
    eva.say(f"mijn mail is {EMAIL}")
    eva.say("mens graag")  # a handoff with its context
    other.say("hallo")
    rasa_trackers(desk.trackers, {eva.id: [f"mijn mail is {EMAIL}"], other.id: ["hallo"]})
    admin = login(desk, "demo", "balie-demo")
    agent = login(desk, "anna", "wachtwoord-anna")

    assert requests.post(desk.url + "/api/privacy/export", json={"kind": "email", "value": EMAIL},
                         headers=agent).status_code == 403  # admins only
    bad = requests.post(desk.url + "/api/privacy/export", json={"kind": "email", "value": "geen adres"}, headers=admin)
    assert bad.status_code == 422 and bad.json()["detail"] == "Dat is geen geldig e-mailadres."

    data = requests.post(desk.url + "/api/privacy/export", json={"kind": "email", "value": EMAIL.upper()},
                         headers=admin).json()
    [conversation] = data["conversations"]
    assert conversation["conversation_id"] == eva.id
    assert [m["text"] for m in conversation["messages"] if m["sender"] == "customer"] == [
        f"mijn mail is {EMAIL}", "mens graag"]
    assert [h["reason"] for h in conversation["handoffs"]] == ["customer_request"]
    assert conversation["assistant_events"] > 0 and "ratings" in conversation and "callbacks" in conversation
    [line] = requests.get(desk.url + "/api/privacy/audit", headers=admin).json()["lines"]
    assert (line["kind"], line["actor"], line["criterion"]) == ("export", "demo", "e-mailadres")
    assert EMAIL not in json.dumps(line)


def test_after_bot_privacy_erase_nothing_of_the_customer_remains_in_the_desk_or_the_tracker_store(privacy_desk):
    desk = privacy_desk
    eva, other = Customer(desk), Customer(desk)
    eva.say(f"hoi, ik ben het, {EMAIL}")
    eva.say("mens graag")
    other.say("hallo, waar is mijn pakket")
    rasa_trackers(desk.trackers, {eva.id: [f"hoi, ik ben het, {EMAIL}", "mens graag"], other.id: ["hallo"]})
    tracker_url = f"sqlite:///{desk.trackers}"
    assert rows_mentioning(desk.database_url, [EMAIL, eva.id]) and rows_mentioning(tracker_url, [EMAIL, eva.id])

    env = {**os.environ, "DATABASE_URL": desk.database_url, "TRACKER_STORE_URL": tracker_url}
    refused = subprocess.run([sys.executable, "-m", "bot", "privacy", "erase", "--email", EMAIL], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and "--yes" in refused.stderr  # nothing erased without saying so
    assert rows_mentioning(desk.database_url, [EMAIL])
    done = subprocess.run([sys.executable, "-m", "bot", "privacy", "erase", "--email", EMAIL, "--yes"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "conversations 1" in done.stdout

    assert rows_mentioning(desk.database_url, [EMAIL, eva.id]) == {}
    assert rows_mentioning(tracker_url, [EMAIL, eva.id]) == {}
    assert rows_mentioning(desk.database_url, [other.id]) and rows_mentioning(tracker_url, [other.id])  # others stay
    assert eva.say("nog iets").status_code in (401, 404)  # the conversation is gone for the widget too


def test_retention_erases_old_conversations_everywhere_and_keeps_those_on_legal_hold(privacy_desk):
    desk = privacy_desk
    old, held, recent = Customer(desk), Customer(desk), Customer(desk)
    for customer in (old, held, recent):
        customer.say("ik stap naar mijn advocaat" if customer is held else "hallo")
    rasa_trackers(desk.trackers, {old.id: ["hallo"], held.id: ["ik stap naar mijn advocaat"]}, age_days=200)
    rasa_trackers(desk.trackers, {recent.id: ["hallo"]})
    engine = create_engine(desk.database_url, future=True)
    with engine.begin() as conn:  # half a year and more without activity
        conn.execute(update(Conversation).where(Conversation.id.in_([old.id, held.id]))
                     .values(updated_at=utcnow() - timedelta(days=200)))
    admin = login(desk, "demo", "balie-demo")
    hold = requests.put(f"{desk.url}/api/conversations/{held.id}/legal-hold", json={"hold": True}, headers=admin)
    assert hold.json() == {"conversation_id": held.id, "legal_hold": True}

    counts = desk.app.state.periodic.retention()  # what the periodic work does every hour
    assert counts["conversations"] == 1 and counts["assistant_events"] > 0
    tracker_url = f"sqlite:///{desk.trackers}"
    assert rows_mentioning(desk.database_url, [old.id]) == {} and rows_mentioning(tracker_url, [old.id]) == {}
    for kept in (held, recent):
        assert rows_mentioning(desk.database_url, [kept.id]) and rows_mentioning(tracker_url, [kept.id])
    with engine.connect() as conn:
        assert conn.scalar(select(Conversation.legal_hold).where(Conversation.id == held.id)) is True
    engine.dispose()
    kinds = [line["kind"] for line in requests.get(desk.url + "/api/privacy/audit", headers=admin).json()["lines"]]
    assert kinds[:2] == ["retention", "legal_hold"]


def _export(desk, admin, kind: str, value: str) -> set[str]:
    answer = requests.post(desk.url + "/api/privacy/export", json={"kind": kind, "value": value}, headers=admin)
    assert answer.status_code == 200, answer.text
    return {c["conversation_id"] for c in answer.json()["conversations"]}


@pytest.mark.parametrize("kind, wanted, near_misses", [
    ("email", "n.x@voorbeeld.nl", ["jan.x@voorbeeld.nl", "n.x@voorbeeld.nl.evil.example", "an.x@voorbeeld.nl"]),
    ("phone", "06 12345678", ["06 123456789", "0612345670", "+32 6 12345678"]),
    ("order", "WS-100001", ["WS-1000011", "WS-200001", "AWS-100001"]),
])
def test_a_request_finds_exactly_that_customer_never_one_whose_data_contains_it(privacy_desk, kind, wanted, near_misses):
    desk = privacy_desk
    asker = Customer(desk)
    asker.say(f"dit is van mij: {wanted.upper() if kind == 'email' else wanted}")
    others = []
    for value in near_misses:
        other = Customer(desk)
        other.say(f"mijn gegevens: {value}, rekening NL91ABNA0417164300")
        others.append(other)
    rasa_trackers(desk.trackers, {o.id: [f"gegevens {v}"] for o, v in zip(others, near_misses)})
    admin = login(desk, "demo", "balie-demo")
    assert _export(desk, admin, kind, wanted) == {asker.id}
    erased = requests.post(desk.url + "/api/privacy/erase", json={"kind": kind, "value": wanted, "confirm": True},
                           headers=admin).json()["erased"]
    assert erased["conversations"] == 1
    for other, value in zip(others, near_misses):  # nobody else lost a word
        texts = [m["text"] for m in other.history()["messages"]]
        assert f"mijn gegevens: {value}, rekening NL91ABNA0417164300" in texts
    assert rows_mentioning(f"sqlite:///{desk.trackers}", [o.id for o in others])


def test_an_erased_customers_words_leave_the_editors_log_and_stay_out_of_git(privacy_desk, project):  # noqa: F811
    desk = privacy_desk
    piet = Customer(desk)
    piet.say("Piet Jansen hier, doen jullie cadeauverpakking? piet@jansen.nl")
    eva = login(desk, "eva", "wachtwoord-eva")
    [group] = requests.get(desk.url + "/api/editor/inbox", headers=eva).json()["groups"]
    assert "Piet Jansen" in group["text"]  # a name without "ik ben" is not recognised as one
    saved = requests.post(desk.url + "/api/editor/inbox/assign", headers=eva, json={
        "key": group["key"], "target": "faq/shipping_costs", "example": "Piet Jansen hier, doen jullie cadeauverpakking?"})
    assert saved.status_code == 200, saved.text
    commits = subprocess.run(["git", "-C", str(project), "log", "--format=%B"], capture_output=True, text=True).stdout
    assert "Piet" not in commits  # the commit says what was done, not what the customer wrote
    log = requests.get(desk.url + "/api/editor/log", headers=eva).json()["edits"]
    assert "Piet Jansen" in json.dumps(log)

    admin = login(desk, "demo", "balie-demo")
    erased = requests.post(desk.url + "/api/privacy/erase", json={"kind": "email", "value": "piet@jansen.nl",
                                                                  "confirm": True}, headers=admin).json()["erased"]
    assert erased["conversations"] == 1 and erased["edit_log"] == 1
    log = requests.get(desk.url + "/api/editor/log", headers=eva).json()["edits"]
    assert "Piet" not in json.dumps(log) and log[0]["kind"] == "example_added"  # the edit itself stays on record
    assert rows_mentioning(desk.database_url, ["Piet Jansen"]) == {}


def test_bot_privacy_scrub_history_takes_a_customers_words_out_of_every_commit(tmp_path):
    project = tmp_path / "project"
    (project / "data" / "nlu").mkdir(parents=True)
    faq = project / "data" / "nlu" / "faq.yml"
    faq.write_text('version: "3.1"\nnlu:\n- intent: faq/shipping_costs\n  examples: |\n    - wat kost verzenden\n')
    (project / "domain.yml").write_text("version: '3.1'\n")
    (project / "config.yml").write_text("language: nl\n")

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(project), *args], capture_output=True, text=True, check=True,
                              env={**os.environ, "GIT_AUTHOR_NAME": "Eva", "GIT_AUTHOR_EMAIL": "eva@balie.invalid",
                                   "GIT_COMMITTER_NAME": "Eva", "GIT_COMMITTER_EMAIL": "eva@balie.invalid"}).stdout

    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "begin")
    faq.write_text(faq.read_text() + "    - Piet Jansen hier, doen jullie cadeauverpakking?\n")
    git("commit", "-qam", "Voorbeeld van piet jansen toegevoegd")
    faq.write_text(faq.read_text() + "    - wat kost verzenden naar belgie\n")
    git("commit", "-qam", "nog een voorbeeld")
    everything = lambda: git("log", "--all", "-p", "--format=%B") + git("reflog") + subprocess.run(  # noqa: E731
        ["git", "-C", str(project), "cat-file", "--batch-all-objects", "--batch"], capture_output=True).stdout.decode(
        "utf-8", "replace")
    assert "piet jansen" in everything().lower()

    refused = subprocess.run([sys.executable, "-m", "bot", "privacy", "scrub-history", "--text", "Piet Jansen",
                              "--project", str(project)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and "--yes" in refused.stderr
    done = subprocess.run([sys.executable, "-m", "bot", "privacy", "scrub-history", "--text", "Piet Jansen",
                           "--project", str(project), "--yes"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "piet jansen" not in everything().lower()  # no commit, message, backup ref or loose object keeps it
    assert "[gewist] hier, doen jullie cadeauverpakking?" in faq.read_text()
    assert "wat kost verzenden naar belgie" in faq.read_text()  # everything else as it was
    assert git("log", "--format=%s").splitlines() == ["nog een voorbeeld", "Voorbeeld van [gewist] toegevoegd", "begin"]
