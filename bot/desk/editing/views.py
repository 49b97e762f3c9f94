"""Editors in the desk (editing/flows.py does the work): the inbox, FAQ answers, topics, examples, retraining,
the NLU report and the history of edits. Views parse the request and run one flow off the event loop; data
edits one at a time."""
from __future__ import annotations

import json
from typing import Any, Callable, Optional

from fastapi import APIRouter, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from pydantic import conint, conlist, constr

from bot.desk.agents.models import Agent
from bot.desk.auth import Editor
from bot.desk.deps import Input, clean_text, db, typed
from bot.desk.editing import flows
from bot.desk.editing.service import Project
from bot.nlu.check import MIN_TOPIC_EXAMPLES
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


def _project(request: Request) -> Project:
    app = request.app
    return Project(dir=app.state.settings.project_dir, history=app.state.history, db=lambda: db(app))


async def _read(request: Request, flow: Callable[..., Any], **kwargs: Any) -> Any:
    return await run_in_threadpool(flow, _project(request), **kwargs)


async def _edit(request: Request, flow: Callable[..., Any], agent: Agent, **kwargs: Any) -> Any:
    """One data edit at a time, off the event loop."""
    async with request.app.state.edit_lock:
        return await run_in_threadpool(flow, _project(request), agent, **kwargs)


@router.get("/api/editor/inbox", dependencies=[Editor], responses={401: {}, 403: {}})
async def list_inbox(request: Request) -> dict:
    return await _read(request, flows.inbox_groups)


@router.post("/api/editor/inbox/assign", responses={401: {}, 403: {}, 404: {}, 422: {}})
async def assign(body: AssignIn, request: Request, agent: Agent = Editor) -> dict:
    example = clean_text(body.example, max_chars=300)
    return await _edit(request, flows.assign, agent, key=body.key, target=body.target, example=example)


@router.post("/api/editor/inbox/dismiss", responses={401: {}, 403: {}, 404: {}})
async def dismiss(body: DismissIn, request: Request, agent: Agent = Editor) -> dict:
    await run_in_threadpool(flows.dismiss, _project(request), agent, key=body.key)
    return {"ok": True}


@router.get("/api/editor/answers", dependencies=[Editor], responses={401: {}, 403: {}})
async def list_answers(request: Request) -> dict:
    return {"answers": await _read(request, flows.answers)}


@router.put("/api/editor/answers", responses={401: {}, 403: {}, 422: {}})
async def change_answer(body: AnswerIn, request: Request, agent: Agent = Editor) -> dict:
    text = clean_text(body.text, max_chars=1000)
    return await _edit(request, flows.change_answer, agent, key=body.key, text=text)


@router.post("/api/editor/training", status_code=202, responses={401: {}, 403: {}, 409: {}, 422: {}})
async def start_training(request: Request, agent: Agent = Editor) -> dict:
    return await flows.start_training(_project(request), request.app.state.trainer, agent)


@router.get("/api/editor/training", dependencies=[Editor], responses={401: {}, 403: {}})
def training_status(request: Request) -> dict:
    return request.app.state.trainer.status()


@router.get("/api/editor/nlu-report", dependencies=[Editor], responses={401: {}, 403: {}})
def nlu_report(request: Request) -> dict:
    """The latest report (`available`: false while there is none yet), with the report being made (`job`)
    and the Dutch names of the intents and topics in it."""
    summary = request.app.state.settings.nlu_report_dir / "summary.json"
    job = request.app.state.nlu_report.status()
    if not summary.exists():
        return {"available": False, "job": job}
    report = json.loads(summary.read_text())
    keys = {r["label"] for kind in ("intents", "responses") for r in report.get(kind, [])}
    keys |= {c[side] for c in report.get("confused", []) for side in ("expected", "predicted")}
    return {**report, "available": True, "job": job, "names": flows.names(_project(request), keys)}


@router.post("/api/editor/nlu-report", status_code=202, responses={401: {}, 403: {}, 409: {}})
async def make_nlu_report(request: Request, agent: Agent = Editor) -> dict:
    """Makes a new report in the background (cross-validation: a few trainings long)."""
    return flows.start_report(request.app.state.nlu_report, agent)


@router.get("/api/editor/nlu-report/{picture}", dependencies=[Editor], responses={401: {}, 403: {}, 404: {}})
def nlu_report_picture(picture: str, request: Request) -> FileResponse:
    path = request.app.state.settings.nlu_report_dir / picture
    if picture not in PICTURES or not path.exists():
        raise HTTPException(404, detail="Deze afbeelding bestaat niet.")
    return FileResponse(path, media_type="image/png")


@router.get("/api/editor/log", dependencies=[Editor], responses={401: {}, 403: {}})
async def edit_log(request: Request) -> dict:
    return await _read(request, flows.edit_log)


@router.get("/api/editor/topics", dependencies=[Editor], responses={401: {}, 403: {}})
async def list_topics(request: Request) -> dict:
    return {"topics": await _read(request, flows.topics)}


@router.post("/api/editor/topics", status_code=201, responses={401: {}, 403: {}, 409: {}, 422: {}})
async def add_topic(body: TopicIn, request: Request, agent: Agent = Editor) -> dict:
    """A new FAQ topic: key, Dutch name, example questions and the answer. Answered after the next training."""
    label = clean_text(body.label, max_chars=60)
    answer = clean_text(body.answer, max_chars=1000)
    examples = list(dict.fromkeys(clean_text(e, max_chars=300) for e in body.examples if e.strip()))
    return await _edit(request, flows.add_topic, agent, key=body.key, label=label, examples=examples, answer=answer,
                       group_key=body.group)


@router.put("/api/editor/topics/{key}/label", responses={401: {}, 403: {}, 404: {}, 422: {}})
async def rename_topic(body: LabelIn, request: Request, key: str = TopicKey, agent: Agent = Editor) -> dict:
    label = clean_text(body.label, max_chars=60)
    return await _edit(request, flows.rename_topic, agent, key=key, label=label)


@router.delete("/api/editor/topics/{key}", responses={401: {}, 403: {}, 404: {}, 422: {}})
async def retire_topic(request: Request, key: str = TopicKey, agent: Agent = Editor) -> dict:
    """Takes a topic out of the training: examples and answer go (git keeps them; undo brings them back)."""
    return await _edit(request, flows.retire_topic, agent, key=key)


@router.get("/api/editor/examples", dependencies=[Editor], responses={401: {}, 403: {}, 404: {}})
async def list_examples(request: Request, target: str) -> dict:
    """Every example of an intent or topic: file and line, and the inbox message it was taken from."""
    return await _read(request, flows.examples, target=target)


@router.post("/api/editor/examples/move", responses={401: {}, 403: {}, 422: {}})
async def move_example(body: MoveIn, request: Request, agent: Agent = Editor) -> dict:
    return await _edit(request, flows.move_example, agent, file=body.file, line=body.line, text=body.text,
                       target=body.target)


@router.post("/api/editor/examples/delete", responses={401: {}, 403: {}, 422: {}})
async def delete_example(body: ExampleAt, request: Request, agent: Agent = Editor) -> dict:
    return await _edit(request, flows.delete_example, agent, file=body.file, line=body.line, text=body.text)


@router.get("/api/editor/history", dependencies=[Editor], responses={401: {}, 403: {}})
async def history(request: Request) -> dict:
    """Every saved edit as a git commit, newest first, with who and what."""
    return await _read(request, flows.history)


@router.post("/api/editor/history/{sha}/undo", responses={401: {}, 403: {}, 409: {}, 422: {}})
async def undo(request: Request, sha: str = PathParam(pattern=r"^[0-9a-fA-F]{7,40}$"), agent: Agent = Editor) -> dict:
    """Undoes one edit with a revert commit by this editor."""
    return await _edit(request, flows.undo, agent, sha=sha)
