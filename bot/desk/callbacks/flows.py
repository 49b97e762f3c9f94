"""The customer's side of a callback (P8): the offer, phone or e-mail, the address, a window, the
confirmation. Runs in the desk, which knows the hours, who is online and how long the queue is.

Offered when nobody can help soon enough: outside business hours, with no agent online, when the
estimated wait is above MAX_WAIT_MINUTES at handoff, or once a customer has waited longer than that.
An agent online with room always wins: then there is no offer at all. Where the customer is in the
booking is explicit (`Awaiting.CALLBACK_*`), not guessed from the buttons or a draft row.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from bot.contact import ContactError, display_phone, normalise_email, normalise_phone
from bot.desk import wording
from bot.desk.callbacks import service
from bot.desk.agents.models import Agent
from bot.desk.callbacks.models import OUTCOMES, Callback
from bot.desk.conversations import service as conversations
from bot.desk.conversations.models import Conversation
from bot.desk.conversations.states import Awaiting, HandoffStatus
from bot.desk.db import utcnow
from bot.desk.errors import Conflict, Invalid
from bot.desk.handoffs import queue
from bot.desk.handoffs import service as handoffs
from bot.desk.handoffs.models import Handoff
from bot.desk.work import Work
from bot.hours import BusinessHours, Window, window_label

PHONE, EMAIL, DECLINE, CANCEL = "/callback_phone", "/callback_email", "/callback_decline", "/callback_cancel"
SLOT_PREFIX = "/callback_slot_"
CANCEL_BUTTON = {"title": "Toch niet", "payload": CANCEL}


def handles(payload: str | None) -> bool:
    return bool(payload) and (payload in (PHONE, EMAIL, DECLINE, CANCEL) or payload.startswith(SLOT_PREFIX))


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


# --- the offer ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Situation:
    """What decides about an offer, read once per transaction (not once per waiting customer)."""
    now: datetime
    hours: BusinessHours
    open_now: bool
    someone_online: bool
    seats_free: int


def situation(work: Work) -> Situation:
    if "situation" not in work.memo:
        settings, hours, now = work.settings, work.hours(), now_utc()
        work.memo["situation"] = Situation(
            now=now, hours=hours, open_now=hours.is_open(now),
            someone_online=bool(queue.figures(work)["online"]),
            seats_free=handoffs.free_seats(work.session, default_cap=settings.max_chats_per_agent,
                                           demo_mode=settings.demo_mode))
    return work.memo["situation"]


def offer_reason(work: Work, handoff: Handoff, seen: Situation) -> tuple[str, int | None] | None:
    """Why this waiting customer should be offered a callback now (with the estimated wait when that is
    the reason), or None."""
    if handoff.status != HandoffStatus.QUEUED or handoff.callback_offered_at is not None or seen.seats_free > 0:
        return None
    if not seen.open_now:
        return "closed", None
    if not seen.someone_online:
        return "no_agents", None
    max_wait = work.settings.max_wait_minutes
    minutes = queue.info(work, handoff).get("estimated_wait_minutes")
    if (minutes or 0) > max_wait:
        return "long_wait", minutes
    waited = service.aware(handoff.created_at) if handoff.created_at else seen.now
    if seen.now - waited > timedelta(minutes=max_wait):
        return "waited_long", None
    return None


def _buttons(seen: Situation) -> list[dict[str, str]]:
    decline = "Ik wacht liever" if seen.someone_online and seen.open_now else "Nee, dank je"
    return [{"title": "Bel me terug", "payload": PHONE}, {"title": "Mail me", "payload": EMAIL},
            {"title": decline, "payload": DECLINE}]


def offer_for(work: Work, handoff: Handoff) -> dict[str, Any] | None:
    """The offer for a waiting handoff, or None when someone can help soon. Marks it as offered."""
    seen = situation(work)
    found = offer_reason(work, handoff, seen)
    if found is None:
        return None
    reason, minutes = found
    handoff.callback_offered_at = utcnow()
    conversations.record_event(work.session, conversation=work.session.get(Conversation, handoff.conversation_id),
                               kind="callback_offered", actor="desk", data={"handoff_id": handoff.id, "reason": reason})
    return {"reason": reason, "text": wording.callback_offer(reason, minutes=minutes, hours=seen.hours, now=seen.now),
            "buttons": _buttons(seen)}


def offer_to_waiters(work: Work, *, joined_before: datetime | None = None) -> int:
    """Customers still waiting who should now be offered a callback (waited too long, nobody left,
    closing time). Each handoff is offered once. Returns how many were offered. `joined_before`: only
    handoffs made before then (the periodic check leaves a new one to its own follow-up, which tells the
    customer where they stand first)."""
    offered = 0
    for handoff in queue.waiting(work.session):
        if joined_before is not None and handoff.created_at >= joined_before:
            continue
        offer = offer_for(work, handoff)
        if offer is None:
            continue
        conversation = work.session.get(Conversation, handoff.conversation_id)
        conversations.say(work, conversation, offer["text"], offer["buttons"])
        conversations.await_answer(work, conversation, Awaiting.CALLBACK_CHOICE)
        offered += 1
    return offered


# --- the customer's answers ------------------------------------------------------------------------------
def _slot_buttons(windows: list[Window]) -> list[dict[str, str]]:
    return [{"title": window_label(w), "payload": SLOT_PREFIX + w.key} for w in windows] + [CANCEL_BUTTON]


def _waiting_info(work: Work, handoff: Handoff | None) -> dict[str, Any] | None:
    return queue.info(work, handoff) if handoff is not None and handoff.status == HandoffStatus.QUEUED else None


def _still_waiting(work: Work, handoff: Handoff | None, *, cancelled: bool = False) -> str:
    seen = situation(work)
    return wording.still_waiting(open_now=seen.open_now, agents_online=seen.someone_online, hours=seen.hours,
                                 now=seen.now, info=_waiting_info(work, handoff), cancelled=cancelled)


def answer(work: Work, conversation: Conversation, payload: str) -> None:
    """A callback button the desk offered in this conversation (checked by the caller)."""
    handoff = queue.open_handoff(work.session, conversation_id=conversation.id)
    if handoff is None or handoff.status != HandoffStatus.QUEUED:
        service.cancel_drafts(work.session, conversation_id=conversation.id)
        conversations.say(work, conversation, wording.ALREADY_PICKED_UP)
    elif payload in (PHONE, EMAIL):
        channel = "phone" if payload == PHONE else "email"
        service.start_draft(work.session, handoff=handoff, channel=channel)
        conversations.say(work, conversation, wording.ask_contact(channel), [CANCEL_BUTTON])
        conversations.await_answer(work, conversation, Awaiting.CALLBACK_CONTACT)
    elif payload in (DECLINE, CANCEL):
        service.cancel_drafts(work.session, conversation_id=conversation.id)
        conversations.say(work, conversation, _still_waiting(work, handoff, cancelled=payload == CANCEL))
        conversations.await_answer(work, conversation, Awaiting.NOTHING)
    else:
        _book(work, conversation, payload.removeprefix(SLOT_PREFIX))


def _book(work: Work, conversation: Conversation, key: str) -> None:
    hours, now = work.hours(), now_utc()
    callback = service.draft(work.session, conversation_id=conversation.id)
    if callback is None or callback.contact is None:
        conversations.say(work, conversation, wording.CHOOSE_CHANNEL_FIRST, _buttons(situation(work)))
        conversations.await_answer(work, conversation, Awaiting.CALLBACK_CHOICE)
        return
    windows = service.free_windows(work.session, hours, now)
    chosen = [w for w in windows if w.key == key]
    if not chosen:
        conversations.say(work, conversation, wording.WINDOW_GONE, _slot_buttons(windows))
        return
    service.book(work, callback=callback, window=chosen[0])
    conversations.say(work, conversation, confirmation(hours, callback, now))


def confirmation(hours: BusinessHours, callback: Callback, now: datetime) -> str:
    start, end = hours.local(service.aware(callback.slot_start)), hours.local(service.aware(callback.slot_end))
    contact = display_phone(callback.contact) if callback.channel == "phone" else callback.contact
    return wording.callback_confirmation(channel=callback.channel, contact=contact, start=start, end=end,
                                         today=hours.local(now).date())


def contact(work: Work, conversation: Conversation, text: str) -> None:
    """The phone number or e-mail address the customer typed after choosing a channel."""
    callback = service.draft(work.session, conversation_id=conversation.id)
    if callback is None:  # the draft was dropped meanwhile (an agent took over): nothing to book
        conversations.await_answer(work, conversation, Awaiting.NOTHING)
        return
    try:
        callback.contact = normalise_phone(text) if callback.channel == "phone" else normalise_email(text)
    except ContactError as error:
        conversations.say(work, conversation, str(error), [CANCEL_BUTTON])
        return
    windows = service.free_windows(work.session, work.hours(), now_utc())
    if windows:
        conversations.say(work, conversation, wording.ask_window(callback.channel), _slot_buttons(windows))
        conversations.await_answer(work, conversation, Awaiting.CALLBACK_SLOT)
        return
    service.cancel_drafts(work.session, conversation_id=conversation.id)
    handoff = queue.open_handoff(work.session, conversation_id=conversation.id)
    conversations.say(work, conversation, f"{wording.WINDOWS_FULL} {_still_waiting(work, handoff)}")
    conversations.await_answer(work, conversation, Awaiting.NOTHING)


# --- the agent's side -----------------------------------------------------------------------------------
def record_outcome(work: Work, callback_id: int, agent_id: int, outcome: str, note: str) -> dict[str, Any]:
    """Called or mailed back: the outcome, and the callback leaves the open list."""
    if outcome not in OUTCOMES:
        raise Invalid("Kies een uitkomst: " + ", ".join(OUTCOMES.values()) + ".")
    callback = service.booked(work.session, callback_id)
    if callback.status != "scheduled":
        raise Conflict("Voor dit terugbelverzoek is de uitkomst al vastgelegd.")
    service.record_outcome(work, callback=callback, agent=work.session.get(Agent, agent_id), outcome=outcome, note=note)
    return service.summary(work.session, work.hours(), callback)
