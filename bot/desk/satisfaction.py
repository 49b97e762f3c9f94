"""Closing well (P10): after an agent resolves, is the problem solved, a 1-5 score, an optional
comment, thanks. "Nee" reopens the conversation, with the same agent when they have room.
Where the customer is in these questions is explicit (`Awaiting.SOLVED/SCORE/COMMENT`)."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.desk import routing, wording
from bot.desk.agents.models import Agent
from bot.desk.conversations import service as conversations
from bot.desk.conversations.models import Conversation
from bot.desk.conversations.states import Awaiting, HandoffStatus
from bot.desk.handoffs import queue
from bot.desk.handoffs import service as handoffs

if TYPE_CHECKING:
    from bot.desk.work import Work

SOLVED_YES, SOLVED_NO, NO_COMMENT = "/solved_yes", "/solved_no", "/no_comment"
SCORES = {f"/score_{n}": n for n in range(1, 6)}
PAYLOADS = (SOLVED_YES, SOLVED_NO, NO_COMMENT, *SCORES)
SOLVED_BUTTONS = [{"title": "Ja, opgelost", "payload": SOLVED_YES}, {"title": "Nee, nog niet", "payload": SOLVED_NO}]
SCORE_BUTTONS = [{"title": f"{n} {'★' * n}", "payload": payload} for payload, n in SCORES.items()]
COMMENT_BUTTONS = [{"title": "Nee, dank je", "payload": NO_COMMENT}]


def ask_if_solved(work: "Work", conversation: Conversation, *, agent_name: str) -> None:
    conversations.say(work, conversation, wording.ask_if_solved(agent_name), SOLVED_BUTTONS)
    conversations.await_answer(work, conversation, Awaiting.SOLVED)


def typed_score(text: str) -> str | None:
    """"4" or "4 sterren" typed instead of pressing a button."""
    match = re.fullmatch(r"\s*([1-5])(\s*(sterren|ster|\*+|★+))?\s*[.!]?\s*", text, re.IGNORECASE)
    return f"/score_{match.group(1)}" if match else None


def answer(work: "Work", conversation: Conversation, payload: str) -> None:
    """A satisfaction button the desk offered (checked by the caller). SOLVED_NO needs the routing lock."""
    handoff = handoffs.latest_for_conversation(work.session, conversation_id=conversation.id)
    data = {"handoff_id": handoff.id if handoff else None}
    session = work.session
    if payload == SOLVED_YES:
        conversations.record_event(session, conversation=conversation, kind="satisfaction", actor="customer",
                                   data={**data, "solved": True})
        conversations.say(work, conversation, wording.ASK_SCORE, SCORE_BUTTONS)
        conversations.await_answer(work, conversation, Awaiting.SCORE)
    elif payload in SCORES:
        conversations.record_event(session, conversation=conversation, kind="satisfaction_score", actor="customer",
                                   data={**data, "score": SCORES[payload]})
        conversations.say(work, conversation, wording.ASK_COMMENT, COMMENT_BUTTONS)
        conversations.await_answer(work, conversation, Awaiting.COMMENT)
    elif payload == NO_COMMENT:
        conversations.say(work, conversation, wording.THANKS)
        conversations.await_answer(work, conversation, Awaiting.NOTHING)
    else:
        _not_solved(work, conversation, handoff, data)


def _not_solved(work: "Work", conversation: Conversation, handoff, data: dict) -> None:
    conversations.record_event(work.session, conversation=conversation, kind="satisfaction", actor="customer",
                               data={**data, "solved": False})
    previous = work.session.get(Agent, handoff.agent_id) if handoff and handoff.agent_id else None
    handoffs.reopen(work, handoff=handoff, actor="customer")
    cap = work.settings.max_chats_per_agent
    if previous is not None and previous.status == "online" and previous.active \
            and handoffs.room_left(work.session, previous, default_cap=cap):
        handoffs.claim(work, handoff_id=handoff.id, agent=previous)
    assigned = routing.assign_waiting(work, quiet={conversation.id})
    name = previous.first_name if handoff.status == HandoffStatus.ASSIGNED and handoff.agent_id == getattr(previous, "id", None) \
        else (assigned[conversation.id].first_name if conversation.id in assigned else None)
    info = {} if name else queue.info(work, handoff)
    conversations.say(work, conversation, wording.not_solved(first_name=name, info=info))


def comment(work: "Work", conversation: Conversation, text: str) -> None:
    conversations.record_event(work.session, conversation=conversation, kind="satisfaction_comment", actor="customer",
                               data={"comment": text})
    conversations.say(work, conversation, wording.THANKS)
    conversations.await_answer(work, conversation, Awaiting.NOTHING)
