"""Training at editing speed: how long a full `rasa train` of Balie takes next to Rasa's own starter
project (`rasa init`) trained in the same run on the same machine, and the held-out NLU figures of the
configuration (intent F1, response-selection F1), so that a faster configuration is never a worse one.

    .venv/bin/python -m bench.training                 # Balie's config.yml against the starter project
    .venv/bin/python -m bench.training --config X.yml  # try another configuration (F1 and time)
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.config import ROOT

RASA = str(Path(sys.executable).parent / "rasa")
ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3"}


def _rasa(*args: str, cwd: Path, log: Path) -> None:
    with open(log, "w") as out:
        result = subprocess.run([RASA, *args], cwd=cwd, env=ENV, stdout=out, stderr=subprocess.STDOUT)
    if result.returncode != 0:
        raise RuntimeError(f"rasa {' '.join(args)} failed; see {log}:\n" + "\n".join(
            log.read_text(errors="replace").splitlines()[-20:]))


def balie_seconds(config: Path, folder: Path) -> float:
    """A full `rasa train --force` of Balie (NLU and dialogue), without Rasa's cache."""
    project = folder / "balie"
    shutil.copytree(ROOT / "data", project / "data")
    shutil.copyfile(ROOT / "domain.yml", project / "domain.yml")
    shutil.copyfile(config, project / "config.yml")
    start = time.perf_counter()
    _rasa("train", "--force", "--out", str(project / "models"), cwd=project, log=folder / "balie-train.log")
    return time.perf_counter() - start


def starter_seconds(folder: Path) -> float:
    """Rasa's starter project, made by `rasa init --no-prompt` and trained with `rasa train --force`."""
    starter = folder / "starter"
    starter.mkdir()
    _rasa("init", "--no-prompt", "--init-dir", str(starter), cwd=folder, log=folder / "starter-init.log")
    shutil.rmtree(starter / "models", ignore_errors=True)  # `rasa init` trains once; time a clean train
    start = time.perf_counter()
    _rasa("train", "--force", "--out", str(starter / "models"), cwd=starter, log=folder / "starter-train.log")
    return time.perf_counter() - start


def held_out(config: Path, folder: Path) -> dict:
    """The split of tests/test_rasa.py (80/20, seed 7): NLU trained on one, tested on the other."""
    split = folder / "split"
    _rasa("data", "split", "nlu", "-u", str(ROOT / "data" / "nlu"), "--training-fraction", "0.8", "--random-seed", "7",
          "--out", str(split), cwd=ROOT, log=folder / "split.log")
    start = time.perf_counter()
    _rasa("train", "nlu", "-u", str(split / "training_data.yml"), "-c", str(config), "--out", str(folder / "nlu"),
          "--fixed-model-name", "heldout", cwd=ROOT, log=folder / "nlu-train.log")
    nlu_seconds = time.perf_counter() - start
    _rasa("test", "nlu", "-u", str(split / "test_data.yml"), "-m", str(folder / "nlu" / "heldout.tar.gz"), "--out",
          str(folder / "results"), "--no-plot", cwd=ROOT, log=folder / "nlu-test.log")
    intents = json.loads((folder / "results" / "intent_report.json").read_text())["weighted avg"]["f1-score"]
    responses = json.loads((folder / "results" / "response_selection_report.json").read_text())["weighted avg"]["f1-score"]
    return {"intent_f1": intents, "response_f1": responses, "nlu_train_seconds": nlu_seconds}


def component_seconds(log: Path) -> dict[str, float]:
    """Seconds per component from a training log (Rasa logs when each starts and finishes)."""
    import re
    from datetime import datetime

    started: dict[str, datetime] = {}
    took: dict[str, float] = {}
    for line in log.read_text(errors="replace").splitlines():
        match = re.search(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d).*(Starting to train|Finished training) component '(\w+)'", line)
        if not match:
            continue
        moment = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S")
        name = match.group(3)
        if match.group(2).startswith("Starting"):
            started[name] = moment
        elif name in started:
            took[name] = took.get(name, 0.0) + (moment - started.pop(name)).total_seconds()
    return took


def measure(config: Path = ROOT / "config.yml", *, with_f1: bool = True) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="balie-training-"))
    result = {"config": str(config)}
    print("Training Rasa's starter project (rasa init) ...", flush=True)
    result["starter_seconds"] = starter_seconds(folder)
    print(f"  {result['starter_seconds']:.0f} s", flush=True)
    print(f"Training Balie ({config.name}) ...", flush=True)
    result["balie_seconds"] = balie_seconds(config, folder)
    result["components"] = component_seconds(folder / "balie-train.log")
    print(f"  {result['balie_seconds']:.0f} s ({result['balie_seconds'] / result['starter_seconds']:.2f}× the starter)",
          flush=True)
    if with_f1:
        print("Held-out NLU figures ...", flush=True)
        result.update(held_out(config, folder))
        print(f"  intent F1 {result['intent_f1']:.3f}, response selection F1 {result['response_f1']:.3f}", flush=True)
    shutil.rmtree(folder, ignore_errors=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=str(ROOT / "config.yml"))
    parser.add_argument("--no-f1", action="store_true")
    args = parser.parse_args()
    result = measure(Path(args.config), with_f1=not args.no_f1)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
