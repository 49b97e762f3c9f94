from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Integer, String, Text

from bot.desk.db import Base, utcnow


class InboxDecision(Base):
    """An editor's decision on a group of misunderstood messages: an example added, or dismissed.
    Messages of that group that arrive later show up again."""

    __tablename__ = "inbox_decisions"

    id = Column(Integer, primary_key=True, autoincrement=True)
    group_key = Column(String(300), nullable=False, index=True)
    decision = Column(String(16), nullable=False)  # added | dismissed
    target = Column(String(80), nullable=True)  # the intent or faq/<key>
    example = Column(Text, nullable=True)
    editor = Column(String(64), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class EditRecord(Base):
    """Every change editors make through the desk: who, when, what (the data itself stays in git)."""

    __tablename__ = "edit_log"

    id = Column(Integer, primary_key=True, autoincrement=True)
    editor = Column(String(64), nullable=False)
    kind = Column(String(32), nullable=False)  # example_added | answer_changed | dismissed | retrain
    file = Column(String(200), nullable=True)
    line = Column(Integer, nullable=True)
    detail = Column(JSON, nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
