from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Integer, String

from bot.desk.db import Base, utcnow


class PrivacyRecord(Base):
    """One line per export, erasure, retention run or legal-hold change: who, what kind of request and how
    much, never the personal data itself (not the e-mail address or phone number that was asked for)."""

    __tablename__ = "privacy_log"

    id = Column(Integer, primary_key=True, autoincrement=True)
    kind = Column(String(16), nullable=False)  # export | erase | retention | legal_hold
    actor = Column(String(64), nullable=False)  # the admin, "cli" or "retention"
    criterion = Column(String(120), nullable=False)  # "e-mailadres", "bestelnummer", "ouder dan 180 dagen", ...
    counts = Column(JSON, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)

    def to_json(self) -> dict:
        return {"id": self.id, "kind": self.kind, "actor": self.actor, "criterion": self.criterion,
                "counts": self.counts, "at": self.created_at.isoformat() + "Z"}
