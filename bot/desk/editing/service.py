"""How an editor's change is kept: checked on a copy of the project first (a finding blocks it), written to
the data files the way a developer would, made one git commit by that editor, and logged in the desk."""
from __future__ import annotations

import shutil
import tempfile
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.desk.agents.models import Agent
from bot.desk.editing.history import History, HistoryError
from bot.desk.editing.models import EditRecord
from bot.desk.errors import Invalid, Unavailable
from bot.hours import short_date
from bot.nlu import files
from bot.nlu.check import check, errors

Where = tuple[str, int]  # a data file relative to the project, and a line in it


@dataclass(frozen=True)
class Project:
    """The bot project editors change: its folder, its git history and the desk's database (the edit log)."""
    dir: Path
    history: History
    db: Callable[[], AbstractContextManager[Session]]

    @property
    def data(self) -> Path:
        return self.dir / "data"


def problems_of(project_dir: Path) -> list[str]:
    return [str(f) for f in errors(check(project_dir))]


def checked_edit(project: Project, change: Callable[[Path], tuple[Path, int]]) -> Where:
    """Makes the change on a copy, runs the full check there, and only then on the real file."""
    with tempfile.TemporaryDirectory(prefix="balie-edit-") as tmp:
        copy = Path(tmp)
        shutil.copytree(project.data, copy / "data")
        for name in ("domain.yml", "config.yml"):
            shutil.copyfile(project.dir / name, copy / name)
        change(copy / "data")
        problems = problems_of(copy)
        if problems:
            raise Invalid({"message": "De wijziging is niet opgeslagen: de controle vond een fout.", "findings": problems})
    path, line = change(project.data)
    return str(path.relative_to(project.dir)), line


def commit(project: Project, agent: Agent, paths: list[str], message: str) -> str:
    """The edit as one commit by this editor."""
    try:
        return project.history.commit(paths=paths, username=agent.username, first_name=agent.first_name, message=message)
    except HistoryError as exc:
        raise Unavailable(f"De wijziging staat in de bestanden, maar git weigerde: {exc}") from exc


def record(session: Session, agent: Agent, kind: str, where: Where | None, detail: dict, sha: str | None) -> None:
    session.add(EditRecord(editor=agent.username, kind=kind, file=where[0] if where else None,
                           line=where[1] if where else None, detail={**detail, "commit": sha}))


def targets(project: Project) -> list[str]:
    """Every intent and FAQ key an example may go to."""
    return sorted(files.parse(project.data).blocks)


def log(session: Session, *, limit: int = 50) -> list[dict]:
    rows = list(session.scalars(select(EditRecord).order_by(EditRecord.id.desc()).limit(limit)))
    first = dict(session.execute(select(Agent.username, Agent.first_name)
                                 .where(Agent.username.in_({r.editor for r in rows}))).all())
    # "who": the name the editor's commits carry (History.author_of), so the log and the history agree.
    return [{"editor": r.editor, "who": first.get(r.editor) or r.editor, "kind": r.kind, "file": r.file,
             "line": r.line, "detail": r.detail, "at": r.created_at.isoformat() + "Z"} for r in rows]


def origins(session: Session, name: Callable[[str], str] = str) -> dict[str, str]:
    """Where each example an editor added came from, in words (the inbox message, a move, by hand); `name`
    gives an intent's Dutch name, editors are named as in their commits (first name)."""
    records = session.scalars(select(EditRecord).where(EditRecord.kind.in_(("example_added", "topic_added",
                                                                          "example_moved")))
                              .order_by(EditRecord.id)).all()
    first = dict(session.execute(select(Agent.username, Agent.first_name)).all())
    origin: dict[str, str] = {}
    for entry in records:
        detail = entry.detail or {}
        when = short_date(entry.created_at)
        who = first.get(entry.editor) or entry.editor
        for example in detail.get("examples") or [detail.get("example")]:
            if not example:
                continue
            if entry.kind == "example_moved":
                origin[example] = f"verplaatst van “{name(detail.get('from') or '')}” door {who} op {when}"
            elif detail.get("group"):
                origin[example] = f"uit de inbox: “{detail['group']}” ({detail.get('count', 1)}×), door {who} op {when}"
            else:
                origin[example] = f"toegevoegd door {who} op {when}"
    return origin


def example_source(project: Project, file: str, line: int) -> tuple[Path, files.Example]:
    """The data file (relative to the project) and the example an editor points at by file and line."""
    try:  # a NUL byte or an overlong name is no file of ours either (the OS refuses such paths)
        path = (project.dir / file).resolve()
        ours = path.is_relative_to(project.data.resolve()) and path.suffix == ".yml" and path.exists()
    except (ValueError, OSError):
        ours = False
    if not ours:
        raise Invalid("Dit bestand hoort niet bij de trainingsgegevens.")
    try:
        return path.relative_to(project.dir.resolve()), files.example_at(project.data, path, line)
    except files.EditError as exc:
        raise Invalid(str(exc)) from exc
