from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, String, Text

from bot.desk.db import Base, utcnow


class CannedResponse(Base):
    """A team-wide ready answer; admins edit them, every agent can use them."""

    __tablename__ = "canned_responses"

    id = Column(Integer, primary_key=True, autoincrement=True)
    title = Column(String(80), nullable=False, unique=True)
    text = Column(Text, nullable=False)
    updated_by = Column(String(64), nullable=False)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    def to_json(self) -> dict:
        return {"id": self.id, "title": self.title, "text": self.text, "updated_by": self.updated_by,
                "updated_at": self.updated_at.isoformat() + "Z"}
