"""What editors do in the desk: the inbox of misunderstood messages, FAQ answers, topics (new, renamed,
retired), examples (moved, deleted), undoing an edit, retraining. Each data edit goes through
editing/service.py (checked on a copy, one commit, one log line). Plain functions, run off the event loop,
one data edit at a time (the views hold the lock)."""
from __future__ import annotations

import asyncio
from typing import Any, Callable

from bot import answer_gate, labels
from bot.desk.agents.models import Agent
from bot.desk.editing import inbox, service
from bot.desk.editing.history import HistoryError
from bot.desk.editing.models import EditRecord
from bot.desk.editing.service import Project, Where
from bot.desk.editing.training import Trainer
from bot.desk.errors import Conflict, Invalid, NotFound, Refused
from bot.nlu import files
from bot.nlu import topics as topic_names
from bot.nlu.check import MIN_TOPIC_EXAMPLES, check, errors


def _edit(project: Project, change: Callable, refused: type[Refused] = Invalid) -> Where:
    try:
        return service.checked_edit(project, change)
    except files.EditError as exc:
        raise refused(str(exc)) from exc


# --- the inbox ------------------------------------------------------------------------------------------
def inbox_groups(project: Project) -> dict[str, Any]:
    with project.db() as session:
        return {"groups": [g.to_json() for g in inbox.groups(session)], "targets": service.targets(project),
                "thresholds": answer_gate.describe()}


def _group(project: Project, key: str) -> inbox.Group:
    with project.db() as session:
        group = inbox.find(session, key)
    if group is None:
        raise NotFound("Deze groep staat niet (meer) in de inbox.")
    return group


def assign(project: Project, agent: Agent, *, key: str, target: str, example: str) -> dict[str, Any]:
    """A misunderstood message becomes an example of what the customer meant."""
    if target not in service.targets(project):
        raise Invalid("Kies een bestaande intent of FAQ-vraag.")
    group = _group(project, key)
    where = _edit(project, lambda data: files.add_example(data, target, example))
    # No customer's words in the commit message: a privacy erasure can clear the desk, not git's history.
    sha = service.commit(project, agent, [where[0]], f"Voorbeeld toegevoegd aan {target} (uit de inbox, {group.count}×)")
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
    return [{"key": a.key, "text": a.text, "file": str(a.file.relative_to(project.dir)), "line": a.line}
            for a in files.parse(project.data).answers]


def change_answer(project: Project, agent: Agent, *, key: str, text: str) -> dict[str, Any]:
    before = {a.key: a.text for a in files.parse(project.data).answers}.get(key)
    where = _edit(project, lambda data: files.set_answer(data, key, text))
    sha = service.commit(project, agent, [where[0]], f"Antwoord {key} gewijzigd")
    with project.db() as session:
        service.record(session, agent, "answer_changed", where, {"key": key, "before": before, "after": text}, sha)
    return {"file": where[0], "line": where[1], "retrain_needed": True}


# --- topics ---------------------------------------------------------------------------------------------
def topics(project: Project) -> list[dict[str, Any]]:
    data = files.parse(project.data)
    names = topic_names.load(project.dir)
    texts = {a.key: a.text for a in data.answers}
    counts: dict[str, int] = {}
    for example in data.examples:
        counts[example.intent] = counts.get(example.intent, 0) + 1
    return [{"key": intent.removeprefix("faq/"), "intent": intent, "label": names.get(intent.removeprefix("faq/"))
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
    names = topic_names.load(project.dir)
    names[key] = label
    topic_names.save(project.dir, names)
    group = None
    if group_key:
        with project.db() as session:
            group = inbox.find(session, group_key)
    origin = f" (uit de inbox, {group.count}×)" if group else ""  # the customer's words stay out of git
    sha = service.commit(project, agent, [where[0], topic_names.FILE],
                         f"Nieuw onderwerp faq/{key} ({label}) met {len(examples)} voorbeelden en een antwoord{origin}")
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
    names = topic_names.load(project.dir)
    before = names.get(key) or labels.topic(f"faq/{key}")
    names[key] = label
    topic_names.save(project.dir, names)
    sha = service.commit(project, agent, [topic_names.FILE], f"Onderwerp faq/{key} heet nu “{label}” (was “{before}”)")
    with project.db() as session:
        service.record(session, agent, "topic_renamed", (topic_names.FILE, 1),
                       {"topic": f"faq/{key}", "before": before, "after": label}, sha)
    return {"topic": f"faq/{key}", "label": label, "commit": sha}


def retire_topic(project: Project, agent: Agent, *, key: str) -> dict[str, Any]:
    """Takes a topic out of the training: examples and answer go (git keeps them; undo brings them back)."""
    where = _edit(project, lambda data: files.retire_topic(data, key), refused=NotFound)
    names = topic_names.load(project.dir)
    paths = [where[0]]
    if names.pop(key, None) is not None:
        topic_names.save(project.dir, names)
        paths.append(topic_names.FILE)
    sha = service.commit(project, agent, paths, f"Onderwerp faq/{key} uit de training gehaald")
    with project.db() as session:
        service.record(session, agent, "topic_retired", where, {"topic": f"faq/{key}"}, sha)
    return {"topic": f"faq/{key}", "commit": sha, "retrain_needed": True}


# --- examples -------------------------------------------------------------------------------------------
def examples(project: Project, *, target: str) -> dict[str, Any]:
    """Every example of an intent or topic: file and line, and the inbox message it was taken from."""
    data = files.parse(project.data)
    if target not in data.blocks:
        raise NotFound(f"De intent '{target}' bestaat niet.")
    with project.db() as session:
        origin = service.origins(session)
    found = [{"text": e.text, "plain": e.plain, "file": str(e.file.relative_to(project.dir)), "line": e.line,
              "origin": origin.get(e.plain)} for e in data.examples if e.intent == target]
    return {"target": target, "examples": found, "targets": sorted(data.blocks)}


def move_example(project: Project, agent: Agent, *, file: str, line: int, text: str, target: str) -> dict[str, Any]:
    relative, moved = service.example_source(project, file, line)
    where = _edit(project, lambda data: files.move_example(data, data / relative.relative_to("data"), line, text, target))
    paths = list(dict.fromkeys([str(relative), where[0]]))
    sha = service.commit(project, agent, paths, f"Voorbeeld verplaatst van {moved.intent} naar {target}: “{moved.plain}”")
    with project.db() as session:
        service.record(session, agent, "example_moved", where, {"example": moved.plain, "from": moved.intent,
                                                                "intent": target}, sha)
    return {"file": where[0], "line": where[1], "commit": sha, "retrain_needed": True}


def delete_example(project: Project, agent: Agent, *, file: str, line: int, text: str) -> dict[str, Any]:
    relative, gone = service.example_source(project, file, line)
    where = _edit(project, lambda data: files.delete_example(data, data / relative.relative_to("data"), line, text))
    sha = service.commit(project, agent, [str(relative)], f"Voorbeeld verwijderd bij {gone.intent}: “{gone.plain}”")
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
        return {"edits": service.log(session)}


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

    trainer.start(agent.username, on_done=record)
    return trainer.status()
