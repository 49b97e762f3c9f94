"""What editors do in the desk: the inbox of misunderstood messages, FAQ answers, topics (new, renamed,
retired), examples (moved, deleted), undoing an edit, retraining. Each data edit goes through
editing/service.py (checked on a copy, one commit, one log line). Plain functions, run off the event loop,
one data edit at a time (the views hold the lock)."""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable, Iterable

from bot import answer_gate, labels
from bot.desk.agents.models import Agent
from bot.desk.editing import inbox, service
from bot.desk.editing.history import HistoryError
from bot.desk.editing.models import EditRecord
from bot.desk.editing.nlu_report import ReportJob
from bot.desk.editing.service import Project, Where
from bot.desk.editing.training import Trainer
from bot.desk.errors import Conflict, Invalid, NotFound, Refused
from bot.nlu import files
from bot.nlu import topics as topic_names
from bot.nlu.check import MIN_TOPIC_EXAMPLES, check, errors
from bot.nlu_result import nlu_of, topic_of

logger = logging.getLogger(__name__)


def names(project: Project, keys: Iterable[str]) -> dict[str, str]:
    """The Dutch name of each intent or topic key (bot/labels.py, with the editors' topics.yml on top): what
    the editors' page shows instead of the key."""
    edited = topic_names.load(project.dir)
    return {key: edited.get(key.removeprefix("faq/")) if key.startswith("faq/") and edited.get(key.removeprefix("faq/"))
            else labels.topic(key) for key in keys}


def _name(project: Project, key: str) -> str:
    return names(project, [key])[key]


def _edit(project: Project, change: Callable, refused: type[Refused] = Invalid) -> Where:
    try:
        return service.checked_edit(project, change)
    except files.EditError as exc:
        raise refused(str(exc)) from exc


# --- the inbox ------------------------------------------------------------------------------------------
def inbox_groups(project: Project) -> dict[str, Any]:
    with project.db() as session:
        groups = [g.to_json() for g in inbox.groups(session)]
    targets = service.targets(project)
    return {"groups": groups, "targets": targets, "thresholds": answer_gate.describe(),
            "names": names(project, set(targets) | {g["guess"] for g in groups if g["guess"]})}


def _group(project: Project, key: str) -> inbox.Group:
    with project.db() as session:
        group = inbox.find(session, key)
    if group is None:
        raise NotFound("Deze groep staat niet (meer) in de inbox.")
    return group


def assign(project: Project, agent: Agent, *, key: str, target: str, example: str) -> dict[str, Any]:
    """A misunderstood message becomes an example of what the customer meant."""
    if target not in service.targets(project):
        raise Invalid("Kies een bestaand onderwerp: wat bedoelde de klant?")
    group = _group(project, key)
    where = _edit(project, lambda data: files.add_example(data, target, example))
    # No customer's words in the commit message: a privacy erasure can clear the desk, not git's history.
    sha = service.commit(project, agent, [where[0]], f"Voorbeeld toegevoegd aan “{_name(project, target)}” (uit de inbox, "
                                                     f"{group.count}×)\n\nIntent: {target}")
    with project.db() as session:
        inbox.decide(session, group=group, decision="added", editor=agent.username, target=target, example=example)
        service.record(session, agent, "example_added", where, {"intent": target, "example": example,
                                                                "count": group.count, "group": group.text}, sha)
    return {"file": where[0], "line": where[1], "retrain_needed": True}


def dismiss(project: Project, agent: Agent, *, key: str) -> None:
    with project.db() as session:
        group = inbox.find(session, key)
        if group is None:
            raise NotFound("Deze groep staat niet (meer) in de inbox.")
        inbox.decide(session, group=group, decision="dismissed", editor=agent.username)
        session.add(EditRecord(editor=agent.username, kind="dismissed", detail={"text": group.text, "count": group.count}))


# --- answers --------------------------------------------------------------------------------------------
def answers(project: Project) -> list[dict[str, Any]]:
    found = files.parse(project.data).answers
    named = names(project, [a.key.removeprefix("utter_") for a in found])
    return [{"key": a.key, "label": named[a.key.removeprefix("utter_")], "text": a.text,
             "file": str(a.file.relative_to(project.dir)), "line": a.line} for a in found]


def change_answer(project: Project, agent: Agent, *, key: str, text: str) -> dict[str, Any]:
    before = {a.key: a.text for a in files.parse(project.data).answers}.get(key)
    where = _edit(project, lambda data: files.set_answer(data, key, text))
    sha = service.commit(project, agent, [where[0]], f"Antwoord bij “{_name(project, key.removeprefix('utter_'))}” "
                                                     f"gewijzigd\n\nAntwoord: {key}")
    with project.db() as session:
        service.record(session, agent, "answer_changed", where, {"key": key, "before": before, "after": text}, sha)
    return {"file": where[0], "line": where[1], "retrain_needed": True}


# --- topics ---------------------------------------------------------------------------------------------
def topics(project: Project) -> list[dict[str, Any]]:
    data = files.parse(project.data)
    edited = topic_names.load(project.dir)
    texts = {a.key: a.text for a in data.answers}
    counts: dict[str, int] = {}
    for example in data.examples:
        counts[example.intent] = counts.get(example.intent, 0) + 1
    return [{"key": intent.removeprefix("faq/"), "intent": intent, "label": edited.get(intent.removeprefix("faq/"))
             or labels.topic(intent), "examples": counts.get(intent, 0), "answer": texts.get(f"utter_{intent}")}
            for intent in sorted(data.blocks) if intent.startswith("faq/")]


def add_topic(project: Project, agent: Agent, *, key: str, label: str, examples: list[str], answer: str,
              group_key: str | None) -> dict[str, Any]:
    """A new FAQ topic: key, Dutch name, example questions and the answer. Answered after the next training."""
    if len(examples) < MIN_TOPIC_EXAMPLES:
        raise Invalid(f"Geef minstens {MIN_TOPIC_EXAMPLES} verschillende voorbeeldvragen, zoals klanten het zouden vragen.")
    try:
        where = service.checked_edit(project, lambda data: files.add_topic(data, key, examples, answer))
    except files.EditError as exc:
        raise (Conflict if "bestaat al" in str(exc) else Invalid)(str(exc)) from exc
    edited = topic_names.load(project.dir)
    edited[key] = label
    topic_names.save(project.dir, edited)
    group = None
    if group_key:
        with project.db() as session:
            group = inbox.find(session, group_key)
    origin = f" (uit de inbox, {group.count}×)" if group else ""  # the customer's words stay out of git
    sha = service.commit(project, agent, [where[0], topic_names.FILE],
                         f"Nieuw onderwerp “{label}” met {len(examples)} voorbeelden en een antwoord{origin}"
                         f"\n\nOnderwerp: faq/{key}")
    with project.db() as session:
        if group:
            inbox.decide(session, group=group, decision="added", editor=agent.username, target=f"faq/{key}",
                         example=examples[0])
        service.record(session, agent, "topic_added", where, {"topic": f"faq/{key}", "label": label,
                                                              "examples": examples, "group": group.text if group else None}, sha)
    return {"topic": f"faq/{key}", "file": where[0], "line": where[1], "commit": sha, "retrain_needed": True}


def rename_topic(project: Project, agent: Agent, *, key: str, label: str) -> dict[str, Any]:
    if f"faq/{key}" not in files.parse(project.data).blocks:
        raise NotFound(f"Het onderwerp faq/{key} bestaat niet.")
    edited = topic_names.load(project.dir)
    before = edited.get(key) or labels.topic(f"faq/{key}")
    edited[key] = label
    topic_names.save(project.dir, edited)
    sha = service.commit(project, agent, [topic_names.FILE], f"Onderwerp “{before}” heet nu “{label}”\n\nOnderwerp: faq/{key}")
    with project.db() as session:
        service.record(session, agent, "topic_renamed", (topic_names.FILE, 1),
                       {"topic": f"faq/{key}", "before": before, "after": label}, sha)
    return {"topic": f"faq/{key}", "label": label, "commit": sha}


def retire_topic(project: Project, agent: Agent, *, key: str) -> dict[str, Any]:
    """Takes a topic out of the training: examples and answer go (git keeps them; undo brings them back)."""
    name = _name(project, f"faq/{key}")
    where = _edit(project, lambda data: files.retire_topic(data, key), refused=NotFound)
    edited = topic_names.load(project.dir)
    paths = [where[0]]
    if edited.pop(key, None) is not None:
        topic_names.save(project.dir, edited)
        paths.append(topic_names.FILE)
    sha = service.commit(project, agent, paths, f"Onderwerp “{name}” uit de training gehaald\n\nOnderwerp: faq/{key}")
    with project.db() as session:
        service.record(session, agent, "topic_retired", where, {"topic": f"faq/{key}"}, sha)
    return {"topic": f"faq/{key}", "commit": sha, "retrain_needed": True}


# --- examples -------------------------------------------------------------------------------------------
def examples(project: Project, *, target: str) -> dict[str, Any]:
    """Every example of an intent or topic: file and line, and the inbox message it was taken from."""
    data = files.parse(project.data)
    if target not in data.blocks:
        raise NotFound(f"Dit onderwerp bestaat niet (meer): {target}.")
    with project.db() as session:
        origin = service.origins(session, lambda key: _name(project, key))
    found = [{"text": e.text, "plain": e.plain, "file": str(e.file.relative_to(project.dir)), "line": e.line,
              "origin": origin.get(e.plain)} for e in data.examples if e.intent == target]
    return {"target": target, "examples": found, "targets": sorted(data.blocks), "names": names(project, data.blocks)}


def move_example(project: Project, agent: Agent, *, file: str, line: int, text: str, target: str) -> dict[str, Any]:
    relative, moved = service.example_source(project, file, line)
    where = _edit(project, lambda data: files.move_example(data, data / relative.relative_to("data"), line, text, target))
    paths = list(dict.fromkeys([str(relative), where[0]]))
    sha = service.commit(project, agent, paths, f"Voorbeeld verplaatst van “{_name(project, moved.intent)}” naar "
                                                f"“{_name(project, target)}”: “{moved.plain}”\n\nIntents: {moved.intent} -> {target}")
    with project.db() as session:
        service.record(session, agent, "example_moved", where, {"example": moved.plain, "from": moved.intent,
                                                                "intent": target}, sha)
    return {"file": where[0], "line": where[1], "commit": sha, "retrain_needed": True}


def delete_example(project: Project, agent: Agent, *, file: str, line: int, text: str) -> dict[str, Any]:
    relative, gone = service.example_source(project, file, line)
    where = _edit(project, lambda data: files.delete_example(data, data / relative.relative_to("data"), line, text))
    sha = service.commit(project, agent, [str(relative)], f"Voorbeeld verwijderd bij “{_name(project, gone.intent)}”: "
                                                          f"“{gone.plain}”\n\nIntent: {gone.intent}")
    with project.db() as session:
        service.record(session, agent, "example_deleted", where, {"example": gone.plain, "intent": gone.intent}, sha)
    return {"commit": sha, "retrain_needed": True}


# --- history and retraining -----------------------------------------------------------------------------
def history(project: Project) -> dict[str, Any]:
    """Every saved edit as a git commit, newest first, with who and what."""
    kept = project.history
    return {"changes": [c.to_json() for c in kept.changes()], "remote": kept.remote, "branch": kept.branch}


def undo(project: Project, agent: Agent, *, sha: str) -> dict[str, Any]:
    """Undoes one edit with a revert commit by this editor, unless the data would no longer train."""
    try:
        new = project.history.revert(sha, username=agent.username, first_name=agent.first_name)
    except HistoryError as exc:
        raise Conflict(str(exc)) from exc
    problems = service.problems_of(project.dir)
    if problems:  # undoing this would leave data the bot cannot train on: put it back as it was
        project.history.revert(new, username=agent.username, first_name=agent.first_name)
        raise Invalid({"message": "Ongedaan maken zou de gegevens onbruikbaar maken; er is niets veranderd.",
                       "findings": problems})
    with project.db() as session:
        service.record(session, agent, "undone", None, {"reverted": sha}, new)
    return {"commit": new, "retrain_needed": True}


def edit_log(project: Project) -> dict[str, Any]:
    with project.db() as session:
        edits = service.log(session)
    keys = {d[k] for e in edits for d in [e["detail"] or {}] for k in ("intent", "from", "topic", "key") if d.get(k)}
    keys |= {t for e in edits for t in (e["detail"] or {}).get("topics") or []}
    return {"edits": edits, "names": names(project, {k.removeprefix("utter_") for k in keys} | keys)}


def _problems_before_training(project: Project) -> list[str]:
    return [str(f) for f in errors(check(project.dir, None, with_rasa=False))]


async def start_training(project: Project, trainer: Trainer, agent: Agent) -> dict[str, Any]:
    """`rasa train` in the background, on data without errors (Rasa's own validation comes with the training);
    the result goes in the edit log."""
    problems = await asyncio.to_thread(_problems_before_training, project)
    if problems:
        raise Invalid({"message": "Eerst de fouten in de gegevens oplossen.", "findings": problems})
    if trainer.running:
        raise Conflict("Er loopt al een training.")

    def write(job) -> None:
        with project.db() as session:
            session.add(EditRecord(editor=agent.username, kind="retrain", detail={
                "status": job.status, "model": job.model, "seconds": job.seconds, "error": job.error}))

    async def record(job) -> None:
        await asyncio.to_thread(write, job)
        if job.status == "done":
            await settle_inbox(project, trainer, agent)

    trainer.start(agent.username, on_done=record)
    return trainer.status()


def start_report(job: ReportJob, agent: Agent) -> dict[str, Any]:
    if job.running:
        raise Conflict("Er wordt al een rapport gemaakt.")
    return job.start(agent.username)


def _open_groups(project: Project) -> list[inbox.Group]:
    with project.db() as session:
        return inbox.groups(session, limit=10_000)


def _answered(project: Project, agent: Agent, found: list[tuple[inbox.Group, str]]) -> None:
    with project.db() as session:
        for group, topic in found:
            inbox.decide(session, group=group, decision="answered", editor=agent.username, target=topic)
        # No customer's words here: how many groups, and which topics answer them now.
        session.add(EditRecord(editor=agent.username, kind="inbox_answered", detail={
            "count": len(found), "topics": sorted({topic for _, topic in found})}))


async def settle_inbox(project: Project, trainer: Trainer, agent: Agent) -> int:
    """After a training: inbox groups that the new model now answers with a topic, confidently, leave the
    inbox (a new topic made for them, or examples added elsewhere). Returns how many left."""
    found: list[tuple[inbox.Group, str]] = []
    for group in await asyncio.to_thread(_open_groups, project):
        try:
            result = nlu_of(await trainer.parse(group.text))
        except Exception:  # noqa: BLE001 - Rasa busy or gone: this group stays, the others are still settled
            logger.warning("inbox check after training: Rasa did not parse", exc_info=True)
            continue
        topic = topic_of(result.get("intent"), result.get("response_key"))
        sure = result.get("confidence", 0) >= inbox.LOW_CONFIDENCE and (
            result.get("intent") != "faq" or result.get("response_confidence", 0) >= inbox.LOW_CONFIDENCE)
        if topic and sure:
            found.append((group, topic))
    if found:
        await asyncio.to_thread(_answered, project, agent, found)
    return len(found)
