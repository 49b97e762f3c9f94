"""Handoff flows: what the desk does when the bot hands a conversation to the team, and when it ends one.
Routing and what the customer hears about it follow at the end of the transaction (handoffs/routing.py,
handoffs/announce.py)."""
from __future__ import annotations

from typing import Any

from bot.desk.conversations import service as conversations
from bot.desk.conversations.models import Conversation
from bot.desk.conversations.states import State
from bot.desk.handoffs import service as handoffs
from bot.desk.work import Work
from bot.handoff import TranscriptLine


def desk_transcript(work: Work, conversation_id: str) -> list[TranscriptLine]:
    """Everything the customer and the bot said, as the desk stored it (without internal notes)."""
    return [TranscriptLine(sender=m.sender, text=m.text, at=m.created_at.isoformat() + "Z")
            for m in conversations.list_messages(work.session, conversation_id=conversation_id)]


def verified_customer(conversation: Conversation) -> str:
    """'Eva de Vries · eva.de.vries@example.nl · klantnummer K-1001' for the context card."""
    parts = [conversation.customer_name, conversation.customer_email, f"klantnummer {conversation.customer_id}"]
    return " · ".join(p for p in parts if p)


def hand_off(work: Work, *, conversation: Conversation, context: dict[str, Any], actor: str,
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
