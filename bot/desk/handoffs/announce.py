"""What the customer hears about who helps them, worded once per conversation from what the unit of work and
the routing after it really did (the follow-up transaction, transaction.py): a colleague who is here now, a
truthful place in line and wait, or a callback offer when nobody can help soon; a colleague taking over from
another; back in line after "nee, nog niet". The one place these lines are chosen (their words are in
wording.py)."""
from __future__ import annotations

from bot.desk import wording
from bot.desk.agents.models import Agent
from bot.desk.callbacks import flows as callbacks
from bot.desk.conversations import service as conversations
from bot.desk.conversations.models import Conversation
from bot.desk.conversations.states import Awaiting, State, Step
from bot.desk.events import Event, Stepped
from bot.desk.handoffs import queue
from bot.desk.handoffs.models import Handoff
from bot.desk.work import Work


TOLD = (Step.HAND_OFF, Step.REOPEN, Step.RELEASE, Step.TRANSFER, Step.CLAIM)  # the steps a customer hears of


def needed(events: list[Event]) -> bool:
    return any(isinstance(e, Stepped) and e.step in TOLD for e in events)


def react(work: Work) -> None:
    steps: dict[str, list[Stepped]] = {}
    for event in work.events:
        if isinstance(event, Stepped):
            steps.setdefault(event.conversation_id, []).append(event)
    for conversation_id, taken in steps.items():
        conversation = work.session.get(Conversation, conversation_id)
        if conversation.state != taken[-1].after:
            continue  # another request moved it on after this one's commit: its own follow-up tells the customer
        _announce(work, conversation, taken)


def _name(work: Work, agent_id: int | None) -> str:
    agent = work.session.get(Agent, agent_id) if agent_id else None
    return agent.first_name if agent else "Een collega"


def _announce(work: Work, conversation: Conversation, taken: list[Stepped]) -> None:
    kinds = [s.step for s in taken]
    last = taken[-1]
    with_agent = last.after == State.AGENT
    if Step.HAND_OFF in kinds:
        start = taken[kinds.index(Step.HAND_OFF)]
        _handed_off(work, conversation, start, _name(work, last.agent_id) if with_agent else None)
    elif Step.REOPEN in kinds:
        handoff = work.session.get(Handoff, last.handoff_id)
        conversations.say(work, conversation, wording.not_solved(
            first_name=_name(work, last.agent_id) if with_agent else None,
            info={} if with_agent else queue.info(work, handoff)))
    elif Step.RELEASE in kinds:
        start = taken[kinds.index(Step.RELEASE)]
        handoff = work.session.get(Handoff, last.handoff_id)
        conversations.say(work, conversation, wording.released(
            from_name=_name(work, start.previous_agent_id), to_name=_name(work, last.agent_id) if with_agent else None,
            info={} if with_agent else queue.info(work, handoff), gone=start.data.get("reason") == "presence"))
    elif last.step == Step.TRANSFER:
        conversations.say(work, conversation, wording.transfer(_name(work, last.agent_id),
                                                               _name(work, last.previous_agent_id)))
    elif last.step == Step.CLAIM:
        conversations.say(work, conversation, wording.agent_joins(_name(work, last.agent_id)))


def _handed_off(work: Work, conversation: Conversation, start: Stepped, agent_name: str | None) -> None:
    bot_down = bool(start.data.get("bot_down"))
    if agent_name is not None:
        conversations.say(work, conversation, wording.handoff("assigned", first_name=agent_name, bot_down=bot_down))
        return
    handoff = work.session.get(Handoff, start.handoff_id)
    offer = callbacks.offer_for(work, handoff)
    if offer is not None:
        conversations.say(work, conversation, wording.handoff("offer", bot_down=bot_down))
        conversations.say(work, conversation, offer["text"], offer["buttons"])
        conversations.await_answer(work, conversation, Awaiting.CALLBACK_CHOICE)
        return
    conversations.say(work, conversation, wording.handoff("waiting", info=queue.info(work, handoff), bot_down=bot_down))
