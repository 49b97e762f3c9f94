"""Rasa's own tools on the assistant: data validation, test stories, NLU on a held-out split."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ROOT

pytestmark = pytest.mark.rasa_eval
RASA = str(Path(sys.executable).parent / "rasa")
INTENT_F1_FLOOR = 0.82  # 0.888 before issue 18; 0.832 after 93 out_of_scope examples were added (they also move rasa data split's test part: on the old 181 test messages 0.8875 -> 0.8765, docs/nlu.md)
RESPONSE_F1_FLOOR = 0.90  # measured 0.941


def rasa(*args: str, log: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3"}
    with open(log, "w") as out:
        result = subprocess.run([RASA, *args], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    if result.returncode != 0:
        print("\n".join(log.read_text(errors="replace").splitlines()[-40:]))
    return result


def test_data_validates_without_warnings_that_fail(tmp_path):
    assert rasa("data", "validate", "--fail-on-warnings", log=tmp_path / "validate.log").returncode == 0


def test_every_flow_story_is_predicted_without_errors(model_path, tmp_path):
    out = tmp_path / "core"
    result = rasa("test", "core", "--stories", "tests/stories", "-m", str(model_path), "--fail-on-prediction-errors",
                  "--out", str(out), log=tmp_path / "core.log")
    failed = out / "failed_test_stories.yml"
    assert result.returncode == 0, failed.read_text() if failed.exists() else "see log above"


def test_nlu_on_a_held_out_split_meets_the_floor(tmp_path, capsys):
    split = tmp_path / "split"
    assert rasa("data", "split", "nlu", "-u", "data/nlu", "--training-fraction", "0.8", "--random-seed", "7",
                "--out", str(split), log=tmp_path / "split.log").returncode == 0
    model_dir = tmp_path / "models"
    assert rasa("train", "nlu", "-u", str(split / "training_data.yml"), "-c", "config.yml", "--out", str(model_dir),
                "--fixed-model-name", "heldout", log=tmp_path / "train.log").returncode == 0
    results = tmp_path / "results"
    assert rasa("test", "nlu", "-u", str(split / "test_data.yml"), "-m", str(model_dir / "heldout.tar.gz"),
                "--out", str(results), "--no-plot", log=tmp_path / "test.log").returncode == 0
    intent_f1 = json.loads((results / "intent_report.json").read_text())["weighted avg"]["f1-score"]
    response_f1 = json.loads((results / "response_selection_report.json").read_text())["weighted avg"]["f1-score"]
    with capsys.disabled():  # the figures belong in the test output, also when the test passes
        print(f"\nheld-out NLU: intent F1 {intent_f1:.3f} (floor {INTENT_F1_FLOOR}), "
              f"response selection F1 {response_f1:.3f} (floor {RESPONSE_F1_FLOOR})")
    assert intent_f1 >= INTENT_F1_FLOOR
    assert response_f1 >= RESPONSE_F1_FLOOR


def test_every_example_the_bot_was_taught_is_understood_without_doubt(model_path):
    """What an editor taught comes back as taught and sure enough to stay out of the editors' inbox
    (bot/desk/editing/inbox.py), with the right FAQ answer: the reason for C in bot/rasa/intent_classifier.py."""
    import asyncio

    from rasa.core.agent import Agent
    from rasa.shared.nlu.training_data.loading import load_data

    from bot.desk.editing.inbox import LOW_CONFIDENCE, NOT_UNDERSTOOD
    from bot.nlu_result import nlu_of

    agent = Agent.load(str(model_path))
    examples = load_data(str(ROOT / "data" / "nlu")).intent_examples

    async def doubts() -> list[str]:
        found = []
        for example in examples:
            text, taught = example.get("text"), example.get_full_intent()
            nlu = nlu_of(await agent.parse_message(text))  # what the desk stores and the inbox reads
            got = nlu.get("response_key") or nlu["intent"]
            sure = min(nlu["confidence"], nlu.get("response_confidence", 1.0))
            if got != taught or (taught not in NOT_UNDERSTOOD and sure < LOW_CONFIDENCE):
                found.append(f"{text!r}: taught {taught}, understood {got} ({sure:.2f})")
        return found

    assert len(examples) > 500
    assert asyncio.run(doubts()) == []
