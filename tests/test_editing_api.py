"""Editors in the desk over real HTTP (SQLite and PostgreSQL): the inbox groups misunderstood messages
with personal data masked, an assigned example lands in the right YAML file with the rest untouched and
passes `bot nlu check`, a finding blocks the save, FAQ answers change the same way, and every edit is logged."""
from __future__ import annotations

import requests
import yaml

from bot.nlu.check import check, errors
from tests.desk_support import Customer, desk, login, project, rasa  # noqa: F401 - fixtures


def inbox(desk, headers) -> list[dict]:
    response = requests.get(desk.url + "/api/editor/inbox", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["groups"]


def test_misunderstood_messages_are_grouped_counted_and_masked(desk, rasa):
    for text in ("Vaag: ik ben Jan de Vries, postcode 1234 AB, waar blijft WS-100001?",
                 "vaag ik ben Piet Jansen postcode 5678CD waar blijft ws-100002",
                 "Vaag verhaal over iets heel anders", "Hoi daar"):
        Customer(desk).say(text)
    eva = login(desk, "eva", "wachtwoord-eva")
    groups = inbox(desk, eva)
    assert [g["count"] for g in groups] == [2, 1]
    assert "[naam]" in groups[0]["text"] and "[postcode]" in groups[0]["text"] and "ws-10000" in groups[0]["text"].lower()
    assert "Jan" not in str(groups) and "1234 AB" not in str(groups) and "Piet" not in str(groups)
    assert groups[0]["guess"] == "nlu_fallback"
    anna = login(desk, "anna", "wachtwoord-anna")
    assert requests.get(desk.url + "/api/editor/inbox", headers=anna).status_code == 403


def test_an_assigned_example_lands_in_its_file_and_nothing_else_changes(desk, rasa, project):
    Customer(desk).say("Doen jullie ook cadeauverpakking?")
    eva = login(desk, "eva", "wachtwoord-eva")
    [group] = inbox(desk, eva)
    assert group["guess"] == "faq/shipping_costs"  # low confidence on the FAQ key counts as misunderstood
    path = project / "data" / "nlu" / "faq.yml"
    before = path.read_text().splitlines()
    saved = requests.post(desk.url + "/api/editor/inbox/assign", headers=eva, json={
        "key": group["key"], "target": "faq/shipping_costs", "example": "doen jullie ook cadeauverpakking"})
    assert saved.status_code == 200, saved.text
    assert saved.json()["file"] == "data/nlu/faq.yml"
    after = path.read_text().splitlines()
    line = saved.json()["line"]
    assert after[line - 1] == "    - doen jullie ook cadeauverpakking"
    assert after[:line - 1] + after[line:] == before  # one line more, every other byte the same
    shipping = next(b for b in yaml.safe_load("\n".join(after))["nlu"] if b["intent"] == "faq/shipping_costs")
    assert "- doen jullie ook cadeauverpakking" in shipping["examples"]
    assert errors(check(project)) == []
    assert inbox(desk, eva) == []
    [entry] = requests.get(desk.url + "/api/editor/log", headers=eva).json()["edits"]
    assert entry["editor"] == "eva" and entry["kind"] == "example_added" and entry["file"] == "data/nlu/faq.yml"


def test_a_finding_blocks_the_save_and_changes_nothing(desk, rasa, project):
    Customer(desk).say("vaag: hallo")
    eva = login(desk, "eva", "wachtwoord-eva")
    [group] = inbox(desk, eva)
    files_before = {p: p.read_bytes() for p in (project / "data").rglob("*.yml")}
    greeting = next(line.strip()[2:] for line in (project / "data/nlu/basics.yml").read_text().splitlines()
                    if line.startswith("    - ") and "hallo" in line)
    refused = requests.post(desk.url + "/api/editor/inbox/assign", headers=eva, json={
        "key": group["key"], "target": "order_status", "example": greeting})
    assert refused.status_code == 422
    assert "dubbel-over-intents" in " ".join(refused.json()["detail"]["findings"])
    assert {p: p.read_bytes() for p in (project / "data").rglob("*.yml")} == files_before
    assert [g["key"] for g in inbox(desk, eva)] == [group["key"]]
    unknown = requests.post(desk.url + "/api/editor/inbox/assign", headers=eva, json={
        "key": group["key"], "target": "bestaat_niet", "example": "iets"})
    assert unknown.status_code == 422


def test_dismissed_messages_leave_the_inbox_until_they_come_again(desk, rasa):
    Customer(desk).say("vaag gedoe")
    eva = login(desk, "eva", "wachtwoord-eva")
    [group] = inbox(desk, eva)
    assert requests.post(desk.url + "/api/editor/inbox/dismiss", headers=eva, json={"key": group["key"]}).status_code == 200
    assert inbox(desk, eva) == []
    Customer(desk).say("Vaag gedoe!")
    assert [g["count"] for g in inbox(desk, eva)] == [1]


def test_faq_answers_are_edited_in_place_and_placeholder_text_is_refused(desk, rasa, project):
    eva = login(desk, "eva", "wachtwoord-eva")
    answers = requests.get(desk.url + "/api/editor/answers", headers=eva).json()["answers"]
    assert {"utter_faq/shipping_costs", "utter_faq/opening_hours"} <= {a["key"] for a in answers}
    path = project / "data" / "nlu" / "faq.yml"
    before = path.read_text().splitlines()
    new = 'Verzenden is gratis vanaf € 20; daaronder betaal je € 4,95. Ook naar "België".'
    saved = requests.put(desk.url + "/api/editor/answers", headers=eva, json={"key": "utter_faq/shipping_costs", "text": new})
    assert saved.status_code == 200, saved.text
    after = path.read_text().splitlines()
    changed = [i for i, (a, b) in enumerate(zip(before, after)) if a != b]
    assert len(after) == len(before) and changed == [saved.json()["line"] - 1]
    assert yaml.safe_load("\n".join(after))["responses"]["utter_faq/shipping_costs"][0]["text"] == new
    refused = requests.put(desk.url + "/api/editor/answers", headers=eva,
                           json={"key": "utter_faq/shipping_costs", "text": "TODO: nog invullen"})
    assert refused.status_code == 422 and "restant" in " ".join(refused.json()["detail"]["findings"])
    assert path.read_text().splitlines() == after
    log = requests.get(desk.url + "/api/editor/log", headers=eva).json()["edits"]
    assert log[0]["kind"] == "answer_changed" and log[0]["detail"]["after"] == new


def test_retraining_is_for_editors_and_refused_while_the_data_has_errors(desk, rasa, project):
    anna = login(desk, "anna", "wachtwoord-anna")
    assert requests.post(desk.url + "/api/editor/training", headers=anna).status_code == 403
    faq = project / "data" / "nlu" / "faq.yml"
    faq.write_text(faq.read_text().replace("- intent: faq/warranty", "- intent: faq/warranty_broken", 1))
    eva = login(desk, "eva", "wachtwoord-eva")
    refused = requests.post(desk.url + "/api/editor/training", headers=eva)
    assert refused.status_code == 422 and "faq-zonder-antwoord" in " ".join(refused.json()["detail"]["findings"])
    assert requests.get(desk.url + "/api/editor/training", headers=eva).json()["status"] == "idle"
