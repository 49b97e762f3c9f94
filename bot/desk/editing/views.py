"""Editors in the desk: the inbox of misunderstood messages, FAQ answers, retraining, the edit log.
Every change goes through `bot nlu check` on a copy first; a finding blocks the save."""
from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Callable

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from pydantic import BaseModel, StrictStr
from sqlalchemy import select

from bot.desk.agents.models import Agent
from bot.desk.auth import Editor
from bot.desk.deps import clean_text, db
from bot.desk.editing import inbox
from bot.desk.editing.models import EditRecord
from bot.nlu import files
from bot.nlu.check import check, errors
from bot.nlu.report import PICTURES

router = APIRouter(tags=["editors"])


class AssignIn(BaseModel):
    key: StrictStr
    target: StrictStr  # an intent or faq/<key>
    example: StrictStr


class DismissIn(BaseModel):
    key: StrictStr


class AnswerIn(BaseModel):
    key: StrictStr  # utter_faq/<key>
    text: StrictStr


def _project(request: Request) -> Path:
    return request.app.state.settings.project_dir


def _checked_edit(project: Path, change: Callable[[Path], tuple[Path, int]]) -> tuple[str, int]:
    """Makes the change on a copy, runs the full check there, and only then on the real file."""
    with tempfile.TemporaryDirectory(prefix="balie-edit-") as tmp:
        copy = Path(tmp)
        shutil.copytree(project / "data", copy / "data")
        for name in ("domain.yml", "config.yml"):
            shutil.copyfile(project / name, copy / name)
        change(copy / "data")
        problems = errors(check(copy))
        if problems:
            raise HTTPException(422, detail={"message": "De wijziging is niet opgeslagen: de controle vond een fout.",
                                             "findings": [str(f) for f in problems]})
    path, line = change(project / "data")
    return str(path.relative_to(project)), line


def _targets(project: Path) -> list[str]:
    return sorted(files.parse(project / "data").blocks)


@router.get("/api/editor/inbox", dependencies=[Editor], responses={401: {}, 403: {}})
def list_inbox(request: Request) -> dict:
    with db(request) as session:
        return {"groups": [g.to_json() for g in inbox.groups(session)], "targets": _targets(_project(request))}


def _find_group(request: Request, key: str):
    with db(request) as session:
        return inbox.find(session, key)


def _record_assign(request: Request, who: str, group, body: AssignIn, example: str, where: tuple[str, int]) -> None:
    with db(request) as session:
        inbox.decide(session, group=group, decision="added", editor=who, target=body.target, example=example)
        session.add(EditRecord(editor=who, kind="example_added", file=where[0], line=where[1],
                               detail={"intent": body.target, "example": example, "count": group.count}))


@router.post("/api/editor/inbox/assign", responses={401: {}, 403: {}, 404: {}, 422: {}})
async def assign(body: AssignIn, request: Request, agent: Agent = Editor) -> dict:
    example = clean_text(body.example, max_chars=300)
    project = _project(request)
    if body.target not in await run_in_threadpool(_targets, project):
        raise HTTPException(422, detail="Kies een bestaande intent of FAQ-vraag.")
    who = agent.username
    async with request.app.state.edit_lock:  # one data edit at a time
        group = await run_in_threadpool(_find_group, request, body.key)
        if group is None:
            raise HTTPException(404, detail="Deze groep staat niet (meer) in de inbox.")
        try:
            where = await run_in_threadpool(_checked_edit, project,
                                            lambda data: files.add_example(data, body.target, example))
        except files.EditError as exc:
            raise HTTPException(422, detail=str(exc)) from exc
        await run_in_threadpool(_record_assign, request, who, group, body, example, where)
    return {"file": where[0], "line": where[1], "retrain_needed": True}


@router.post("/api/editor/inbox/dismiss", responses={401: {}, 403: {}, 404: {}})
def dismiss(body: DismissIn, request: Request, agent: Agent = Editor) -> dict:
    who = agent.username
    with db(request) as session:
        group = inbox.find(session, body.key)
        if group is None:
            raise HTTPException(404, detail="Deze groep staat niet (meer) in de inbox.")
        inbox.decide(session, group=group, decision="dismissed", editor=who)
        session.add(EditRecord(editor=who, kind="dismissed", detail={"text": group.text, "count": group.count}))
    return {"ok": True}


@router.get("/api/editor/answers", dependencies=[Editor], responses={401: {}, 403: {}})
def list_answers(request: Request) -> dict:
    project = _project(request)
    answers = files.parse(project / "data").answers
    return {"answers": [{"key": a.key, "text": a.text, "file": str(a.file.relative_to(project)), "line": a.line}
                        for a in answers]}


def _record_answer(request: Request, who: str, key: str, before: str | None, text: str, where) -> None:
    with db(request) as session:
        session.add(EditRecord(editor=who, kind="answer_changed", file=where[0], line=where[1],
                               detail={"key": key, "before": before, "after": text}))


@router.put("/api/editor/answers", responses={401: {}, 403: {}, 422: {}})
async def change_answer(body: AnswerIn, request: Request, agent: Agent = Editor) -> dict:
    text = clean_text(body.text, max_chars=1000)
    project = _project(request)
    who = agent.username
    async with request.app.state.edit_lock:  # one data edit at a time
        before = await run_in_threadpool(lambda: {a.key: a.text for a in files.parse(project / "data").answers}.get(body.key))
        try:
            where = await run_in_threadpool(_checked_edit, project, lambda data: files.set_answer(data, body.key, text))
        except files.EditError as exc:
            raise HTTPException(422, detail=str(exc)) from exc
        await run_in_threadpool(_record_answer, request, who, body.key, before, text, where)
    return {"file": where[0], "line": where[1], "retrain_needed": True}


@router.post("/api/editor/training", status_code=202, responses={401: {}, 403: {}, 409: {}, 422: {}})
async def start_training(request: Request, agent: Agent = Editor) -> dict:
    trainer = request.app.state.trainer
    who = agent.username
    problems = errors(await run_in_threadpool(check, _project(request), None, with_rasa=False))
    if problems:
        raise HTTPException(422, detail={"message": "Eerst de fouten in de gegevens oplossen.",
                                         "findings": [str(f) for f in problems]})
    if trainer.running:
        raise HTTPException(409, detail="Er loopt al een training.")

    def write(job) -> None:
        with db(request.app) as session:
            session.add(EditRecord(editor=who, kind="retrain", detail={
                "status": job.status, "model": job.model, "seconds": job.seconds, "error": job.error}))

    async def record(job) -> None:
        await run_in_threadpool(write, job)
    trainer.start(who, on_done=record)
    return trainer.status()


@router.get("/api/editor/training", dependencies=[Editor], responses={401: {}, 403: {}})
def training_status(request: Request) -> dict:
    return request.app.state.trainer.status()


@router.get("/api/editor/nlu-report", dependencies=[Editor], responses={401: {}, 403: {}, 404: {}})
def nlu_report(request: Request) -> dict:
    summary = request.app.state.settings.nlu_report_dir / "summary.json"
    if not summary.exists():
        raise HTTPException(404, detail="Er is nog geen NLU-rapport. Maak er een met `bot nlu report`.")
    return json.loads(summary.read_text())


@router.get("/api/editor/nlu-report/{picture}", dependencies=[Editor], responses={401: {}, 403: {}, 404: {}})
def nlu_report_picture(picture: str, request: Request) -> FileResponse:
    path = request.app.state.settings.nlu_report_dir / picture
    if picture not in PICTURES or not path.exists():
        raise HTTPException(404, detail="Deze afbeelding bestaat niet.")
    return FileResponse(path, media_type="image/png")


@router.get("/api/editor/log", dependencies=[Editor], responses={401: {}, 403: {}})
def edit_log(request: Request) -> dict:
    with db(request) as session:
        rows = session.scalars(select(EditRecord).order_by(EditRecord.id.desc()).limit(50))
        return {"edits": [{"editor": r.editor, "kind": r.kind, "file": r.file, "line": r.line, "detail": r.detail,
                           "at": r.created_at.isoformat() + "Z"} for r in rows]}
