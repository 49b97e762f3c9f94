"""`bot nlu report` on a small data set (2 folds, a light config): per-label F1 as Rasa computed it, the
most confused pairs with real example utterances, confusion-matrix PNGs, and the desk showing it."""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace

import pytest
import requests

from bot.config import ROOT
from bot.nlu.report import summarise
from tests.desk_support import desk, login, project, rasa  # noqa: F401 - fixtures

SMALL = ROOT / "tests" / "data" / "small_nlu"
CONFIG = ROOT / "tests" / "data" / "small_nlu_config.yml"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("nlu-report")
    result = subprocess.run([sys.executable, "-m", "bot", "nlu", "report", "--data", str(SMALL), "--config",
                             str(CONFIG), "--out", str(out), "--folds", "2"], capture_output=True, text=True, cwd=ROOT,
                            timeout=900)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return out, result.stdout


@pytest.mark.rasa_eval
def test_the_report_holds_rasas_f1_per_label_confused_pairs_and_pictures(built):
    out, printed = built
    summary = json.loads((out / "summary.json").read_text())
    rasa_report = json.loads((out / "rasa" / "intent_report.json").read_text())
    assert {r["label"] for r in summary["intents"]} == {"greet", "order_status", "return_request", "faq"}
    for row in summary["intents"]:
        assert row["f1"] == round(rasa_report[row["label"]]["f1-score"], 3)
    assert {r["label"] for r in summary["responses"]} == {"faq/shipping_costs", "faq/payment_methods"}
    examples = (SMALL / "small.yml").read_text()
    for pair in summary["confused"]:
        assert pair["expected"] != pair["predicted"] and pair["count"] >= 1
        assert all(f"    - {text}\n" in examples for text in pair["examples"])
    for picture in summary["pictures"]:
        assert (out / picture).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "intent_confusion_matrix.png" in summary["pictures"]
    assert "weighted F1" in printed and (out / "index.html").read_text().startswith("<!doctype html>")


def test_confused_pairs_are_ranked_and_keep_example_utterances(tmp_path):
    (tmp_path / "intent_report.json").write_text(json.dumps({
        "greet": {"precision": 1.0, "recall": 0.5, "f1-score": 0.667, "support": 4, "confused_with": {"order_status": 2}},
        "order_status": {"precision": 0.6, "recall": 1.0, "f1-score": 0.75, "support": 3, "confused_with": {}},
        "weighted avg": {"f1-score": 0.7}}))
    (tmp_path / "intent_errors.json").write_text(json.dumps([
        {"text": "hallo pakket", "intent": "greet", "intent_prediction": {"name": "order_status", "confidence": 0.6}},
        {"text": "hoi, waar is het", "intent": "greet", "intent_prediction": {"name": "order_status", "confidence": 0.5}}]))
    summary = summarise(tmp_path)
    assert summary["confused"] == [{"kind": "intents", "expected": "greet", "predicted": "order_status", "count": 2,
                                    "examples": ["hallo pakket", "hoi, waar is het"]}]
    assert [r["label"] for r in summary["intents"]] == ["greet", "order_status"] and summary["intents_weighted_f1"] == 0.7


@pytest.mark.rasa_eval
def test_the_desk_shows_the_latest_report_to_editors(built, desk, rasa):
    out, _ = built
    eva = login(desk, "eva", "wachtwoord-eva")
    desk.app.state.settings = replace(desk.app.state.settings, nlu_report_dir=out / "missing")
    missing = requests.get(desk.url + "/api/editor/nlu-report", headers=eva)
    assert missing.status_code == 200 and missing.json() == {"available": False, "job": {"status": "idle"}}
    desk.app.state.settings = replace(desk.app.state.settings, nlu_report_dir=out)
    shown = requests.get(desk.url + "/api/editor/nlu-report", headers=eva).json()
    assert shown["folds"] == 2 and shown["intents"] and shown["available"]
    assert shown["names"]["order_status"] == "Waar is mijn pakket"  # the page names what it lists
    picture = requests.get(desk.url + "/api/editor/nlu-report/intent_confusion_matrix.png", headers=eva)
    assert picture.status_code == 200 and picture.content[:4] == b"\x89PNG"
    assert requests.get(desk.url + "/api/editor/nlu-report/..%2Fsummary.json", headers=eva).status_code == 404
    assert requests.get(desk.url + "/api/editor/nlu-report", headers=login(desk, "anna", "wachtwoord-anna")).status_code == 403
