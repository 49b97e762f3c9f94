"""Closing well (P10): after an agent resolves, is the problem solved, a 1-5 score, an optional
comment, thanks. "Nee" reopens the conversation (routing tries the same agent first).
Where the customer is in these questions is explicit (`Awaiting.SOLVED/SCORE/COMMENT`)."""
from __future__ import annotations

import re

from sqlalchemy import select

from bot.desk import wording
from bot.desk.conversations import service as conversations
from bot.desk.conversations.models import Conversation, ConversationEvent
from bot.desk.conversations.states import Awaiting, HandoffStatus
from bot.desk.handoffs import service as handoffs
from bot.desk.work import Work

SOLVED_YES, SOLVED_NO, NO_COMMENT = "/solved_yes", "/solved_no", "/no_comment"
SCORES = {f"/score_{n}": n for n in range(1, 6)}
PAYLOADS = (SOLVED_YES, SOLVED_NO, NO_COMMENT, *SCORES)
SOLVED_BUTTONS = [{"title": "Ja, opgelost", "payload": SOLVED_YES}, {"title": "Nee, nog niet", "payload": SOLVED_NO}]
SCORE_BUTTONS = [{"title": f"{n} {'★' * n}", "payload": payload} for payload, n in SCORES.items()]
COMMENT_BUTTONS = [{"title": "Nee, dank je", "payload": NO_COMMENT}]
# The question each button answers: it stands only while the desk awaits that answer.
ANSWERS = {SOLVED_YES: Awaiting.SOLVED, SOLVED_NO: Awaiting.SOLVED, NO_COMMENT: Awaiting.COMMENT,
           **{payload: Awaiting.SCORE for payload in SCORES}}


def ask_if_solved(work: Work, conversation: Conversation, *, agent_name: str) -> None:
    conversations.say(work, conversation, wording.ask_if_solved(agent_name), SOLVED_BUTTONS)
    conversations.await_answer(work, conversation, Awaiting.SOLVED)


def typed_score(text: str) -> str | None:
    """"4" or "4 sterren" typed instead of pressing a button."""
    match = re.fullmatch(r"\s*([1-5])(\s*(sterren|ster|\*+|★+))?\s*[.!]?\s*", text, re.IGNORECASE)
    return f"/score_{match.group(1)}" if match else None


def answer(work: Work, conversation: Conversation, payload: str) -> None:
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


def _not_solved(work: Work, conversation: Conversation, handoff, data: dict) -> None:
    """Back in line; routing tries the agent who helped first, and the customer hears who helps now."""
    conversations.record_event(work.session, conversation=conversation, kind="satisfaction", actor="customer",
                               data={**data, "solved": False})
    handoffs.reopen(work, handoff=handoff, actor="customer")


def comment(work: Work, conversation: Conversation, text: str) -> None:
    conversations.record_event(work.session, conversation=conversation, kind="satisfaction_comment", actor="customer",
                               data={"comment": text})
    conversations.say(work, conversation, wording.THANKS)
    conversations.await_answer(work, conversation, Awaiting.NOTHING)


def late(work: Work, conversation: Conversation, payload: str) -> str:
    """A satisfaction button pressed after the conversation moved on (another turn, a second tab): the answer is
    kept when the chat it is about (the latest handoff, resolved) has none of that kind yet; the customer is
    told either way. Nothing else happens: the conversation stays where it is now."""
    handoff = handoffs.latest_for_conversation(work.session, conversation_id=conversation.id)
    kind = "satisfaction_score" if payload in SCORES else "satisfaction"
    if payload == NO_COMMENT or handoff is None or handoff.status != HandoffStatus.RESOLVED:
        return wording.late_rating(kept=False)
    earlier = work.session.scalars(select(ConversationEvent.data).where(
        ConversationEvent.conversation_id == conversation.id, ConversationEvent.kind == kind))
    if any((data or {}).get("handoff_id") == handoff.id for data in earlier):
        return wording.late_rating(kept=False)
    answer = {"score": SCORES[payload]} if payload in SCORES else {"solved": payload == SOLVED_YES}
    conversations.record_event(work.session, conversation=conversation, kind=kind, actor="customer",
                               data={"handoff_id": handoff.id, **answer, "late": True})
    return wording.late_rating(kept=True, **answer)
