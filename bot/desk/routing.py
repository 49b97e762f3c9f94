"""Who serves whom: waiting customers go to online agents with room, and hear who takes over."""
from __future__ import annotations

from typing import TYPE_CHECKING

from bot.desk import wording
from bot.desk.agents.models import Agent
from bot.desk.conversations import service as conversations
from bot.desk.conversations.models import Conversation
from bot.desk.handoffs import service as handoffs

if TYPE_CHECKING:
    from bot.desk.work import Work


def assign_waiting(work: "Work", *, quiet: frozenset[str] | set[str] = frozenset()) -> dict[str, Agent]:
    """Routes the whole queue (priority, then waiting time). Each assigned customer hears who helps,
    except those in `quiet`, whose caller words the outcome itself. Returns conversation id -> agent."""
    work.route_pending = False
    assigned = handoffs.auto_assign(work)
    for handoff, agent in assigned:
        if handoff.conversation_id not in quiet:
            conversation = work.session.get(Conversation, handoff.conversation_id)
            conversations.say(work, conversation, wording.agent_joins(agent.first_name))
    return {handoff.conversation_id: agent for handoff, agent in assigned}
