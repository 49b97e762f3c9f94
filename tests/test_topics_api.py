"""Editors without a programmer (issue 12), over real HTTP on SQLite and PostgreSQL: a new FAQ topic from an
inbox group, names, retiring, every example with where it came from, moving and deleting, and every edit
as a git commit by its editor that can be undone."""
from __future__ import annotations

import subprocess

import requests
import yaml

from bot.nlu.check import check, errors
from tests.desk_support import Customer, desk, login, project, rasa  # noqa: F401 - fixtures

WRAPPING = ["kunnen jullie het cadeau inpakken", "pakken jullie ook in als cadeau", "is cadeauverpakking mogelijk",
            "kan ik het laten inpakken", "doen jullie aan cadeaupapier", "kan er een strik om"]
ANSWER = "Ja, voor € 2,50 pakken we je bestelling in als cadeau. Kies bij het afrekenen voor 'Inpakken als cadeau'."


def git(project, *args) -> str:
    return subprocess.run(["git", "-C", str(project), *args], capture_output=True, text=True, check=True).stdout


def new_topic(desk, headers, **extra):
    body = {"key": "cadeau_inpakken", "label": "Cadeau inpakken", "examples": WRAPPING, "answer": ANSWER, **extra}
    return requests.post(desk.url + "/api/editor/topics", json=body, headers=headers)


def test_an_inbox_group_becomes_a_topic_in_the_data_files_as_one_commit_by_its_editor(desk, rasa, project):
    Customer(desk).say("Vaag: kunnen jullie het cadeau inpakken?")
    eva = login(desk, "eva", "wachtwoord-eva")
    [group] = requests.get(desk.url + "/api/editor/inbox", headers=eva).json()["groups"]
    saved = new_topic(desk, eva, group=group["key"])
    assert saved.status_code == 201, saved.text
    assert saved.json()["topic"] == "faq/cadeau_inpakken" and saved.json()["file"] == "data/nlu/faq.yml"
    loaded = yaml.safe_load((project / "data" / "nlu" / "faq.yml").read_text())
    block = next(b for b in loaded["nlu"] if b["intent"] == "faq/cadeau_inpakken")
    assert [line[2:] for line in block["examples"].splitlines()] == WRAPPING
    assert loaded["responses"]["utter_faq/cadeau_inpakken"] == [{"text": ANSWER}]
    assert yaml.safe_load((project / "topics.yml").read_text())["topics"] == {"cadeau_inpakken": "Cadeau inpakken"}
    assert errors(check(project)) == []
    assert requests.get(desk.url + "/api/editor/inbox", headers=eva).json()["groups"] == []
    author, message = git(project, "log", "-1", "--format=%an|%ae|%s").strip().split("|", 2)[::2], \
        git(project, "log", "-1", "--format=%s").strip()
    assert git(project, "log", "-1", "--format=%an <%ae>").strip() == "Eva <eva@balie.invalid>"
    assert message.startswith("Nieuw onderwerp “Cadeau inpakken” met 6 voorbeelden")
    assert "Onderwerp: faq/cadeau_inpakken" in git(project, "log", "-1", "--format=%b")  # the key for developers
    assert sorted(git(project, "show", "--name-only", "--format=", "HEAD").split()) == ["data/nlu/faq.yml", "topics.yml"]
    topics = requests.get(desk.url + "/api/editor/topics", headers=eva).json()["topics"]
    assert {"key": "cadeau_inpakken", "label": "Cadeau inpakken", "examples": 6} == {
        k: v for k, v in next(t for t in topics if t["key"] == "cadeau_inpakken").items() if k in ("key", "label", "examples")}
    labels = requests.get(desk.url + "/api/labels", headers=eva).json()["topics"]
    assert labels["faq/cadeau_inpakken"] == "Cadeau inpakken"  # the console, dashboard and summary read this


def test_a_topic_needs_a_good_key_five_examples_an_answer_and_may_not_exist_yet(desk, rasa, project):
    eva = login(desk, "eva", "wachtwoord-eva")
    before = (project / "data" / "nlu" / "faq.yml").read_text()
    assert new_topic(desk, eva, examples=WRAPPING[:3]).status_code == 422
    assert new_topic(desk, eva, key="Cadeau Inpakken!").status_code == 422
    assert new_topic(desk, eva, answer="  ").status_code == 422
    assert new_topic(desk, eva, key="shipping_costs").status_code == 409
    assert new_topic(desk, eva, answer="TODO: antwoord schrijven").status_code == 422  # the check's finding
    assert (project / "data" / "nlu" / "faq.yml").read_text() == before
    anna = login(desk, "anna", "wachtwoord-anna")
    assert new_topic(desk, anna).status_code == 403


def test_renaming_retiring_and_undoing_are_commits_too(desk, rasa, project):
    eva = login(desk, "eva", "wachtwoord-eva")
    assert new_topic(desk, eva).status_code == 201
    renamed = requests.put(desk.url + "/api/editor/topics/cadeau_inpakken/label", json={"label": "Inpakken als cadeau"},
                           headers=eva)
    assert renamed.status_code == 200
    assert yaml.safe_load((project / "topics.yml").read_text())["topics"]["cadeau_inpakken"] == "Inpakken als cadeau"
    retired = requests.delete(desk.url + "/api/editor/topics/cadeau_inpakken", headers=eva)
    assert retired.status_code == 200, retired.text
    faq = (project / "data" / "nlu" / "faq.yml").read_text()
    assert "cadeau_inpakken" not in faq and errors(check(project)) == []
    history = requests.get(desk.url + "/api/editor/history", headers=eva).json()["changes"]
    assert [c["message"].split(" ")[0] for c in history[:3]] == ["Onderwerp", "Onderwerp", "Nieuw"]
    undone = requests.post(f"{desk.url}/api/editor/history/{history[0]['sha']}/undo", headers=eva)
    assert undone.status_code == 200, undone.text
    assert "faq/cadeau_inpakken" in (project / "data" / "nlu" / "faq.yml").read_text()
    assert git(project, "log", "-1", "--format=%an|%s").strip().startswith("Eva|Ongedaan gemaakt: Onderwerp “Inpakken als cadeau” uit de training")
    again = requests.get(desk.url + "/api/editor/history", headers=eva).json()["changes"]
    assert again[1]["reverted_by"] == again[0]["sha"]
    assert requests.post(f"{desk.url}/api/editor/history/deadbeef/undo", headers=eva).status_code == 409  # no such change
    assert requests.post(f"{desk.url}/api/editor/history/nietbestaand/undo", headers=eva).status_code == 422  # no sha


def test_every_example_shows_where_it_came_from_and_can_be_moved_or_deleted(desk, rasa, project):
    Customer(desk).say("Doen jullie ook cadeauverpakking?")
    eva = login(desk, "eva", "wachtwoord-eva")
    [group] = requests.get(desk.url + "/api/editor/inbox", headers=eva).json()["groups"]
    requests.post(desk.url + "/api/editor/inbox/assign", headers=eva, json={
        "key": group["key"], "target": "faq/shipping_costs", "example": "doen jullie ook cadeauverpakking"})
    listed = requests.get(desk.url + "/api/editor/examples", params={"target": "faq/shipping_costs"}, headers=eva).json()
    [mine] = [e for e in listed["examples"] if e["plain"] == "doen jullie ook cadeauverpakking"]
    assert mine["file"] == "data/nlu/faq.yml" and mine["origin"].startswith("uit de inbox: “Doen jullie ook cadeauverpakking?”")
    other = next(e for e in listed["examples"] if e["origin"] is None)
    assert other["line"] > 0
    assert new_topic(desk, eva).status_code == 201
    moved = requests.post(desk.url + "/api/editor/examples/move", headers=eva, json={
        "file": mine["file"], "line": mine["line"], "text": mine["text"], "target": "faq/cadeau_inpakken"})
    assert moved.status_code == 200, moved.text
    wrapping = requests.get(desk.url + "/api/editor/examples", params={"target": "faq/cadeau_inpakken"}, headers=eva).json()
    assert "doen jullie ook cadeauverpakking" in [e["plain"] for e in wrapping["examples"]]
    stale = requests.post(desk.url + "/api/editor/examples/delete", headers=eva, json={
        "file": mine["file"], "line": mine["line"], "text": mine["text"]})
    assert stale.status_code == 422  # that line holds something else now: nothing deleted
    first = wrapping["examples"][0]
    deleted = requests.post(desk.url + "/api/editor/examples/delete", headers=eva, json=first)
    assert deleted.status_code == 200
    # Down to five: one more would leave too few, and the check blocks it.
    left = requests.get(desk.url + "/api/editor/examples", params={"target": "faq/cadeau_inpakken"}, headers=eva).json()
    assert len(left["examples"]) == 6
    requests.post(desk.url + "/api/editor/examples/delete", headers=eva, json=left["examples"][0])
    blocked = requests.post(desk.url + "/api/editor/examples/delete", headers=eva, json=left["examples"][1] | {
        "line": left["examples"][1]["line"] - 1})
    assert blocked.status_code == 422 and "te-weinig-voorbeelden" in str(blocked.json()["detail"])
    outside = requests.post(desk.url + "/api/editor/examples/delete", headers=eva,
                            json={"file": "../domain.yml", "line": 3, "text": "x"})
    assert outside.status_code == 422


def test_edits_are_pushed_to_a_branch_when_a_remote_is_configured(desk, rasa, project, tmp_path):
    remote = tmp_path / "team.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    desk.app.state.history.remote, desk.app.state.history.branch = str(remote), "redactie"
    eva = login(desk, "eva", "wachtwoord-eva")
    assert new_topic(desk, eva).status_code == 201
    pushed = subprocess.run(["git", "-C", str(remote), "log", "-1", "--format=%an|%s", "redactie"], capture_output=True,
                            text=True, check=True).stdout
    assert pushed.startswith("Eva|Nieuw onderwerp “Cadeau inpakken”")
