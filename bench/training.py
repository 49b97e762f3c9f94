"""Training at editing speed: how long a full `rasa train` of Balie takes next to Rasa's own starter
project (`rasa init`) trained in the same run on the same machine, and the held-out NLU figures of the
configuration (intent F1, response-selection F1), so that a faster configuration is never a worse one.

    .venv/bin/python -m bench.training                 # the starter, Balie before and now (config.yml)
    .venv/bin/python -m bench.training --config X.yml --before ''   # try another configuration (F1 and time)
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


BEFORE = Path(__file__).parent / "config-before-issue-12.yml"  # the pipeline before training was made faster


def measure(config: Path = ROOT / "config.yml", *, before: Path | None = BEFORE, with_f1: bool = True) -> dict:
    """The starter project, then Balie with `before` (if given) and with `config`, in one run on this machine."""
    folder = Path(tempfile.mkdtemp(prefix="balie-training-"))
    ENV["RASA_CACHE_DIRECTORY"] = str(folder / "cache")  # nothing from an earlier training is reused
    result: dict = {"config": str(config)}
    print("Training Rasa's starter project (rasa init) ...", flush=True)
    result["starter_seconds"] = starter_seconds(folder)
    print(f"  {result['starter_seconds']:.0f} s", flush=True)
    for name, path in (("before", before), ("after", config)):
        if path is None:
            continue
        part = folder / name
        part.mkdir()
        print(f"Training Balie with {path.name} ({name}) ...", flush=True)
        seconds = balie_seconds(path, part)
        figures = {"seconds": seconds, "ratio": seconds / result["starter_seconds"],
                   "components": component_seconds(part / "balie-train.log")}
        print(f"  {seconds:.0f} s ({figures['ratio']:.2f}× the starter)", flush=True)
        if with_f1:
            print("  held-out NLU figures ...", flush=True)
            figures.update(held_out(path, part))
            print(f"  intent F1 {figures['intent_f1']:.3f}, response selection F1 {figures['response_f1']:.3f}", flush=True)
        result[name] = figures
    shutil.rmtree(folder, ignore_errors=True)
    return result


INTENT_CLASSIFIERS = ("DIETClassifier", "IntentClassifier")  # before issue 12, and now (bot/rasa/intent_classifier.py)


def intent_seconds(components: dict[str, float]) -> float:
    return sum(components.get(name, 0.0) for name in INTENT_CLASSIFIERS)


def lines(result: dict) -> list[str]:
    """The figures as a Markdown table for docs/benchmarks.md."""
    out = [f"Training (`rasa train --force`, no cache) next to Rasa's starter project (`rasa init`), same run: "
           f"starter {result['starter_seconds']:.0f} s.", "",
           "| Balie pipeline | seconds | × starter | intent classifier s | FAQ answer selector s | TED s "
           "| held-out intent F1 | response F1 |",
           "|---|---|---|---|---|---|---|---|"]
    for name in ("before", "after"):
        if name not in result:
            continue
        r, c = result[name], result[name]["components"]
        f1 = (f"{r['intent_f1']:.3f} | {r['response_f1']:.3f}" if "intent_f1" in r else "– | –")
        out.append(f"| {name} | {r['seconds']:.0f} | {r['ratio']:.2f}× | {intent_seconds(c):.0f} | "
                   f"{c.get('ResponseSelector', 0) + c.get('AnswerSelector', 0):.0f} | {c.get('TEDPolicy', 0):.0f} | {f1} |")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=str(ROOT / "config.yml"))
    parser.add_argument("--before", default=str(BEFORE), help="also the earlier pipeline ('' to skip)")
    parser.add_argument("--no-f1", action="store_true")
    args = parser.parse_args()
    result = measure(Path(args.config), before=Path(args.before) if args.before else None, with_f1=not args.no_f1)
    print("\n".join(lines(result)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
