"""Handoff flows: the bot hands a conversation to the team or ends it, and what agents do with it (claim,
reply, notes, transfer, hand back, resolve). Routing and what the customer hears about it follow at the end
of each transaction (handoffs/routing.py, handoffs/announce.py)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.desk.agents.models import Agent
from bot.desk.bot_client import BotClient, BotUnavailable
from bot.desk.conversations import satisfaction
from bot.desk.conversations import service as conversations
from bot.desk.conversations.models import Conversation
from bot.desk.conversations.states import HandoffStatus, State, Step
from bot.desk.errors import Conflict, Invalid, Unavailable
from bot.desk.handoffs import service as handoffs
from bot.desk.handoffs.models import Handoff
from bot.desk.work import Run, Work
from bot.handoff import TranscriptLine



def desk_transcript(work: Work, conversation_id: str) -> list[TranscriptLine]:
    """Everything the customer and the bot said, as the desk stored it (without internal notes)."""
    return [TranscriptLine(sender=m.sender, text=m.text, at=m.created_at.isoformat() + "Z")
            for m in conversations.list_messages(work.session, conversation_id=conversation_id)]


def verified_customer(conversation: Conversation) -> str:
    """'Eva de Vries · eva.de.vries@example.nl · klantnummer K-1001' for the context card."""
    parts = [conversation.customer_name, conversation.customer_email, f"klantnummer {conversation.customer_id}"]
    return " · ".join(p for p in parts if p)


def start(work: Work, *, conversation: Conversation, context: dict[str, Any], actor: str,
          bot_down: bool = False) -> None:
    """Creates the handoff (once), with the desk's own transcript in its context."""
    context = {**context, "conversation_id": conversation.id,
               "transcript": desk_transcript(work, conversation.id)}
    if conversation.customer_id:  # the shop vouched for who this is: the agent need not ask
        context["facts"] = {**(context.get("facts") or {}), "customer": verified_customer(conversation)}
    handoffs.create_or_get(work, conversation=conversation, context=context, actor=actor, bot_down=bot_down)


def end_for_abuse(work: Work, *, conversation: Conversation, context: dict[str, Any]) -> None:
    context = {**context, "conversation_id": conversation.id,
               "transcript": desk_transcript(work, conversation.id)}
    if conversation.state == State.BOT:
        handoffs.close_for_abuse(work, conversation=conversation, context=context)


# --- what agents do -------------------------------------------------------------------------------------
def _handoff(work: Work, handoff_id: int) -> Handoff:
    return handoffs.found(work.session, handoff_id)


def _own(work: Work, agent: Agent, handoff_id: int) -> Handoff:
    """The handoff, when it is this agent's (an admin may act on any assigned one)."""
    handoff = _handoff(work, handoff_id)
    if handoff.status != HandoffStatus.ASSIGNED or (handoff.agent_id != agent.id and agent.role != "admin"):
        raise Conflict("Dit gesprek is niet aan jou toegewezen.")
    return handoff


def claim(work: Work, handoff_id: int, agent_id: int) -> str:
    """An agent takes a waiting customer (within her limit). Returns the conversation's id."""
    agent = work.session.get(Agent, agent_id)
    _handoff(work, handoff_id)
    default_cap = work.settings.max_chats_per_agent
    if not handoffs.room_left(work.session, agent, default_cap=default_cap):
        raise Conflict(f"Je hebt al {handoffs.cap_of(agent, default_cap)} gesprek(ken) open; rond er eerst een af.")
    if not handoffs.claim(work, handoff_id=handoff_id, agent=agent):
        raise Conflict("Een collega heeft dit gesprek al opgepakt.")
    return work.session.get(Handoff, handoff_id).conversation_id


def reply(work: Work, handoff_id: int, agent_id: int, text: str) -> dict[str, Any]:
    agent = work.session.get(Agent, agent_id)
    handoff = _own(work, agent, handoff_id)
    conversation = work.session.get(Conversation, handoff.conversation_id)
    return conversations.add_message(work, conversation=conversation, sender="agent", text=text,
                                     agent_name=agent.first_name).to_json()


def note(work: Work, handoff_id: int, agent_id: int, text: str) -> dict[str, Any]:
    """An internal note on the conversation: colleagues see it, the customer never does."""
    agent = work.session.get(Agent, agent_id)
    handoff = _handoff(work, handoff_id)
    conversation = work.session.get(Conversation, handoff.conversation_id)
    return conversations.add_message(work, conversation=conversation, sender="note", text=text,
                                     agent_name=agent.first_name).to_json()


def transfer(work: Work, handoff_id: int, agent_id: int, to: str, note_text: str) -> None:
    """To a colleague who is not offline and has room, with a note for them."""
    session = work.session
    agent = session.get(Agent, agent_id)
    handoff = _own(work, agent, handoff_id)
    colleague = session.scalars(select(Agent).where(Agent.username == to.strip().lower())).first()
    if colleague is None or not colleague.active or colleague.id == agent.id:
        raise Invalid("Kies een andere, actieve collega.")
    if colleague.status == "offline":
        raise Conflict(f"{colleague.first_name} is offline.")
    if not handoffs.room_left(session, colleague, default_cap=work.settings.max_chats_per_agent):
        raise Conflict(f"{colleague.first_name} heeft geen ruimte voor nog een gesprek.")
    conversation = handoffs.transfer(work, handoff=handoff, from_agent=agent, to_agent=colleague)
    if note_text:
        conversations.add_message(work, conversation=conversation, sender="note",
                                  text=f"Overgedragen aan {colleague.first_name}: {note_text}", agent_name=agent.first_name)


def resolve(work: Work, handoff_id: int, agent_id: int) -> None:
    """Closed, and the customer is asked whether the problem is solved (P10); the next waiting customer is
    routed right after the commit (transaction.py)."""
    agent = work.session.get(Agent, agent_id)
    handoff = _own(work, agent, handoff_id)
    conversation = handoffs.close(work, handoff=handoff, agent=agent, step=Step.RESOLVE)
    satisfaction.ask_if_solved(work, conversation, agent_name=agent.first_name)


async def hand_back(run: Run, bot: BotClient, *, handoff_id: int, agent_id: int) -> list[dict[str, Any]]:
    """The bot takes over again and learns what happened while a person had the conversation. When Rasa does
    not answer, nothing changes: the conversation stays with the agent."""
    conversation_id, events = await run(_handback_events, handoff_id, agent_id)
    try:
        await bot.append_events(sender=conversation_id, events=events)
        replies = await bot.trigger_intent(sender=conversation_id, intent="EXTERNAL_handback")
    except BotUnavailable as exc:
        raise Unavailable("De bot is nu niet bereikbaar; het gesprek blijft bij jou.") from exc
    return await run(_hand_back, handoff_id, agent_id, replies, routing=True)


def _handback_events(work: Work, handoff_id: int, agent_id: int) -> tuple[str, list[dict[str, Any]]]:
    agent = work.session.get(Agent, agent_id)
    handoff = _own(work, agent, handoff_id)
    since = handoff.claimed_at or handoff.created_at
    later = [m for m in conversations.list_messages(work.session, conversation_id=handoff.conversation_id)
             if m.created_at >= since]  # without internal notes
    events: list[dict[str, Any]] = [
        {"event": "bot", "text": m.text, "metadata": {"sender": m.sender, "agent_name": m.agent_name}} for m in later]
    events.append({"event": "slot", "name": "handback_agent", "value": agent.first_name})
    return handoff.conversation_id, events


def _hand_back(work: Work, handoff_id: int, agent_id: int, replies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    agent = work.session.get(Agent, agent_id)
    handoff = _own(work, agent, handoff_id)
    conversation = handoffs.close(work, handoff=handoff, agent=agent, step=Step.HAND_BACK)
    shown = [conversations.add_message(work, conversation=conversation, sender="bot", text=r["text"],
                                       buttons=r.get("buttons")) for r in replies]
    conversation.offered_payloads = [b["payload"] for r in replies for b in r.get("buttons") or []]
    return [{"id": m.id, "seq": m.seq, "text": m.text, "buttons": m.buttons, "sender": m.sender} for m in shown]
