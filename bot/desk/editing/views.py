"""Editors in the desk: the inbox of misunderstood messages, FAQ topics (new, renamed, retired), every
example with where it came from (moved, deleted), FAQ answers, retraining, and the history of edits.
Every change goes through `bot nlu check` on a copy first (a finding blocks the save), is then written
to the data files the way a developer would, becomes one git commit by that editor, and is logged."""
from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Callable

from fastapi import APIRouter, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from typing import Optional

from pydantic import conint, conlist, constr
from sqlalchemy import select

from bot.desk.agents.models import Agent
from bot.desk.auth import Editor
from bot.desk.deps import Input, clean_text, db, typed
from bot.desk.editing import inbox
from bot.desk.editing.history import History, HistoryError
from bot.desk.editing.models import EditRecord
from bot.nlu import files
from bot.nlu import topics as topic_names
from bot import labels
from bot.nlu.check import MIN_TOPIC_EXAMPLES, check, errors
from bot.nlu.report import PICTURES

router = APIRouter(tags=["editors"])
TopicKey = PathParam(pattern=r"^[a-z][a-z0-9_]{2,40}$")  # faq/<key>, as bot.nlu.files.TOPIC_KEY


class AssignIn(Input):
    key: constr(strict=True, max_length=300)
    target: typed(120)  # an intent or faq/<key>
    example: typed(300)


class DismissIn(Input):
    key: constr(strict=True, max_length=300)


class AnswerIn(Input):
    key: typed(120)  # utter_faq/<key>
    text: typed(1000)


class TopicIn(Input):
    key: constr(strict=True, regex=r"^[a-z][a-z0-9_]{2,40}$")  # faq/<key> is made of it
    label: typed(60)  # the Dutch name agents and team leads read
    examples: conlist(typed(300), min_items=MIN_TOPIC_EXAMPLES, max_items=200)  # as customers ask them
    answer: typed(1000)
    group: Optional[constr(strict=True, max_length=300)] = None  # the inbox group it was made from


class LabelIn(Input):
    label: typed(60)


class ExampleAt(Input):
    file: typed(200)  # as listed: data/nlu/<file>.yml
    line: conint(strict=True, ge=1, le=10**6)
    text: typed(300)  # what the editor saw there (a changed file refuses the edit)


class MoveIn(ExampleAt):
    target: typed(120)


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


def _history(request: Request) -> History:
    return request.app.state.history


def _commit(request: Request, agent: Agent, paths: list[str], message: str) -> str | None:
    """The edit as one commit by this editor (None when git refused; the edit itself is saved)."""
    try:
        return _history(request).commit(paths=paths, username=agent.username, first_name=agent.first_name,
                                        message=message)
    except HistoryError as exc:
        raise HTTPException(502, detail=f"De wijziging staat in de bestanden, maar git weigerde: {exc}") from exc


def _record(request: Request, agent: Agent, kind: str, where: tuple[str, int] | None, detail: dict,
            sha: str | None) -> None:
    with db(request) as session:
        session.add(EditRecord(editor=agent.username, kind=kind, file=where[0] if where else None,
                               line=where[1] if where else None, detail={**detail, "commit": sha}))


def _targets(project: Path) -> list[str]:
    return sorted(files.parse(project / "data").blocks)


@router.get("/api/editor/inbox", dependencies=[Editor], responses={401: {}, 403: {}})
def list_inbox(request: Request) -> dict:
    with db(request) as session:
        return {"groups": [g.to_json() for g in inbox.groups(session)], "targets": _targets(_project(request))}


def _find_group(request: Request, key: str):
    with db(request) as session:
        return inbox.find(session, key)


def _record_assign(request: Request, agent: Agent, group, body: AssignIn, example: str, where: tuple[str, int]) -> None:
    # No customer's words in the commit message: a privacy erasure can clear the desk, not git's history.
    sha = _commit(request, agent, [where[0]], f"Voorbeeld toegevoegd aan {body.target} (uit de inbox, {group.count}×)")
    with db(request) as session:
        inbox.decide(session, group=group, decision="added", editor=agent.username, target=body.target, example=example)
        session.add(EditRecord(editor=agent.username, kind="example_added", file=where[0], line=where[1],
                               detail={"intent": body.target, "example": example, "count": group.count,
                                       "group": group.text, "commit": sha}))


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
        await run_in_threadpool(_record_assign, request, agent, group, body, example, where)
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


def _record_answer(request: Request, agent: Agent, key: str, before: str | None, text: str, where) -> None:
    sha = _commit(request, agent, [where[0]], f"Antwoord {key} gewijzigd")
    _record(request, agent, "answer_changed", where, {"key": key, "before": before, "after": text}, sha)


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
        await run_in_threadpool(_record_answer, request, agent, body.key, before, text, where)
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


# --- topics ---------------------------------------------------------------------------------------------
def _topics(project: Path) -> list[dict]:
    data = files.parse(project / "data")
    names = topic_names.load(project)
    answers = {a.key: a.text for a in data.answers}
    counts: dict[str, int] = {}
    for example in data.examples:
        counts[example.intent] = counts.get(example.intent, 0) + 1
    return [{"key": intent.removeprefix("faq/"), "intent": intent, "label": names.get(intent.removeprefix("faq/"))
             or labels.topic(intent), "examples": counts.get(intent, 0), "answer": answers.get(f"utter_{intent}")}
            for intent in sorted(data.blocks) if intent.startswith("faq/")]


@router.get("/api/editor/topics", dependencies=[Editor], responses={401: {}, 403: {}})
def list_topics(request: Request) -> dict:
    return {"topics": _topics(_project(request))}


def _new_topic(request: Request, agent: Agent, body: TopicIn, examples: list[str], label: str, answer: str) -> dict:
    project = _project(request)
    where = _checked_edit(project, lambda data: files.add_topic(data, body.key, examples, answer))
    names = topic_names.load(project)
    names[body.key] = label
    topic_names.save(project, names)
    group = None
    if body.group:
        with db(request) as session:
            group = inbox.find(session, body.group)
    origin = f" (uit de inbox, {group.count}×)" if group else ""  # the customer's words stay out of git
    sha = _commit(request, agent, [where[0], topic_names.FILE],
                  f"Nieuw onderwerp faq/{body.key} ({label}) met {len(examples)} voorbeelden en een antwoord{origin}")
    with db(request) as session:
        if group:
            inbox.decide(session, group=group, decision="added", editor=agent.username, target=f"faq/{body.key}",
                         example=examples[0])
        session.add(EditRecord(editor=agent.username, kind="topic_added", file=where[0], line=where[1],
                               detail={"topic": f"faq/{body.key}", "label": label, "examples": examples,
                                       "group": group.text if group else None, "commit": sha}))
    return {"topic": f"faq/{body.key}", "file": where[0], "line": where[1], "commit": sha, "retrain_needed": True}


async def _one_edit(request: Request, work: Callable[..., dict], *args,
                   refused: Callable[[str], int] = lambda reason: 422) -> dict:
    """Runs one data edit off the event loop, one at a time; a refused edit answers `refused(reason)`."""
    async with request.app.state.edit_lock:
        try:
            return await run_in_threadpool(work, request, *args)
        except files.EditError as exc:
            raise HTTPException(refused(str(exc)), detail=str(exc)) from exc


@router.post("/api/editor/topics", status_code=201, responses={401: {}, 403: {}, 409: {}, 422: {}})
async def add_topic(body: TopicIn, request: Request, agent: Agent = Editor) -> dict:
    """A new FAQ topic: key, Dutch name, example questions and the answer. Answered after the next training."""
    label = clean_text(body.label, max_chars=60)
    answer = clean_text(body.answer, max_chars=1000)
    examples = list(dict.fromkeys(clean_text(e, max_chars=300) for e in body.examples if e.strip()))
    if len(examples) < MIN_TOPIC_EXAMPLES:
        raise HTTPException(422, detail=f"Geef minstens {MIN_TOPIC_EXAMPLES} verschillende voorbeeldvragen, zoals "
                                        "klanten het zouden vragen.")
    return await _one_edit(request, _new_topic, agent, body, examples, label, answer,
                           refused=lambda reason: 409 if "bestaat al" in reason else 422)


def _rename(request: Request, agent: Agent, key: str, label: str) -> dict:
    project = _project(request)
    if f"faq/{key}" not in files.parse(project / "data").blocks:
        raise HTTPException(404, detail=f"Het onderwerp faq/{key} bestaat niet.")
    names = topic_names.load(project)
    before = names.get(key) or labels.topic(f"faq/{key}")
    names[key] = label
    topic_names.save(project, names)
    sha = _commit(request, agent, [topic_names.FILE], f"Onderwerp faq/{key} heet nu “{label}” (was “{before}”)")
    _record(request, agent, "topic_renamed", (topic_names.FILE, 1), {"topic": f"faq/{key}", "before": before,
                                                                     "after": label}, sha)
    return {"topic": f"faq/{key}", "label": label, "commit": sha}


@router.put("/api/editor/topics/{key}/label", responses={401: {}, 403: {}, 404: {}, 422: {}})
async def rename_topic(body: LabelIn, request: Request, key: str = TopicKey, agent: Agent = Editor) -> dict:
    label = clean_text(body.label, max_chars=60)
    async with request.app.state.edit_lock:
        return await run_in_threadpool(_rename, request, agent, key, label)


def _retire(request: Request, agent: Agent, key: str) -> dict:
    project = _project(request)
    where = _checked_edit(project, lambda data: files.retire_topic(data, key))
    names = topic_names.load(project)
    paths = [where[0]]
    if names.pop(key, None) is not None:
        topic_names.save(project, names)
        paths.append(topic_names.FILE)
    sha = _commit(request, agent, paths, f"Onderwerp faq/{key} uit de training gehaald")
    _record(request, agent, "topic_retired", where, {"topic": f"faq/{key}"}, sha)
    return {"topic": f"faq/{key}", "commit": sha, "retrain_needed": True}


@router.delete("/api/editor/topics/{key}", responses={401: {}, 403: {}, 404: {}, 422: {}})
async def retire_topic(request: Request, key: str = TopicKey, agent: Agent = Editor) -> dict:
    """Takes a topic out of the training: examples and answer go (git keeps them; undo brings them back)."""
    return await _one_edit(request, _retire, agent, key, refused=lambda reason: 404)


# --- examples -------------------------------------------------------------------------------------------
def _examples(request: Request, target: str) -> list[dict]:
    project = _project(request)
    data = files.parse(project / "data")
    if target not in data.blocks:
        raise HTTPException(404, detail=f"De intent '{target}' bestaat niet.")
    with db(request) as session:
        records = session.scalars(select(EditRecord).where(EditRecord.kind.in_(("example_added", "topic_added",
                                                                              "example_moved")))
                                  .order_by(EditRecord.id)).all()
    origin: dict[str, str] = {}
    for record in records:
        detail = record.detail or {}
        when = record.created_at.strftime("%d-%m-%Y")
        for example in detail.get("examples") or [detail.get("example")]:
            if not example:
                continue
            if record.kind == "example_moved":
                origin[example] = f"verplaatst van {detail.get('from')} door {record.editor} op {when}"
            elif detail.get("group"):
                origin[example] = f"uit de inbox: “{detail['group']}” ({detail.get('count', 1)}×), door {record.editor} op {when}"
            else:
                origin[example] = f"toegevoegd door {record.editor} op {when}"
    return [{"text": e.text, "plain": e.plain, "file": str(e.file.relative_to(project)), "line": e.line,
             "origin": origin.get(e.plain)} for e in data.examples if e.intent == target]


@router.get("/api/editor/examples", dependencies=[Editor], responses={401: {}, 403: {}, 404: {}})
def list_examples(request: Request, target: str) -> dict:
    """Every example of an intent or topic: file and line, and the inbox message it was taken from."""
    return {"target": target, "examples": _examples(request, target), "targets": _targets(_project(request))}


def _example_path(project: Path, file: str) -> Path:
    try:  # a NUL byte or an overlong name is no file of ours either (the OS refuses such paths)
        path = (project / file).resolve()
        ours = path.is_relative_to((project / "data").resolve()) and path.suffix == ".yml" and path.exists()
    except (ValueError, OSError):
        ours = False
    if not ours:
        raise HTTPException(422, detail="Dit bestand hoort niet bij de trainingsgegevens.")
    return path


def _example_source(project: Path, body: ExampleAt) -> tuple[Path, files.Example]:
    """The data file (relative to the project) and the example an editor points at by file and line."""
    source = _example_path(project, body.file)
    return source.relative_to(project.resolve()), files.example_at(project / "data", source, body.line)


def _move(request: Request, agent: Agent, body: MoveIn) -> dict:
    project = _project(request)
    relative, moved = _example_source(project, body)
    where = _checked_edit(project, lambda data: files.move_example(data, data / relative.relative_to("data"),
                                                                   body.line, body.text, body.target))
    paths = list(dict.fromkeys([str(relative), where[0]]))
    sha = _commit(request, agent, paths, f"Voorbeeld verplaatst van {moved.intent} naar {body.target}: “{moved.plain}”")
    _record(request, agent, "example_moved", where, {"example": moved.plain, "from": moved.intent,
                                                     "intent": body.target}, sha)
    return {"file": where[0], "line": where[1], "commit": sha, "retrain_needed": True}


@router.post("/api/editor/examples/move", responses={401: {}, 403: {}, 422: {}})
async def move_example(body: MoveIn, request: Request, agent: Agent = Editor) -> dict:
    return await _one_edit(request, _move, agent, body)


def _delete(request: Request, agent: Agent, body: ExampleAt) -> dict:
    project = _project(request)
    relative, gone = _example_source(project, body)
    where = _checked_edit(project, lambda data: files.delete_example(data, data / relative.relative_to("data"),
                                                                     body.line, body.text))
    sha = _commit(request, agent, [str(relative)], f"Voorbeeld verwijderd bij {gone.intent}: “{gone.plain}”")
    _record(request, agent, "example_deleted", where, {"example": gone.plain, "intent": gone.intent}, sha)
    return {"commit": sha, "retrain_needed": True}


@router.post("/api/editor/examples/delete", responses={401: {}, 403: {}, 422: {}})
async def delete_example(body: ExampleAt, request: Request, agent: Agent = Editor) -> dict:
    return await _one_edit(request, _delete, agent, body)


# --- history --------------------------------------------------------------------------------------------
@router.get("/api/editor/history", dependencies=[Editor], responses={401: {}, 403: {}})
def history(request: Request) -> dict:
    """Every saved edit as a git commit, newest first, with who and what."""
    kept = _history(request)
    return {"changes": [c.to_json() for c in kept.changes()], "remote": kept.remote, "branch": kept.branch}


def _undo(request: Request, agent: Agent, sha: str) -> dict:
    project = _project(request)
    try:
        new = _history(request).revert(sha, username=agent.username, first_name=agent.first_name)
    except HistoryError as exc:
        raise HTTPException(409, detail=str(exc)) from exc
    problems = errors(check(project))
    if problems:  # undoing this would leave data the bot cannot train on: put it back as it was
        _history(request).revert(new, username=agent.username, first_name=agent.first_name)
        raise HTTPException(422, detail={"message": "Ongedaan maken zou de gegevens onbruikbaar maken; er is niets "
                                                    "veranderd.", "findings": [str(f) for f in problems]})
    _record(request, agent, "undone", None, {"reverted": sha}, new)
    return {"commit": new, "retrain_needed": True}


@router.post("/api/editor/history/{sha}/undo", responses={401: {}, 403: {}, 409: {}, 422: {}})
async def undo(request: Request, sha: str = PathParam(pattern=r"^[0-9a-fA-F]{7,40}$"), agent: Agent = Editor) -> dict:
    """Undoes one edit with a revert commit by this editor."""
    async with request.app.state.edit_lock:
        return await run_in_threadpool(_undo, request, agent, sha)
