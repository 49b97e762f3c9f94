"""What a unit of work records: the facts of one transaction, in the order they happened.

Services only record these (`Work.record`); what follows from them is decided in one place each, after the
unit of work committed (transaction.py): routing (handoffs/routing.py) and what the customer hears about who
helps them (handoffs/announce.py) in a follow-up transaction, then the pushes to the widget and the console
(push/envelopes.py), published after that one's commit.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.desk.conversations.states import State, Step


@dataclass(frozen=True)
class MessageAdded:
    conversation_id: str
    message: dict[str, Any]  # as the widget and the console read it (Message.to_json)


@dataclass(frozen=True)
class Stepped:
    """A step of the state machine (states.STEPS) was taken."""
    conversation_id: str
    step: Step
    before: State
    after: State
    handoff_id: int | None
    agent_id: int | None  # the handoff's agent after the step
    previous_agent_id: int | None  # ... and before it (who transferred, who resolved a reopened one)
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ContextChanged:
    """Facts that arrived after the handover were added to a handoff's card and summary (handoffs/card.py)."""
    conversation_id: str
    handoff_id: int


@dataclass(frozen=True)
class AgentStatusChanged:
    """An agent went online, away or offline: who can serve changed."""
    agent_id: int


@dataclass(frozen=True)
class CallbacksDue:
    """Callbacks became overdue: the agents' list turns them red."""
    count: int


@dataclass(frozen=True)
class StillWaiting:
    """The periodic check found customers in line while an agent has room (the routing after their step did
    not happen, say the database went away right after its commit): routing looks again."""


Event = MessageAdded | Stepped | ContextChanged | AgentStatusChanged | CallbacksDue | StillWaiting
