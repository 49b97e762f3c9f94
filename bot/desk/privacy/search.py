"""Which conversations belong to a customer: by conversation id, e-mail address, phone number or order
number, wherever the desk keeps it (messages of any sender, callbacks, the logged-in customer) and
wherever Rasa's tracker store mentions it."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.contact import ContactError, normalise_phone
from bot.desk.callbacks.models import Callback
from bot.desk.conversations.models import Conversation, Message
from bot.desk.privacy.trackers import TrackerStore
from bot.privacy import EMAIL, PHONE
from bot.webshop.identifiers import ORDER_NUMBER, normalise_order_number

KINDS = {"conversation": "gespreknummer", "email": "e-mailadres", "phone": "telefoonnummer", "order": "bestelnummer"}
CONVERSATION_ID = re.compile(r"^[0-9a-f]{32}$")


class BadCriterion(ValueError):
    """Said to the admin in Dutch; nothing is searched."""


@dataclass(frozen=True)
class Criterion:
    kind: str  # conversation | email | phone | order
    value: str  # normalised

    @classmethod
    def parse(cls, kind: str, value: str) -> "Criterion":
        value = (value or "").strip()
        if kind not in KINDS:
            raise BadCriterion("Zoek op gespreknummer, e-mailadres, telefoonnummer of bestelnummer.")
        if not value or len(value) > 254:
            raise BadCriterion(f"Vul een {KINDS[kind]} in.")
        if kind == "conversation":
            if not CONVERSATION_ID.match(value.lower()):
                raise BadCriterion("Een gespreknummer bestaat uit 32 tekens (cijfers en a-f).")
            return cls(kind, value.lower())
        if kind == "email":
            if not EMAIL.fullmatch(value):
                raise BadCriterion("Dat is geen geldig e-mailadres.")
            return cls(kind, value.lower())
        if kind == "phone":
            try:
                return cls(kind, normalise_phone(value))
            except ContactError as exc:
                raise BadCriterion(str(exc)) from exc
        number = normalise_order_number(value)
        if number is None:
            raise BadCriterion("Een bestelnummer ziet eruit als WS-100001.")
        return cls(kind, number)

    @property
    def label(self) -> str:
        """What kind of request this was, without the personal data (for the audit line)."""
        return KINDS[self.kind]

    def in_text(self, text: str | None) -> bool:
        """Whether the text names exactly this customer: every address, number or order number in it is
        read whole and normalised, then compared; one that merely contains the requested one (jan.x@… for
        n.x@…) is someone else."""
        if not text:
            return False
        if self.kind == "email":
            return any(match.group(0).lower() == self.value for match in EMAIL.finditer(text))
        if self.kind == "order":
            return any(normalise_order_number(m.group(0)) == self.value for m in ORDER_NUMBER.finditer(text))
        if self.kind == "phone":
            for match in PHONE.finditer(text):
                try:
                    if normalise_phone(match.group(0)) == self.value:
                        return True
                except ContactError:
                    continue
        return False

    def needles(self) -> list[str]:
        """Plain texts to look for with LIKE; `in_text` then decides."""
        if self.kind == "email":
            return [self.value]
        if self.kind == "order":
            return [self.value[3:]]  # the six digits, whatever the customer typed around them
        if self.kind == "phone":
            return [self.value[-4:]]  # the last four digits are written together in every format
        return [self.value]


def conversation_ids(session: Session, criterion: Criterion, trackers: TrackerStore | None = None) -> list[str]:
    """Every conversation of this customer, oldest first."""
    if criterion.kind == "conversation":
        found = {criterion.value} if session.get(Conversation, criterion.value) is not None else set()
        if trackers is not None and trackers.events_of(criterion.value):
            found.add(criterion.value)
        return sorted(found)
    found: set[str] = set()
    like = [f"%{needle}%" for needle in criterion.needles()]
    rows = session.execute(select(Message.conversation_id, Message.text).where(
        or_(*[func.lower(Message.text).like(pattern) for pattern in like])))
    found.update(cid for cid, text in rows if criterion.in_text(text))
    callbacks = session.execute(select(Callback.conversation_id, Callback.contact).where(
        or_(*[func.lower(Callback.contact).like(pattern) for pattern in like])))
    found.update(cid for cid, contact in callbacks if criterion.in_text(contact) or (contact or "").lower() == criterion.value)
    if criterion.kind == "email":
        found.update(session.scalars(select(Conversation.id).where(func.lower(Conversation.customer_email) == criterion.value)))
    if trackers is not None:  # also conversations only Rasa saw (for example through `rasa shell`)
        found.update(sender for sender, data in trackers.mentioning(criterion.needles()) if criterion.in_text(data))
    created = dict(session.execute(select(Conversation.id, Conversation.created_at)
                                   .where(Conversation.id.in_(found))).all()) if found else {}
    return sorted(found, key=lambda cid: (created[cid].isoformat() if cid in created else "", cid))
