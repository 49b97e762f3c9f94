"""The editors' "Terugblik" API (GET /api/editor/backtest): stored conversations replayed through the project's
escalation rules and the NLU of the desk's Rasa (here the scripted stand-in's /model/parse), on SQLite and
PostgreSQL. An editor changes the project's escalation.yml and sees which conversations would go differently."""
from __future__ import annotations

import requests
import yaml

from bot.config import ROOT
from tests.desk_support import desk, login, project, rasa  # noqa: F401 - fixtures
from tests.test_backtest import ANGRY, BEDENKTIJD, add_conversation
from bot.desk.db import make_engine, make_sessionmaker


def seed(url: str) -> dict:
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        ids = {"calm": add_conversation(session, 1, [("customer", BEDENKTIJD, "faq"), ("bot", "Je hebt 30 dagen.", None)]),
               "angry": add_conversation(session, 2, [("customer", ANGRY, "order_status")], handed_over="frustration"),
               "old": add_conversation(session, 9, [("customer", BEDENKTIJD, "faq")])}
    engine.dispose()
    return ids


def change_rules(project) -> None:
    rules = yaml.safe_load((ROOT / "escalation.yml").read_text(encoding="utf-8"))
    words = rules["signals"]["frustration"]["negative_judgement"]["words"]
    words.remove("belachelijk*")
    words.append("bedenktijd")
    (project / "escalation.yml").write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")


def test_an_editor_sees_what_a_rule_change_does_to_the_past_week(desk, rasa, project):
    ids = seed(desk.database_url)
    eva = login(desk, "eva", "wachtwoord-eva")
    before = requests.get(desk.url + "/api/editor/backtest", params={"since": "7d"}, headers=eva, timeout=30)
    assert before.status_code == 200, before.text
    assert before.json()["conversations"] == 2 and before.json()["changes"] == []
    assert sorted(set(rasa.parsed)) == sorted({BEDENKTIJD, ANGRY})  # read by Rasa's NLU, not the stored intent

    change_rules(project)
    after = requests.get(desk.url + "/api/editor/backtest", params={"since": "7d"}, headers=eva, timeout=30).json()
    changes = {c["conversation_id"]: c for c in after["changes"]}
    # The angry customer stays handed over although "belachelijk*" left the rules: the learned judgement
    # (bot/escalation/learned.py) still finds her frustrated.
    assert set(changes) == {ids["calm"]}
    assert (changes[ids["calm"]]["before_label"], changes[ids["calm"]]["after_label"]) == ("Bleef bij de bot", "Frustratie")
    assert changes[ids["calm"]]["kind_label"] == "Nu overgedragen" and changes[ids["calm"]]["message"] == BEDENKTIJD
    assert after["counts"] == {"now_handed_over": 1, "now_stays": 0, "other_reason": 0}
    assert "1 zouden nu anders lopen" in after["summary"]
    longer = requests.get(desk.url + "/api/editor/backtest", params={"since": "2w"}, headers=eva, timeout=30).json()
    assert ids["old"] in {c["conversation_id"] for c in longer["changes"]}


def test_only_editors_ask_and_bad_input_changes_nothing(desk, rasa, project):
    seed(desk.database_url)
    anna = login(desk, "anna", "wachtwoord-anna")  # an agent, not an editor
    assert requests.get(desk.url + "/api/editor/backtest", headers=anna, timeout=10).status_code == 403
    assert requests.get(desk.url + "/api/editor/backtest", timeout=10).status_code == 401
    eva = login(desk, "eva", "wachtwoord-eva")
    for since in ("0d", "7", "abc", "1000d", "7d;drop"):
        assert requests.get(desk.url + "/api/editor/backtest", params={"since": since}, headers=eva,
                            timeout=10).status_code == 422
    (project / "escalation.yml").write_text("thresholds: [", encoding="utf-8")
    broken = requests.get(desk.url + "/api/editor/backtest", headers=eva, timeout=10)
    assert broken.status_code == 503 and "escalation.yml" in broken.json()["detail"]
    (project / "escalation.yml").unlink()
    rasa.parse_up = False
    down = requests.get(desk.url + "/api/editor/backtest", headers=eva, timeout=10)
    assert down.status_code == 503 and "niet bereikbaar" in down.json()["detail"]
