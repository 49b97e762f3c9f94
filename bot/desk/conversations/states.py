"""Who owns a conversation, where its handoff is, and the one table of steps that may change either.

`State` is the conversation's owner: the bot, the queue (waiting for a person), an agent, or nobody
(closed). `HandoffStatus` is where the conversation's handoff is. They change together, by the named
steps in `STEPS`, and only in `conversations.service.transition`; the agent who owns a conversation is
the `agent_id` of its assigned handoff (nowhere else). `Awaiting` is an explicit customer sub-state for
answers the desk itself handles (the satisfaction check, a callback booking); it belongs to a state and
ends when the conversation leaves that state.

Adding a step (say, an agent who steps away hands her chats back to the queue) is one row in `STEPS`
and the flow that takes it.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class State(str, Enum):
    BOT = "bot"
    QUEUED = "queued"
    AGENT = "agent"
    CLOSED = "closed"


class HandoffStatus(str, Enum):
    QUEUED = "queued"  # waiting for a person
    ASSIGNED = "assigned"  # an agent has it: its agent_id is the conversation's owner
    RESOLVED = "resolved"  # the agent (or the callback) finished it
    HANDED_BACK = "handed_back"  # the bot took over again
    REVIEW = "review"  # the bot ended the conversation after abuse; agents read it afterwards
    CALLBACK = "callback"  # the customer booked a callback instead of waiting


OPEN_STATUSES = (HandoffStatus.QUEUED, HandoffStatus.ASSIGNED)
# Where the team has the conversation: what the customer writes goes to them (and is pushed to the agents).
WITH_THE_TEAM = (State.QUEUED, State.AGENT)
# What agents read on the context card for each status (with an agent's name where one has it).
STATUS_LABELS = {
    HandoffStatus.QUEUED: "in de wachtrij", HandoffStatus.ASSIGNED: "bij {agent}", HandoffStatus.RESOLVED: "afgerond",
    HandoffStatus.HANDED_BACK: "terug bij de bot", HandoffStatus.REVIEW: "gesprek beëindigd door de bot",
    HandoffStatus.CALLBACK: "terugbelafspraak gemaakt",
}


class Awaiting(str, Enum):
    NOTHING = "nothing"
    SOLVED = "solved"  # "is je probleem opgelost?" after an agent resolved
    SCORE = "score"  # 1-5
    COMMENT = "comment"  # an optional comment, typed
    CALLBACK_CHOICE = "callback_choice"  # bel me terug / mail me / ik wacht liever
    CALLBACK_CONTACT = "callback_contact"  # the phone number or e-mail address, typed
    CALLBACK_SLOT = "callback_slot"  # a window, from the buttons


class Step(str, Enum):
    HAND_OFF = "hand_off"  # the bot (or the desk, when the bot is down) hands the conversation to the team
    END = "end"  # the bot ends the conversation after a second insult
    CLAIM = "claim"  # an agent takes a waiting customer, by hand or by routing
    TRANSFER = "transfer"  # to a colleague
    RELEASE = "release"  # the agent went offline: back in line, every message kept
    HAND_BACK = "hand_back"  # the bot takes over again
    RESOLVE = "resolve"  # the agent finished
    REOPEN = "reopen"  # "nee, nog niet": back in line
    BOOK_CALLBACK = "book_callback"  # the customer booked a callback instead of waiting
    CALLBACK_DONE = "callback_done"  # an agent recorded the callback's outcome
    WRITE_AGAIN = "write_again"  # the customer writes after the end: the bot takes it, fully itself


@dataclass(frozen=True)
class Move:
    """One allowed step. `conversation`: (from, to), None when its state stays as it is. `handoff`: (from, to),
    from None for a new handoff, None when no handoff takes part. `owner`: the handoff's agent after the
    step: "agent" (the one taking it), "none", or "keep" (who handled it stays on record)."""
    conversation: tuple[State, State] | None
    handoff: tuple[HandoffStatus | None, HandoffStatus] | None
    owner: str = "keep"
    closed_reason: str | None = None  # why it closed, when the step closes it ("abuse" stays closed)
    audit: str = "state"  # the kind of the audit row the step writes

    @property
    def needs_routing_lock(self) -> bool:
        """Changes who serves whom (a seat, the queue): decided one at a time across replicas."""
        if self.conversation is None:
            return False
        before, after = self.conversation
        return after == State.QUEUED or State.AGENT in (before, after)

    @property
    def routes(self) -> bool:
        """Someone joined the queue or a seat came free: routing follows, after the commit (transaction.py)."""
        if self.conversation is None:
            return False
        before, after = self.conversation
        return after == State.QUEUED or (before == State.AGENT and after != State.AGENT)


H = HandoffStatus
STEPS: dict[Step, Move] = {
    Step.HAND_OFF: Move((State.BOT, State.QUEUED), (None, H.QUEUED), owner="none"),
    Step.END: Move((State.BOT, State.CLOSED), (None, H.REVIEW), owner="none", closed_reason="abuse"),
    Step.CLAIM: Move((State.QUEUED, State.AGENT), (H.QUEUED, H.ASSIGNED), owner="agent"),
    Step.TRANSFER: Move((State.AGENT, State.AGENT), (H.ASSIGNED, H.ASSIGNED), owner="agent", audit="transfer"),
    Step.RELEASE: Move((State.AGENT, State.QUEUED), (H.ASSIGNED, H.QUEUED), owner="none"),
    Step.HAND_BACK: Move((State.AGENT, State.BOT), (H.ASSIGNED, H.HANDED_BACK)),
    Step.RESOLVE: Move((State.AGENT, State.CLOSED), (H.ASSIGNED, H.RESOLVED)),
    Step.REOPEN: Move((State.CLOSED, State.QUEUED), (H.RESOLVED, H.QUEUED), owner="none"),
    Step.BOOK_CALLBACK: Move((State.QUEUED, State.CLOSED), (H.QUEUED, H.CALLBACK), owner="none",
                             closed_reason="callback"),
    Step.CALLBACK_DONE: Move(None, (H.CALLBACK, H.RESOLVED), owner="agent", audit="callback_outcome"),
    Step.WRITE_AGAIN: Move((State.CLOSED, State.BOT), None),
}
del H
FINAL_CLOSE = "abuse"  # a conversation the bot ended stays closed

# Sub-states that belong to a state; leaving the state ends them.
AWAITING_IN: dict[Awaiting, State] = {
    Awaiting.SOLVED: State.CLOSED, Awaiting.SCORE: State.CLOSED, Awaiting.COMMENT: State.CLOSED,
    Awaiting.CALLBACK_CHOICE: State.QUEUED, Awaiting.CALLBACK_CONTACT: State.QUEUED,
    Awaiting.CALLBACK_SLOT: State.QUEUED,
}


class TransitionError(RuntimeError):
    """A step that is not allowed from where the conversation and its handoff are: a programming error, or
    another request that changed them first (then nothing of this one is kept)."""
