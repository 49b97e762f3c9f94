"""Imports every desk model so that metadata and migrations see all tables."""
from bot.desk.agents.models import Agent, AgentSession, KnownLogin, LoginCount
from bot.desk.callbacks.models import Callback
from bot.desk.canned.models import CannedResponse
from bot.desk.coordination import DeskLock, Lease
from bot.desk.editing.models import EditRecord, InboxDecision
from bot.desk.conversations.models import Conversation, ConversationEvent, Message
from bot.desk.handoffs.models import Handoff
from bot.desk.privacy.models import PrivacyRecord

__all__ = ["Agent", "AgentSession", "Callback", "CannedResponse", "Conversation", "ConversationEvent", "DeskLock",
           "EditRecord", "Handoff", "InboxDecision", "KnownLogin", "Lease", "LoginCount", "Message",
           "PrivacyRecord"]
