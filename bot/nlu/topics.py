"""The Dutch names of FAQ topics, kept by editors in `topics.yml` beside `data/` (the topic keys
themselves live in the training data). Read wherever a topic is shown: the summary, the console, the
dashboard and the report (bot/labels.py falls back to the built-in names)."""
from __future__ import annotations

import os
from pathlib import Path

import yaml

FILE = "topics.yml"
HEADER = ("# The Dutch name of each FAQ topic, as agents, editors and team leads read it. Edited from the\n"
          "# editors' page (or here); the topic's examples and answer are in data/nlu/.\n")


def path_for(project_dir: Path) -> Path:
    return project_dir / FILE


_read: dict[Path, tuple[tuple[int, int], dict[str, str]]] = {}


def load(project_dir: Path) -> dict[str, str]:
    """Read again only when the file changed: labels are looked up for every summary and page."""
    path = path_for(project_dir)
    try:
        stat = path.stat()
    except FileNotFoundError:
        return {}
    stamp = (stat.st_mtime_ns, stat.st_size)
    cached = _read.get(path)
    if cached and cached[0] == stamp:
        return dict(cached[1])
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError:
        return {}
    names = {str(k): str(v) for k, v in (data.get("topics") or {}).items()}
    _read[path] = (stamp, names)
    return dict(names)


def save(project_dir: Path, labels: dict[str, str]) -> Path:
    path = path_for(project_dir)
    body = yaml.safe_dump({"topics": dict(sorted(labels.items()))}, allow_unicode=True, sort_keys=False)
    tmp = path.with_suffix(".yml.tmp")
    tmp.write_text(HEADER + body, encoding="utf-8")
    tmp.replace(path)
    return path


_in_use: Path | None = None


def use(project: Path) -> None:
    """The desk names topics from the project it edits (its settings), not from the environment."""
    global _in_use
    _in_use = project


def project_dir() -> Path:
    """The bot project the labels belong to: the desk's, else BOT_PROJECT_DIR, else the repository."""
    from bot.config import ROOT

    return _in_use or Path(os.environ.get("BOT_PROJECT_DIR") or ROOT)
