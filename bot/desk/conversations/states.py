"""Who owns a conversation, and what the desk is waiting for from the customer.

`State` is the owner: the bot, the queue (waiting for a person), an agent, or nobody (closed).
`Awaiting` is an explicit customer sub-state for answers the desk itself handles (the satisfaction
check, a callback booking); the desk never infers it from which buttons were offered.
Only `conversations.service.transition` changes a state.
"""
from __future__ import annotations

from enum import Enum


class State(str, Enum):
    BOT = "bot"
    QUEUED = "queued"
    AGENT = "agent"
    CLOSED = "closed"


class Awaiting(str, Enum):
    NOTHING = "nothing"
    SOLVED = "solved"  # "is je probleem opgelost?" after an agent resolved
    SCORE = "score"  # 1-5
    COMMENT = "comment"  # an optional comment, typed
    CALLBACK_CHOICE = "callback_choice"  # bel me terug / mail me / ik wacht liever
    CALLBACK_CONTACT = "callback_contact"  # the phone number or e-mail address, typed
    CALLBACK_SLOT = "callback_slot"  # a window, from the buttons


# Which owner may follow which. Anything else is a programming error, not a customer's doing.
ALLOWED: dict[State, frozenset[State]] = {
    State.BOT: frozenset({State.QUEUED, State.CLOSED}),
    State.QUEUED: frozenset({State.AGENT, State.CLOSED}),  # claimed, or a callback was booked
    State.AGENT: frozenset({State.BOT, State.QUEUED, State.CLOSED}),  # hand-back, offline, resolved
    State.CLOSED: frozenset({State.BOT, State.QUEUED, State.AGENT}),  # writes again, or "nee, nog niet"
}

# Sub-states that belong to a state; leaving the state ends them.
AWAITING_IN: dict[Awaiting, State] = {
    Awaiting.SOLVED: State.CLOSED, Awaiting.SCORE: State.CLOSED, Awaiting.COMMENT: State.CLOSED,
    Awaiting.CALLBACK_CHOICE: State.QUEUED, Awaiting.CALLBACK_CONTACT: State.QUEUED,
    Awaiting.CALLBACK_SLOT: State.QUEUED,
}


class TransitionError(RuntimeError):
    pass
