"""Acceptance on the real stack (issue 12): an editor turns the "cadeau inpakken" inbox group into a new
topic with an answer, retrains from the desk, and the bot then answers the question with that answer. The
change is one git commit by that editor; undoing it is another."""
from __future__ import annotations

import subprocess
import time

import pytest
import requests

from tests.e2e.test_editor_flow import add_editor

pytestmark = pytest.mark.e2e
ASKED = "kunnen jullie het cadeau inpakken"
ANSWER = "Ja, voor € 2,50 pakken we je bestelling in als cadeau. Kies bij het afrekenen voor 'Inpakken als cadeau'."
EXAMPLES = [ASKED, "pakken jullie ook in als cadeau", "is cadeauverpakking mogelijk", "kan ik het laten inpakken",
            "doen jullie aan cadeaupapier", "kan er een strik om", "kunnen jullie het inpakken als kado"]
LATER = "Doen jullie aan cadeaupapier?"


def git(stack, *args) -> str:
    return subprocess.run(["git", "-C", str(stack.project_dir), *args], capture_output=True, text=True,
                          check=True).stdout


def test_an_editor_adds_a_topic_from_the_inbox_and_after_retraining_the_bot_answers_it(stack, chat):
    assert ANSWER not in chat().say(ASKED + "?")
    assert ANSWER not in chat().say(LATER)  # another customer, other words: its own group in the inbox
    eva = add_editor(stack)
    groups = requests.get(stack.desk_url + "/api/editor/inbox", headers=eva, timeout=10).json()["groups"]
    assert LATER in [g["text"] for g in groups]
    [group] = [g for g in groups if "cadeau inpakken" in g["text"]]
    commits_before = int(git(stack, "rev-list", "--count", "HEAD"))
    saved = requests.post(stack.desk_url + "/api/editor/topics", headers=eva, timeout=120, json={
        "key": "cadeau_inpakken", "label": "Cadeau inpakken", "examples": EXAMPLES, "answer": ANSWER,
        "group": group["key"]})
    assert saved.status_code == 201, saved.text
    assert int(git(stack, "rev-list", "--count", "HEAD")) == commits_before + 1
    assert git(stack, "log", "-1", "--format=%an").strip() == "Eva"

    original_model = stack.model
    try:
        assert requests.post(stack.desk_url + "/api/editor/training", headers=eva, timeout=30).status_code == 202
        deadline, status = time.monotonic() + 900, {}
        etas = []
        while time.monotonic() < deadline:
            status = requests.get(stack.desk_url + "/api/editor/training", headers=eva, timeout=10).json()
            if status.get("eta_seconds"):
                etas.append(status["eta_seconds"])
            if status["status"] != "running":
                break
            time.sleep(2)
        assert status["status"] == "done", status
        assert etas and status["step"] == "klaar"  # progress in steps, with a time estimate
        assert etas == sorted(etas, reverse=True)  # the estimate never grows
        print(f"\nnew topic, retraining from the desk: {status['seconds']} s")
        assert chat().say("kunnen jullie het als cadeau inpakken?") == ANSWER
        # The new topic answers the other customer's question now: it left the inbox with the training.
        groups = requests.get(stack.desk_url + "/api/editor/inbox", headers=eva, timeout=10).json()["groups"]
        assert LATER not in [g["text"] for g in groups]
        log = requests.get(stack.desk_url + "/api/editor/log", headers=eva, timeout=10).json()
        answered = next(e for e in log["edits"] if e["kind"] == "inbox_answered")
        assert "faq/cadeau_inpakken" in answered["detail"]["topics"] and log["names"]["faq/cadeau_inpakken"] == "Cadeau inpakken"

        undone = requests.post(f"{stack.desk_url}/api/editor/history/{saved.json()['commit']}/undo", headers=eva,
                               timeout=120)
        assert undone.status_code == 200, undone.text
        assert int(git(stack, "rev-list", "--count", "HEAD")) == commits_before + 2
        assert git(stack, "log", "-1", "--format=%an|%s").strip().startswith("Eva|Ongedaan gemaakt: Nieuw onderwerp")
        assert "cadeau_inpakken" not in (stack.project_dir / "data" / "nlu" / "faq.yml").read_text()
    finally:  # later tests expect the model they were written against
        requests.put(f"{stack.rasa_url}/model", params={"token": stack.rasa_token},
                     json={"model_file": str(original_model.resolve())}, timeout=300)
