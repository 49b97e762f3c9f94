"""A customer's message, from storing it to what they see next (`customer_message`, the one function the
web view calls), and the conversation read back (`history`).

1. `receive` (one transaction): check the token and the payload, store the message once (a retry with
   the same client key finds it), and answer what the desk answers itself: the satisfaction check,
   a callback booking, a conversation the bot ended. While a person owns the conversation the message
   goes to them and nothing else happens. Otherwise the message is for the bot.
2. The desk calls Rasa (no transaction open, nothing blocks).
3. `finish_bot_turn` (one transaction): the NLU result, the bot's replies, and, when the bot signalled
   a handoff, the handoff itself (handoffs/flows.py), committed; then routed and worded once, with the truth,
   in the follow-up transaction, before the answer is read (transaction.py).
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.desk import wording
from bot.desk.bot_client import BotClient, BotTurn, BotUnavailable
from bot.desk.callbacks import flows as callback_flows
from bot.desk.conversations import offers, satisfaction, service
from bot.desk.conversations.models import Conversation, Message
from bot.desk.conversations.states import WITH_THE_TEAM, Awaiting, State, Step
from bot.desk.errors import Invalid, NotSignedIn
from bot.desk.handoffs import card
from bot.desk.handoffs import flows as handoff_flows
from bot.desk.handoffs import service as handoffs
from bot.desk.work import Afterwards, Run, Work
from bot.handoff import build_context
from bot.webshop import ShopUnavailable


async def customer_message(run: Run, bot: BotClient, *, conversation_id: str, token: str | None, text: str,
                           payload: str | None, client_key: str | None) -> dict[str, Any]:
    """Stored first (once); answered by the desk itself, or by the bot; when Rasa or the action server does not
    answer, the customer hears so and is queued for a person. Returns what the customer sees next."""
    received = await run(receive, conversation_id=conversation_id, token=token, text=text, payload=payload,
                         client_key=client_key, routing=needs_routing_lock(payload))
    if received.answer is not None:
        if received.for_card:  # while she waits or a person has her: what she tells reaches the card
            await keep_card_true(run, conversation_id=conversation_id, text=received.for_card)
        return received.answer
    # Stored first; from here on nothing the customer wrote can be lost.
    try:
        result = await bot.earlier_outcome(sender=conversation_id, text=received.for_bot) if received.retried else None
        if result is None:
            result = await bot.turn(sender=conversation_id, text=None if received.is_payload else received.for_bot,
                                    payload=received.for_bot if received.is_payload else None,
                                    customer_id=received.customer_id)
        if not result.replies and result.handoff is None and not await bot.action_server_ok():
            raise BotUnavailable("action server does not answer")
    except BotUnavailable as exc:
        return await run(bot_unavailable, conversation_id=conversation_id, message_id=received.message_id,
                         error=str(exc), routing=True)
    return await run(finish_bot_turn, conversation_id=conversation_id, message_id=received.message_id, turn=result,
                     routing=bool(result.handoff and not result.handoff.get("close")))


async def keep_card_true(run: Run, *, conversation_id: str, text: str) -> None:
    """Facts in a message after the handover (P2): an order number checked with its postcode against the shop
    (outside any transaction), a deadline, a new problem; written to the handoff's card and pushed."""
    later = card.read(text, datetime.now())
    if later.empty:
        return
    order, checked = None, False
    if later.postcode:
        before = await run(card.before_check, conversation_id=conversation_id)
        later = card.with_number(later, before.unchecked_number)  # "9999 ZZ" after "WS-100004"
        try:
            order, checked = await asyncio.to_thread(card.check, later, before), bool(later.order_number)
        except ShopUnavailable:
            pass  # kept as given, not checked
    await run(card.update, conversation_id=conversation_id, later=later, order=order, checked=checked)


def history(work: Work, *, conversation_id: str, token: str | None, after: int) -> dict[str, Any]:
    """The conversation from the start, or after the last sequence number the client saw (resume)."""
    conversation = authenticated(work, conversation_id, token)
    messages = [m.to_json() for m in service.list_messages(work.session, conversation_id=conversation_id, after=after)]
    return {"messages": messages, "last_seq": conversation.last_seq, **offers.shown(work, conversation)}


@dataclass
class Received:
    message_id: int
    answer: dict[str, Any] | None = None  # set when the desk answered without the bot
    for_bot: str | None = None  # the text or offered payload to send to Rasa
    is_payload: bool = False
    retried: bool = False  # stored before; Rasa may have answered it already
    customer_id: str | None = None  # the logged-in customer the shop vouched for; sent to Rasa as metadata
    for_card: str | None = None  # typed after the handover: facts in it go to the handoff's card


def reply_of(message: Message) -> dict[str, Any]:
    return {"id": message.id, "seq": message.seq, "text": message.text, "buttons": message.buttons,
            "sender": message.sender}


def answer_for(work: Work, conversation: Conversation, message: Message,
               added: list[Message] | None = None) -> dict[str, Any]:
    """Everything shown after the customer's message (bot replies and desk notices, in order), who has the
    conversation now and which buttons stand, read in one transaction so that they never contradict each other.
    `added`: the messages this transaction just wrote after it, taken as they are when nothing else can be."""
    replies = added if _all_after(work, conversation, message, added) else \
        service.replies_after(work.session, message=message)
    return {"message_id": message.id, "seq": message.seq, "replies": [reply_of(m) for m in replies],
            **offers.shown(work, conversation)}


def _all_after(work: Work, conversation: Conversation, message: Message, added: list[Message] | None) -> bool:
    """Whether `added` are all the messages after `message`: numbered right after it up to the conversation's
    last number, in this transaction, which holds the conversation's row since it numbered the first of them
    (nobody else can add one before it commits) and ran no follow-up (that may have added more)."""
    return bool(added) and not work.followed_up and added[0].seq == message.seq + 1 and \
        added[-1].seq == conversation.last_seq == message.seq + len(added) and \
        all(m.sender != "customer" for m in added)


def authenticated(work: Work, conversation_id: str, token: str | None) -> Conversation:
    conversation = service.authenticate(work.session, conversation_id=conversation_id, token=token)
    if conversation is None:
        raise NotSignedIn("Onbekend gesprek of ongeldige sleutel.")
    return conversation


def receive(work: Work, *, conversation_id: str, token: str | None, text: str, payload: str | None,
            client_key: str | None) -> Received | Afterwards[Received]:
    if client_key:  # a retry finds its message in the same query that checks the token
        conversation, earlier = service.authenticate_with_earlier(work.session, conversation_id=conversation_id,
                                                                  token=token, client_key=client_key)
        if conversation is None:
            raise NotSignedIn("Onbekend gesprek of ongeldige sleutel.")
        if earlier is not None:
            return _replay(work, conversation, earlier)
    else:
        conversation = authenticated(work, conversation_id, token)
    late = payload is not None and payload not in offers.valid_payloads(conversation)
    if late and not offers.ever_offered(work, conversation, payload):
        raise Invalid("Deze keuze hoort niet bij dit gesprek.")  # never shown to this customer: not a late click
    message = service.add_message(work, conversation=conversation, sender="customer", text=text, client_key=client_key)
    if payload is not None and not late:
        conversation.offered_payloads = []  # a button is used once
    awaiting, state = Awaiting(conversation.awaiting), State(conversation.state)

    def handled() -> Afterwards[Received]:
        return Afterwards(lambda: Received(message.id, answer=answer_for(work, conversation, message)))

    if state == State.CLOSED and conversation.closed_reason == "abuse":
        service.say(work, conversation, wording.ended())
        return handled()
    if late:  # offered before, no longer accepted: a friendly line, never an error
        offers.late_click(work, conversation, payload)
        return handled()
    if payload in satisfaction.PAYLOADS:
        satisfaction.answer(work, conversation, payload)
        return handled()
    if awaiting == Awaiting.SCORE and payload is None and satisfaction.typed_score(text):
        satisfaction.answer(work, conversation, satisfaction.typed_score(text))
        return handled()
    if awaiting == Awaiting.COMMENT and payload is None:
        satisfaction.comment(work, conversation, text)
        return handled()
    if callback_flows.handles(payload):
        callback_flows.answer(work, conversation, payload)
        return handled()
    if awaiting == Awaiting.CALLBACK_CONTACT and payload is None:
        callback_flows.contact(work, conversation, text)
        return handled()
    if state in WITH_THE_TEAM:  # for the person who has the conversation; pushed to the agents
        return Afterwards(lambda: Received(message.id, answer=answer_for(work, conversation, message),
                                           for_card=text if payload is None else None))
    if state == State.CLOSED:  # writing again after the end: the bot takes it, fully itself
        service.transition(work, conversation=conversation, step=Step.WRITE_AGAIN, actor="customer")
    conversation.offered_payloads = []  # the bot's next reply decides what may be pressed
    return Received(message.id, for_bot=payload if payload is not None else text, is_payload=payload is not None,
                    customer_id=conversation.customer_id)


def _replay(work: Work, conversation: Conversation, earlier: Message) -> Received:
    """The same message again (the answer was lost on the way): stored once, answered as before. When it
    never reached the bot (the desk that took it went away mid-turn), it goes to the bot now."""
    shown = service.replies_after(work.session, message=earlier)
    if shown or conversation.state != State.BOT.value:
        return Received(earlier.id, answer=answer_for(work, conversation, earlier))
    return Received(earlier.id, for_bot=earlier.text, retried=True, customer_id=conversation.customer_id)


def needs_routing_lock(payload: str | None) -> bool:
    """Answers that may put the customer back in line change who serves whom: they take the routing lock."""
    return payload == satisfaction.SOLVED_NO


def finish_bot_turn(work: Work, *, conversation_id: str, message_id: int, turn: BotTurn) -> Afterwards[dict[str, Any]]:
    conversation, message = service.conversation_and_message(work.session, conversation_id=conversation_id,
                                                             message_id=message_id)
    if turn.nlu:
        service.record_nlu(work.session, message, turn.nlu)
    offered: list[str] = []
    added = []
    for reply in turn.replies:
        added.append(service.add_message(work, conversation=conversation, sender="bot", text=reply["text"],
                                         buttons=reply.get("buttons")))
        offered += [b["payload"] for b in reply.get("buttons") or []]
    if offered != conversation.offered_payloads:  # an unchanged row costs the commit no flush
        conversation.offered_payloads = offered
    if turn.handoff is not None and conversation.state == State.BOT.value:
        context = handoffs.validate_context({k: v for k, v in turn.handoff.items() if k != "close"})
        if turn.handoff.get("close"):
            handoff_flows.end_for_abuse(work, conversation=conversation, context=context)
        else:
            handoff_flows.start(work, conversation=conversation, context=context, actor="bot")
    return Afterwards(lambda: answer_for(work, conversation, message, added))


def bot_unavailable(work: Work, *, conversation_id: str, message_id: int, error: str) -> Afterwards[dict[str, Any]]:
    """Rasa or the action server is down: keep the message, queue for a person, say so politely."""
    conversation = work.session.get(Conversation, conversation_id)
    message = work.session.get(Message, message_id)
    if conversation.state == State.BOT.value:
        context = build_context(conversation_id=conversation_id, reason="bot_unavailable",
                                transcript=handoff_flows.desk_transcript(work, conversation_id), topics=[], facts={},
                                bot_actions=[], signals=[{"name": "bot_unavailable", "evidence": error[:300]}])
        handoff_flows.start(work, conversation=conversation, context=dict(context), actor="desk", bot_down=True)
    return Afterwards(lambda: answer_for(work, conversation, message))

