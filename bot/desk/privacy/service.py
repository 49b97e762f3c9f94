"""Export, erasure, retention and legal hold. Keyword-only functions on a database session, used by the
admins' console (privacy/views.py), `bot privacy` (the command line) and the desk's periodic work."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.desk.callbacks.models import Callback
from bot.desk.conversations.models import Conversation, ConversationEvent, Message
from bot.desk.db import utcnow
from bot.desk.editing.inbox import group_key
from bot.desk.editing.models import EditRecord, InboxDecision
from bot.desk.handoffs.models import Handoff
from bot.desk.privacy.models import PrivacyRecord
from bot.desk.privacy.search import Criterion, conversation_ids
from bot.desk.privacy.trackers import TrackerStore

logger = logging.getLogger(__name__)
RATING_EVENTS = ("satisfaction", "satisfaction_score", "satisfaction_comment")
RETENTION_BATCH = 500
INBOX_EDITS = ("example_added", "topic_added", "dismissed")  # edits that quote customer messages
ERASED = "[gewist op verzoek van de klant]"


def _at(moment: datetime | None) -> str | None:
    return moment.isoformat() + "Z" if moment else None


def _audit(session: Session, *, kind: str, actor: str, criterion: str, counts: dict[str, int]) -> None:
    session.add(PrivacyRecord(kind=kind, actor=actor[:64], criterion=criterion[:120], counts=counts))
    logger.info("privacy %s by %s (%s): %s", kind, actor, criterion, counts)  # no personal data in the log


def _conversation_export(session: Session, conversation_id: str, trackers: TrackerStore | None) -> dict[str, Any]:
    conversation = session.get(Conversation, conversation_id)
    messages = session.scalars(select(Message).where(Message.conversation_id == conversation_id).order_by(Message.seq))
    handoffs = session.scalars(select(Handoff).where(Handoff.conversation_id == conversation_id).order_by(Handoff.id))
    callbacks = session.scalars(select(Callback).where(Callback.conversation_id == conversation_id).order_by(Callback.id))
    ratings = session.scalars(select(ConversationEvent).where(ConversationEvent.conversation_id == conversation_id,
                                                              ConversationEvent.kind.in_(RATING_EVENTS))
                              .order_by(ConversationEvent.id))
    data: dict[str, Any] = {"conversation_id": conversation_id}
    if conversation is not None:
        data.update({
            "started_at": _at(conversation.created_at), "last_activity_at": _at(conversation.updated_at),
            "state": conversation.state, "legal_hold": bool(conversation.legal_hold),
            "logged_in_customer": {"id": conversation.customer_id, "email": conversation.customer_email,
                                   "name": conversation.customer_name} if conversation.customer_id else None,
        })
    data["messages"] = [{"seq": m.seq, "sender": m.sender, "text": m.text, "at": _at(m.created_at),
                         **({"agent_name": m.agent_name} if m.agent_name else {})} for m in messages]
    data["handoffs"] = [{"reason": h.reason, "priority": h.priority, "status": h.status, "created_at": _at(h.created_at),
                         "closed_at": _at(h.closed_at),
                         "context": {k: v for k, v in (h.context or {}).items() if k != "transcript"}} for h in handoffs]
    data["callbacks"] = [{"channel": c.channel, "contact": c.contact, "status": c.status, "from": _at(c.slot_start),
                          "until": _at(c.slot_end), "outcome": c.outcome, "outcome_note": c.outcome_note}
                         for c in callbacks]
    data["ratings"] = [{"kind": e.kind, "data": e.data, "at": _at(e.created_at)} for e in ratings]
    if trackers is not None:
        data["assistant_events"] = len(trackers.events_of(conversation_id))  # the same messages, as Rasa keeps them
    return data


def export(session: Session, *, criterion: Criterion, actor: str, trackers: TrackerStore | None) -> dict[str, Any]:
    """Everything of this customer: every message, handoff, callback and rating, as JSON."""
    ids = conversation_ids(session, criterion, trackers)
    conversations = [_conversation_export(session, cid, trackers) for cid in ids]
    _audit(session, kind="export", actor=actor, criterion=criterion.label, counts={"conversations": len(ids)})
    return {"exported_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "request": {"kind": criterion.kind, "value": criterion.value}, "conversations": conversations}


def _erase_conversations(session: Session, ids: list[str], trackers: TrackerStore | None) -> dict[str, int]:
    """Deletes these conversations and everything that hangs on them, in the desk and in Rasa."""
    counts = {"conversations": 0, "messages": 0, "handoffs": 0, "callbacks": 0, "events": 0, "inbox_decisions": 0,
              "edit_log": 0, "assistant_events": 0}
    if not ids:
        return counts
    keys = {group_key(text) for (text,) in session.execute(
        select(Message.text).where(Message.conversation_id.in_(ids), Message.sender == "customer"))}
    for start in range(0, len(ids), RETENTION_BATCH):
        batch = ids[start:start + RETENTION_BATCH]
        counts["callbacks"] += session.execute(delete(Callback).where(Callback.conversation_id.in_(batch))).rowcount
        counts["handoffs"] += session.execute(delete(Handoff).where(Handoff.conversation_id.in_(batch))).rowcount
        counts["messages"] += session.execute(delete(Message).where(Message.conversation_id.in_(batch))).rowcount
        counts["events"] += session.execute(
            delete(ConversationEvent).where(ConversationEvent.conversation_id.in_(batch))).rowcount
        counts["conversations"] += session.execute(delete(Conversation).where(Conversation.id.in_(batch))).rowcount
    # An editor's decision on a group of misunderstood messages keeps the (masked) wording; when only this
    # customer wrote it, it goes too.
    if keys:
        still_used = {group_key(text) for (text,) in session.execute(
            select(Message.text).where(Message.sender == "customer", Message.intent.is_not(None)))} if len(keys) else set()
        orphaned = keys - still_used
        if orphaned:
            counts["inbox_decisions"] = session.execute(
                delete(InboxDecision).where(InboxDecision.group_key.in_(sorted(orphaned)))).rowcount
            counts["edit_log"] = _scrub_edit_log(session, orphaned)
    if trackers is not None:
        counts["assistant_events"] = trackers.erase(ids)
    return counts


def _scrub_edit_log(session: Session, keys: set[str]) -> int:
    """The editors' log keeps what an inbox group said and the example taken from it; for a customer who is
    erased (and was the only one to write it) that text goes, the record of the edit stays."""
    scrubbed = 0
    for record in session.scalars(select(EditRecord).where(EditRecord.kind.in_(INBOX_EDITS))):
        detail = dict(record.detail or {})
        quoted = [detail.get(field) for field in ("group", "text")]
        taken_from_them = any(isinstance(q, str) and group_key(q) in keys for q in quoted)
        changed = False
        for field in ("group", "text", "example"):  # the example an editor took from their message goes too
            if isinstance(detail.get(field), str) and (taken_from_them or group_key(detail[field]) in keys):
                detail[field], changed = ERASED, True
        if isinstance(detail.get("examples"), list):
            examples = [ERASED if isinstance(e, str) and group_key(e) in keys else e for e in detail["examples"]]
            changed = changed or examples != detail["examples"]
            detail["examples"] = examples
        if changed:
            record.detail = detail
            scrubbed += 1
    return scrubbed


def erase(session: Session, *, criterion: Criterion, actor: str, trackers: TrackerStore | None) -> dict[str, int]:
    """Erases every conversation of this customer, except those on legal hold (kept, and counted)."""
    ids = conversation_ids(session, criterion, trackers)
    held = set(session.scalars(select(Conversation.id).where(Conversation.id.in_(ids), Conversation.legal_hold.is_(True))))
    counts = _erase_conversations(session, [cid for cid in ids if cid not in held], trackers)
    counts["kept_on_legal_hold"] = len(held)
    _audit(session, kind="erase", actor=actor, criterion=criterion.label, counts=counts)
    return counts


def apply_retention(session: Session, *, days: int, trackers: TrackerStore | None, now: datetime | None = None) -> dict[str, int]:
    """Erases conversations without activity for `days` days (not those on legal hold), in the desk and in
    Rasa's tracker store. A batch per call; the periodic work calls again."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    held = set(session.scalars(select(Conversation.id).where(Conversation.legal_hold.is_(True))))
    old = list(session.scalars(select(Conversation.id).where(Conversation.updated_at < cutoff,
                                                             Conversation.legal_hold.is_(False))
                               .order_by(Conversation.updated_at).limit(RETENTION_BATCH)))
    counts = _erase_conversations(session, old, trackers)
    if trackers is not None:  # conversations only Rasa saw, or whose desk rows went earlier
        cutoff_seconds = cutoff.replace(tzinfo=timezone.utc).timestamp()
        quiet = trackers.senders_older_than(cutoff_seconds) - held
        # A conversation the bot left long ago may still be going on with an agent: the desk's date counts.
        recent = {cid for start in range(0, len(quiet), RETENTION_BATCH) for cid in session.scalars(
            select(Conversation.id).where(Conversation.id.in_(sorted(quiet)[start:start + RETENTION_BATCH]),
                                          Conversation.updated_at >= cutoff))}
        counts["assistant_events"] += trackers.erase(sorted(quiet - recent))
    if any(counts.values()):
        _audit(session, kind="retention", actor="retention", criterion=f"ouder dan {days} dagen", counts=counts)
    return counts


def set_legal_hold(session: Session, *, conversation_id: str, hold: bool, actor: str) -> bool | None:
    """The conversation's hold after the change, or None when it does not exist (any more: retention or an
    erasure may have just taken it; one UPDATE, so they cannot cross)."""
    before = session.scalar(select(Conversation.legal_hold).where(Conversation.id == conversation_id))
    changed = session.execute(update(Conversation).where(Conversation.id == conversation_id)
                              .values(legal_hold=hold)).rowcount
    if not changed:
        return None
    if bool(before) != hold:
        _audit(session, kind="legal_hold", actor=actor, criterion="aan" if hold else "uit", counts={"conversations": 1})
    return hold


def audit_lines(session: Session, *, limit: int = 50) -> list[PrivacyRecord]:
    return list(session.scalars(select(PrivacyRecord).order_by(PrivacyRecord.id.desc()).limit(limit)))
