"""Imports every desk model so that metadata and migrations see all tables."""
from bot.desk.agents.models import Agent, AgentSession
from bot.desk.canned.models import CannedResponse
from bot.desk.conversations.models import Conversation, ConversationEvent, Message
from bot.desk.handoffs.models import Handoff

__all__ = ["Agent", "AgentSession", "CannedResponse", "Conversation", "ConversationEvent", "Message", "Handoff"]
