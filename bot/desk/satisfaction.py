"""Closing well (P10): after an agent resolves, is the problem solved, a 1-5 score, an optional
comment, thanks. "Nee" reopens the conversation, with the same agent when they have room."""
from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from bot.desk import routing
from bot.desk.agents.models import Agent
from bot.desk.conversations import service as conversations
from bot.desk.conversations.models import Conversation
from bot.desk.deps import db
from bot.desk.handoffs import service as handoffs
from bot.handoff import wait_sentence

SOLVED_YES, SOLVED_NO, NO_COMMENT = "/solved_yes", "/solved_no", "/no_comment"
SCORES = {f"/score_{n}": n for n in range(1, 6)}
PAYLOADS = (SOLVED_YES, SOLVED_NO, NO_COMMENT, *SCORES)
SOLVED_BUTTONS = [{"title": "Ja, opgelost", "payload": SOLVED_YES}, {"title": "Nee, nog niet", "payload": SOLVED_NO}]
SCORE_BUTTONS = [{"title": f"{n} {'★' * n}", "payload": payload} for payload, n in SCORES.items()]
COMMENT_BUTTONS = [{"title": "Nee, dank je", "payload": NO_COMMENT}]
THANKS = "Bedankt voor je reactie, daar leren we van. Nog een fijne dag!"


def ask_if_solved(session, *, conversation: Conversation, agent_name: str) -> dict[str, Any]:
    question = conversations.add_message(
        session, conversation=conversation, sender="system",
        text=f"{agent_name} heeft je vraag afgerond. Is je probleem hiermee opgelost?", buttons=SOLVED_BUTTONS)
    conversation.offered_payloads = [b["payload"] for b in SOLVED_BUTTONS]
    return question.to_json()


def awaits_comment(conversation: Conversation) -> bool:
    return conversation.state == "closed" and NO_COMMENT in (conversation.offered_payloads or [])


def _system(session, conversation: Conversation, text: str, buttons: list[dict] | None = None) -> dict[str, Any]:
    return conversations.system_message(session, conversation=conversation, text=text, buttons=buttons)


async def answer(app: FastAPI, conversation_id: str, payload: str) -> dict[str, Any]:
    reopened = False
    with db(app) as session:
        conversation = session.get(Conversation, conversation_id)
        handoff = handoffs.latest_for_conversation(session, conversation_id=conversation_id)
        data: dict[str, Any] = {"handoff_id": handoff.id if handoff else None}
        if payload == SOLVED_YES:
            conversations.record_event(session, conversation=conversation, kind="satisfaction", actor="customer",
                                       data={**data, "solved": True})
            stored = _system(session, conversation, "Fijn dat je geholpen bent! Hoe tevreden ben je over de hulp? "
                                                     "(1 = slecht, 5 = uitstekend)", SCORE_BUTTONS)
        elif payload in SCORES:
            conversations.record_event(session, conversation=conversation, kind="satisfaction_score", actor="customer",
                                       data={**data, "score": SCORES[payload]})
            stored = _system(session, conversation, "Dank je! Wil je nog iets toelichten? Typ het hieronder, "
                                                     "of kies 'Nee, dank je'.", COMMENT_BUTTONS)
        elif payload == NO_COMMENT:
            stored = _system(session, conversation, THANKS)
        else:  # SOLVED_NO
            conversations.record_event(session, conversation=conversation, kind="satisfaction", actor="customer",
                                       data={**data, "solved": False})
            previous = session.get(Agent, handoff.agent_id) if handoff and handoff.agent_id else None
            handoffs.reopen(session, handoff=handoff, actor="customer")
            reopened = True
            same_agent = previous is not None and previous.status == "online" and \
                handoffs.room_left(session, previous, default_cap=app.state.settings.max_chats_per_agent) \
                and handoffs.claim(session, handoff_id=handoff.id, agent=previous)
            if same_agent:
                text = f"Wat vervelend dat het nog niet is opgelost. {previous.first_name} helpt je meteen verder."
            else:
                position = handoffs.position(session, handoff=handoff)
                text = ("Wat vervelend dat het nog niet is opgelost. Ik zet je terug in de rij, een collega helpt je "
                        "zo verder. " + wait_sentence(position, handoffs.estimated_wait_minutes(
                            session, queue_position=position), handoffs.estimate_is_rough(session))).strip()
            stored = _system(session, conversation, text)
    if reopened:
        await routing.assign_waiting(app)
    return {"replies": [routing.reply_of(stored)], **routing.customer_state(app, conversation_id)}


async def comment(app: FastAPI, conversation_id: str, text: str) -> dict[str, Any]:
    with db(app) as session:
        conversation = session.get(Conversation, conversation_id)
        conversations.record_event(session, conversation=conversation, kind="satisfaction_comment", actor="customer",
                                   data={"comment": text})
        stored = _system(session, conversation, THANKS)
    return {"replies": [routing.reply_of(stored)], "state": "closed"}
