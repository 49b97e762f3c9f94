"""Two weeks of made-up but plausible conversations for the demo, so that the dashboard and
`bot report` have something to show on a fresh `make run`. Deterministic (fixed seed), relative to now.
The story in the numbers: parcel questions rise sharply this week (a carrier problem), as a team lead
would want to notice."""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import hours
from bot.config import get_settings
from bot.desk.agents.models import Agent
from bot.desk.callbacks.models import Callback
from bot.desk.conversations import service as conversations
from bot.desk.conversations.models import Conversation, ConversationEvent, Message
from bot.desk.conversations.states import Step
from bot.desk.db import utcnow
from bot.desk.handoffs.models import PRIORITY_RANK, Handoff
from bot.desk.work import Work

# topic -> (customer wordings, share of conversations last week, this week)
TOPICS = {
    "order_status": (["Waar blijft mijn pakket WS-100001?", "Mijn bestelling is nog niet binnen", "Wanneer komt mijn pakket?"], 5, 9),
    "faq/return_policy": (["Hoe werkt retourneren?", "Hoeveel bedenktijd heb ik?"], 4, 4),
    "faq/shipping_costs": (["Wat kost verzenden?", "Is verzenden gratis?"], 3, 3),
    "faq/delivery_time": (["Hoe snel bezorgen jullie?"], 3, 3),
    "return_request": (["Ik wil iets terugsturen", "Ik wil mijn bestelling retourneren"], 3, 3),
    "faq/payment_methods": (["Kan ik met iDEAL betalen?"], 2, 2),
    "complain": (["Ik ben echt ontevreden over jullie service"], 1, 2),
    "request_human": (["Ik wil een medewerker spreken"], 1, 1),
}
MISUNDERSTOOD = ["Kunnen jullie het als cadeau inpakken?", "Hebben jullie ook een winkel in Utrecht?",
                 "Mijn naam is Sanne Bakker, kan mijn account weg?", "kunnen jullie het cadeau inpakken"]
REASONS = {"order_status": "deadline_at_risk", "complain": "complexity", "request_human": "customer_request"}


def _topic_message(topic: str, text: str) -> dict:
    if topic.startswith("faq/"):
        return {"intent": "faq", "confidence": 0.99, "response_key": topic, "response_confidence": 0.95}
    return {"intent": topic, "confidence": 0.96}


def seed_history(session: Session, *, days: int = 14, now: datetime | None = None) -> int:
    """Adds the demo history when the desk has no conversations yet. Returns how many were added."""
    if session.scalar(select(func.count()).select_from(Conversation)):
        return 0
    rng = random.Random(20261123)
    now = now or utcnow()
    agent = session.scalars(select(Agent).order_by(Agent.id)).first()
    added = 0
    for day in range(days, 0, -1):
        this_week = day <= 7
        weights = {t: (now_w if this_week else before_w) for t, (_, before_w, now_w) in TOPICS.items()}
        for _ in range(rng.randint(8, 12)):
            start = now - timedelta(days=day) + timedelta(hours=rng.uniform(8.5, 19.5))
            topic = rng.choices(list(weights), weights=list(weights.values()))[0]
            _conversation(session, rng, start, topic, agent)
            added += 1
        if rng.random() < 0.6:
            _misunderstood(session, rng, now - timedelta(days=day) + timedelta(hours=rng.uniform(9, 20)))
            added += 1
    return added


def _new_conversation(session: Session, start: datetime) -> Conversation:
    conversation, _ = conversations.start_conversation(session)  # nobody knows the key: no one can open it
    conversation.created_at = conversation.updated_at = start
    return conversation


def _conversation(session: Session, rng: random.Random, start: datetime, topic: str, agent: Agent | None) -> None:
    """One conversation as the desk would have written it: the handed-over ones went through the same steps."""
    wordings = TOPICS[topic][0]
    conversation = _new_conversation(session, start)
    text = rng.choice(wordings)
    conversation.last_seq = 2
    session.add(Message(conversation_id=conversation.id, seq=1, sender="customer", text=text, created_at=start,
                        **_topic_message(topic, text)))
    session.add(Message(conversation_id=conversation.id, seq=2, sender="bot", text="(antwoord van de bot)",
                        created_at=start + timedelta(seconds=2)))
    handed = topic in REASONS and (topic != "order_status" or rng.random() < 0.15)
    if not handed or agent is None:
        return
    wait = timedelta(minutes=rng.uniform(1, 9))
    handling = timedelta(minutes=rng.uniform(3, 14))
    work = Work(session, settings=get_settings(), hours=hours.load)
    work.lock_routing()
    handoff = Handoff(conversation_id=conversation.id, reason=REASONS[topic], priority="normal",
                      priority_rank=PRIORITY_RANK["normal"], context={"summary": f"Demo: {text}", "reason": REASONS[topic]},
                      created_at=start + timedelta(seconds=3))
    conversations.transition(work, conversation=conversation, step=Step.HAND_OFF, handoff=handoff, actor="bot")
    if topic == "request_human" and rng.random() < 0.5:  # booked a callback instead of waiting
        _called_back(work, rng, conversation, handoff, agent, start)
        return
    conversations.transition(work, conversation=conversation, step=Step.CLAIM, handoff=handoff, agent=agent,
                             actor=f"agent:{agent.username}")
    conversations.transition(work, conversation=conversation, step=Step.RESOLVE, handoff=handoff,
                             actor=f"agent:{agent.username}")
    after = start + wait + handling
    handoff.claimed_at, handoff.closed_at = start + wait, after
    conversation.updated_at = after
    solved = rng.random() < 0.8
    session.add(ConversationEvent(conversation_id=conversation.id, kind="satisfaction", actor="customer",
                                  data={"handoff_id": handoff.id, "solved": solved}, created_at=after))
    if solved:
        session.add(ConversationEvent(conversation_id=conversation.id, kind="satisfaction_score", actor="customer",
                                      data={"handoff_id": handoff.id, "score": rng.choice([3, 4, 4, 5, 5])},
                                      created_at=after))


def _called_back(work: Work, rng: random.Random, conversation: Conversation, handoff: Handoff, agent: Agent,
                 start: datetime) -> None:
    slot_end = start + timedelta(days=1, hours=2)
    late = rng.random() < 0.25
    callback = Callback(conversation_id=conversation.id, handoff_id=handoff.id, status="scheduled", channel="phone",
                        contact="+31612345678", slot_start=slot_end - timedelta(hours=2), slot_end=slot_end,
                        created_at=start, booked_at=start)
    work.session.add(callback)
    work.session.flush()
    conversations.transition(work, conversation=conversation, step=Step.BOOK_CALLBACK, handoff=handoff, actor="customer",
                             data={"callback_id": callback.id, "channel": "phone"})
    callback.status, callback.outcome, callback.agent_id = "done", "solved", agent.id
    callback.completed_at = slot_end + (timedelta(hours=3) if late else -timedelta(minutes=30))
    conversations.transition(work, conversation=conversation, step=Step.CALLBACK_DONE, handoff=handoff, agent=agent,
                             actor=f"agent:{agent.username}", data={"callback_id": callback.id, "outcome": "solved"})
    handoff.closed_at = conversation.updated_at = callback.completed_at


def _misunderstood(session: Session, rng: random.Random, start: datetime) -> None:
    conversation = _new_conversation(session, start)
    conversation.last_seq = 1
    session.add(Message(conversation_id=conversation.id, seq=1, sender="customer", text=rng.choice(MISUNDERSTOOD),
                        created_at=start, intent="nlu_fallback", confidence=round(rng.uniform(0.2, 0.5), 2)))
