"""`bot nlu report`: cross-validated F1 per intent and per FAQ answer, the most confused pairs with
example utterances, and Rasa's confusion-matrix pictures, written to one folder that the desk shows."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from html import escape
from pathlib import Path

PICTURES = ("intent_confusion_matrix.png", "response_selection_confusion_matrix.png")
NOT_LABELS = {"accuracy", "macro avg", "weighted avg", "micro avg"}


def run_cross_validation(data_dir: Path, config: Path, raw: Path, folds: int, log: Path) -> None:
    rasa = Path(sys.executable).parent / "rasa"
    command = [str(rasa), "test", "nlu", "--cross-validation", "--folds", str(folds), "--nlu", str(data_dir),
               "--config", str(config), "--out", str(raw)]
    with log.open("w") as handle:
        result = subprocess.run(command, stdout=handle, stderr=subprocess.STDOUT, timeout=3600)
    if result.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:])
        raise RuntimeError(f"rasa test nlu failed (exit {result.returncode}):\n{tail}")


def _load(path: Path):
    return json.loads(path.read_text()) if path.exists() else None


def summarise(raw: Path, pairs: int = 8, examples: int = 3) -> dict:
    """Per-label F1 and the most confused pairs (with up to `examples` utterances each) from Rasa's files."""
    summary: dict = {"intents": [], "responses": [], "confused": []}
    for kind, report_name, errors_name, truth, guess in (
            ("intents", "intent_report.json", "intent_errors.json", "intent", "intent_prediction"),
            ("responses", "response_selection_report.json", "response_selection_errors.json",
             "intent_response_key_target", "intent_response_key_prediction")):
        report = _load(raw / report_name) or {}
        errors = _load(raw / errors_name) or []
        for label, scores in sorted(report.items()):
            if label in NOT_LABELS or not isinstance(scores, dict):
                continue
            summary[kind].append({"label": label, "f1": round(scores.get("f1-score", 0.0), 3),
                                  "precision": round(scores.get("precision", 0.0), 3),
                                  "recall": round(scores.get("recall", 0.0), 3), "support": scores.get("support", 0)})
            for other, count in (scores.get("confused_with") or {}).items():
                said = [e["text"] for e in errors if e.get(truth) == label and _name(e.get(guess)) == other]
                summary["confused"].append({"kind": kind, "expected": label, "predicted": other, "count": count,
                                            "examples": said[:examples]})
        if "weighted avg" in report:
            summary[f"{kind}_weighted_f1"] = round(report["weighted avg"].get("f1-score", 0.0), 3)
    summary["confused"] = sorted(summary["confused"], key=lambda c: -c["count"])[:pairs]
    summary["intents"].sort(key=lambda r: r["f1"])
    summary["responses"].sort(key=lambda r: r["f1"])
    return summary


def _name(prediction) -> str | None:
    if isinstance(prediction, dict):
        return prediction.get("name")
    return prediction


def to_html(summary: dict) -> str:
    def table(rows: list[dict]) -> str:
        body = "".join(f"<tr><td>{escape(r['label'])}</td><td>{r['f1']:.2f}</td><td>{r['precision']:.2f}</td>"
                       f"<td>{r['recall']:.2f}</td><td>{r['support']}</td></tr>" for r in rows)
        return ("<table><tr><th>label</th><th>F1</th><th>precisie</th><th>recall</th><th>voorbeelden</th></tr>"
                f"{body}</table>") if rows else "<p>Geen gegevens.</p>"
    confused = "".join(
        f"<li><b>{escape(c['expected'])}</b> aangezien voor <b>{escape(c['predicted'])}</b> ({c['count']}×)"
        + "".join(f"<br><q>{escape(t)}</q>" for t in c["examples"]) + "</li>" for c in summary["confused"])
    pictures = "".join(f'<img src="{p}" alt="verwarringsmatrix" style="max-width:100%">' for p in summary.get("pictures", []))
    return (f"<!doctype html><html lang=\"nl\"><head><meta charset=\"utf-8\"><title>NLU-rapport</title></head><body>"
            f"<h1>NLU-rapport</h1><p>Kruisvalidatie met {summary.get('folds')} delen, {escape(summary.get('finished', ''))}.</p>"
            f"<h2>Intents (slechtste eerst)</h2>{table(summary['intents'])}"
            f"<h2>FAQ-antwoorden (slechtste eerst)</h2>{table(summary['responses'])}"
            f"<h2>Vaakst verward</h2><ul>{confused or '<li>Niets verward.</li>'}</ul>{pictures}</body></html>")


def build(*, data_dir: Path, config: Path, out: Path, folds: int = 3) -> dict:
    """Runs the cross-validation and writes summary.json, index.html and the PNGs into `out`."""
    started = time.monotonic()
    out.mkdir(parents=True, exist_ok=True)
    raw = out / "rasa"
    shutil.rmtree(raw, ignore_errors=True)
    run_cross_validation(data_dir, config, raw, folds, out / "rasa-test.log")
    summary = summarise(raw)
    summary["pictures"] = []
    for picture in PICTURES:
        if (raw / picture).exists():
            shutil.copyfile(raw / picture, out / picture)
            summary["pictures"].append(picture)
    summary["folds"] = folds
    summary["seconds"] = round(time.monotonic() - started, 1)
    summary["finished"] = time.strftime("%Y-%m-%d %H:%M")
    (out / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    (out / "index.html").write_text(to_html(summary), encoding="utf-8")
    return summary
