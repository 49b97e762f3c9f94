"""Rasa without TensorFlow (bot/rasa/without_tensorflow.py): only for a model whose every component is known not to
use it; a model trained without a TensorFlow component then loads and answers in a Rasa process that never loaded
TensorFlow's library."""
from __future__ import annotations

import ast
import json
import os
import secrets
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest
import requests
import yaml

from bot import signing
from bot.config import ROOT
from bot.rasa import without_tensorflow
from tests.conftest import free_port

RASA = str(Path(sys.executable).parent / "rasa")


def model_with(tmp_path: Path, components: list[str]) -> Path:
    metadata = {"predict_schema": {"nodes": {f"n{i}": {"uses": c} for i, c in enumerate(components)}}}
    source = tmp_path / "metadata.json"
    source.write_text(json.dumps(metadata))
    model = tmp_path / f"model-{len(components)}.tar.gz"
    with tarfile.open(model, "w:gz") as archive:
        archive.add(source, arcname="metadata.json")
    return model


def test_only_a_model_of_known_tensorflow_free_components_runs_without_it(tmp_path):
    free = ["rasa.nlu.tokenizers.whitespace_tokenizer.WhitespaceTokenizer", "bot.rasa.nlu_guard.NonsenseGuard",
            "rasa.core.policies.rule_policy.RulePolicy"]
    assert without_tensorflow.tensorflow_free(model_with(tmp_path, free))
    assert not without_tensorflow.tensorflow_free(model_with(tmp_path, free + [
        "rasa.nlu.selectors.response_selector.ResponseSelector"]))
    assert not without_tensorflow.tensorflow_free(model_with(tmp_path, free + ["shop.components.Mine", "x.Y"]))
    assert not without_tensorflow.tensorflow_free(tmp_path / "missing.tar.gz")
    # The shipped model of this branch still has the ResponseSelector: Rasa keeps TensorFlow for it.
    if (ROOT / "models" / "balie.tar.gz").exists():
        components = without_tensorflow.prediction_components(ROOT / "models" / "balie.tar.gz")
        uses_tensorflow = "rasa.nlu.selectors.response_selector.ResponseSelector" in components
        assert without_tensorflow.tensorflow_free(ROOT / "models" / "balie.tar.gz") == (not uses_tensorflow)


def test_balies_own_rasa_components_never_import_tensorflow():
    for path in (ROOT / "bot").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.split(".")[0] in without_tensorflow.STOOD_IN for n in names), path


def test_the_model_argument_is_read_from_rasas_options(tmp_path):
    model = model_with(tmp_path, ["a.B"])
    assert without_tensorflow.model_argument(["-i", "127.0.0.1", "-m", str(model)]) == model
    assert without_tensorflow.model_argument([f"--model={model}"]) == model
    assert without_tensorflow.model_argument(["-m", str(tmp_path)]) is None  # a folder: Rasa picks, we do not guess


@pytest.mark.e2e
def test_a_model_without_tensorflow_components_loads_and_answers_without_tensorflow(tmp_path):
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    config["pipeline"] = [c for c in config["pipeline"] if c["name"] != "ResponseSelector"]
    (tmp_path / "config.yml").write_text(yaml.safe_dump(config, allow_unicode=True))
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3"}
    trained = subprocess.run([RASA, "train", "--config", str(tmp_path / "config.yml"), "--out", str(tmp_path),
                              "--fixed-model-name", "without-tf"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert trained.returncode == 0, trained.stdout[-3000:]
    model = tmp_path / "without-tf.tar.gz"
    assert without_tensorflow.tensorflow_free(model)

    token, port = secrets.token_urlsafe(16), free_port()
    log = tmp_path / "rasa.log"
    process = subprocess.Popen([sys.executable, "-m", "bot", "serve", "rasa", "--enable-api", "-p", str(port), "-m",
                                str(model), "--credentials", str(ROOT / "credentials.yml")], cwd=ROOT,
                               env={**env, "RASA_TOKEN": token}, stdout=open(log, "wb"), stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()[-3000:]
            try:
                if requests.get(url + "/", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(1)
        body = json.dumps({"sender": "zonder-tf", "message": "Hoi"}).encode()
        answer = requests.post(url + "/webhooks/desk/webhook", data=body, timeout=60, headers={
            "Content-Type": "application/json", **signing.sign_body(token, body)})
        assert answer.status_code == 200, answer.text
        replies = [m.get("text") for m in answer.json()["messages"]]
        assert any("digitale assistent" in (t or "") for t in replies), replies  # the greeting, by rule
        assert "Rasa runs without TensorFlow" in log.read_text()
        maps = Path(f"/proc/{process.pid}/maps").read_text()
        assert "libtensorflow" not in maps and "_pywrap_tensorflow" not in maps
        resident = next(line for line in Path(f"/proc/{process.pid}/status").read_text().splitlines()
                        if line.startswith("VmRSS:"))
        print(f"\nRasa without TensorFlow, model loaded, one turn answered: {resident.split(':')[1].strip()}")
    finally:
        process.terminate()
        process.wait(timeout=30)
