"""The one place a handover is decided and told: in the same transaction as the bot's turn, the desk
creates the handoff, routes it, and then says what is really going to happen: a person is here now,
a truthful place in line and wait, or a callback offer when nobody can help soon."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.desk import routing, wording
from bot.desk.callbacks import flow as callbacks
from bot.desk.conversations import service as conversations
from bot.desk.conversations.models import Conversation
from bot.desk.conversations.states import Awaiting, State
from bot.desk.handoffs import queue
from bot.desk.handoffs import service as handoffs
from bot.handoff import TranscriptLine

if TYPE_CHECKING:
    from bot.desk.work import Work


def desk_transcript(work: "Work", conversation_id: str) -> list[TranscriptLine]:
    """Everything the customer and the bot said, as the desk stored it (without internal notes)."""
    return [TranscriptLine(sender=m.sender, text=m.text, at=m.created_at.isoformat() + "Z")
            for m in conversations.list_messages(work.session, conversation_id=conversation_id)]


def verified_customer(conversation: Conversation) -> str:
    """'Eva de Vries · eva.de.vries@example.nl · klantnummer K-1001' for the context card."""
    parts = [conversation.customer_name, conversation.customer_email, f"klantnummer {conversation.customer_id}"]
    return " · ".join(p for p in parts if p)


def hand_over(work: "Work", *, conversation: Conversation, context: dict[str, Any], actor: str,
              bot_down: bool = False) -> None:
    """Creates the handoff (once), routes it, and tells the customer what happens next."""
    context = {**context, "conversation_id": conversation.id,
               "transcript": desk_transcript(work, conversation.id)}
    if conversation.customer_id:  # the shop vouched for who this is: the agent need not ask
        context["facts"] = {**(context.get("facts") or {}), "customer": verified_customer(conversation)}
    handoff, created = handoffs.create_or_get(work, conversation=conversation, context=context, actor=actor)
    if not created:
        return
    assigned = routing.assign_waiting(work, quiet={conversation.id})
    if conversation.id in assigned:
        name = assigned[conversation.id].first_name
        conversations.say(work, conversation, wording.handover("assigned", first_name=name, bot_down=bot_down))
        return
    offer = callbacks.offer_for(work, handoff)
    if offer is not None:
        conversations.say(work, conversation, wording.handover("offer", bot_down=bot_down))
        conversations.say(work, conversation, offer["text"], offer["buttons"])
        conversations.await_answer(work, conversation, Awaiting.CALLBACK_CHOICE)
        return
    conversations.say(work, conversation, wording.handover("waiting", info=queue.info(work, handoff), bot_down=bot_down))


def end_for_abuse(work: "Work", *, conversation: Conversation, context: dict[str, Any]) -> None:
    context = {**context, "conversation_id": conversation.id,
               "transcript": desk_transcript(work, conversation.id)}
    if conversation.state == State.BOT.value:
        handoffs.close_for_abuse(work, conversation=conversation, context=context)
