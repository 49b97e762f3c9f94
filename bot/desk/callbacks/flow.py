"""The customer's side of a callback (P8): the offer, phone or e-mail, the address, a window, the
confirmation. Runs in the desk, which knows the hours, who is online and how long the queue is.

Offered when nobody can help soon enough: outside business hours, with no agent online, when the
estimated wait is above MAX_WAIT_MINUTES at handover, or once a customer has waited longer than that.
An agent online with room always wins: then there is no offer at all.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from fastapi import FastAPI

from bot import hours as business_hours
from bot.contact import ContactError, display_phone, normalise_email, normalise_phone
from bot.desk import routing
from bot.desk.callbacks import service
from bot.desk.callbacks.models import Callback
from bot.desk.conversations import service as conversations
from bot.desk.conversations.models import Conversation
from bot.desk.db import utcnow
from bot.desk.deps import db
from bot.desk.handoffs import service as handoffs
from bot.desk.handoffs.models import Handoff
from bot.handoff import wait_sentence
from bot.hours import BusinessHours, HoursError, Window, clock, day_phrase, window_label

logger = logging.getLogger(__name__)

PHONE, EMAIL, DECLINE, CANCEL = "/callback_phone", "/callback_email", "/callback_decline", "/callback_cancel"
SLOT_PREFIX = "/callback_slot_"
CANCEL_BUTTON = {"title": "Toch niet", "payload": CANCEL}


def handles(payload: str | None) -> bool:
    return bool(payload) and (payload in (PHONE, EMAIL, DECLINE, CANCEL) or payload.startswith(SLOT_PREFIX))


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def current_hours(app: FastAPI) -> BusinessHours:
    """The hours file as it is now; a broken edit keeps the last good version (and says so in the log)."""
    try:
        app.state.hours = business_hours.load()
    except HoursError as exc:
        logger.error("business hours not reloaded, keeping the previous ones: %s", exc)
    return app.state.hours


# --- the offer ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Situation:
    """What decides about an offer, read once per check (not once per waiting customer)."""
    now: datetime
    hours: BusinessHours
    open_now: bool
    someone_online: bool
    seats_free: int


def situation(session, app: FastAPI) -> Situation:
    settings, hours, now = app.state.settings, current_hours(app), now_utc()
    return Situation(now=now, hours=hours, open_now=hours.is_open(now),
                     someone_online=bool(handoffs.online_agents(session, demo_mode=settings.demo_mode)),
                     seats_free=handoffs.free_seats(session, default_cap=settings.max_chats_per_agent,
                                                    demo_mode=settings.demo_mode))


def offer_reason(session, app: FastAPI, handoff: Handoff, seen: Situation) -> tuple[str, int | None] | None:
    """Why this waiting customer should be offered a callback now (with the estimated wait when that is
    the reason), or None."""
    if handoff.status != "queued" or handoff.callback_offered_at is not None or seen.seats_free > 0:
        return None
    if not seen.open_now:
        return "closed", None
    if not seen.someone_online:
        return "no_agents", None
    max_wait = app.state.settings.max_wait_minutes
    minutes = handoffs.estimated_wait_minutes(session, queue_position=handoffs.position(session, handoff=handoff))
    if (minutes or 0) > max_wait:
        return "long_wait", minutes
    waited = service.aware(handoff.created_at) if handoff.created_at else seen.now
    if seen.now - waited > timedelta(minutes=max_wait):
        return "waited_long", None
    return None


def _offer_text(reason: str, minutes: int | None, seen: Situation) -> str:
    ask = "Wil je dat we je terugbellen of mailen op een moment dat jou past?"
    if reason == "closed":
        return f"{seen.hours.back_sentence(seen.now)} {ask} Je vraag en ons hele gesprek gaan mee."
    if reason == "no_agents":
        return f"Er is op dit moment helaas geen collega beschikbaar in de chat. {ask}"
    if reason == "long_wait":
        return f"Het is nu erg druk: de wachttijd is ongeveer {minutes} minuten. {ask} Je mag ook blijven wachten."
    return f"Sorry dat je zo lang moet wachten. {ask} Je mag ook blijven wachten."


def _buttons(seen: Situation) -> list[dict[str, str]]:
    decline = "Ik wacht liever" if seen.someone_online and seen.open_now else "Nee, dank je"
    return [{"title": "Bel me terug", "payload": PHONE}, {"title": "Mail me", "payload": EMAIL},
            {"title": decline, "payload": DECLINE}]


def offer_at_handover(session, app: FastAPI, handoff: Handoff, seen: Situation | None = None) -> dict[str, Any] | None:
    """The offer for a waiting handoff, or None when someone can help soon. Marks it as offered."""
    seen = seen or situation(session, app)
    found = offer_reason(session, app, handoff, seen)
    if found is None:
        return None
    reason, minutes = found
    handoff.callback_offered_at = utcnow()
    conversations.record_event(session, conversation=session.get(Conversation, handoff.conversation_id),
                               kind="callback_offered", actor="desk", data={"handoff_id": handoff.id, "reason": reason})
    return {"reason": reason, "text": _offer_text(reason, minutes, seen), "buttons": _buttons(seen)}


async def offer_to_waiters(app: FastAPI) -> int:
    """Customers still waiting who should now be offered a callback (waited too long, nobody left,
    closing time). Each handoff is offered once. Returns how many were offered."""
    pushes = []
    with db(app) as session:
        seen = situation(session, app)
        for handoff in handoffs.queue(session):
            offer = offer_at_handover(session, app, handoff, seen)
            if offer is None:
                continue
            conversation = session.get(Conversation, handoff.conversation_id)
            pushes.append((conversation.id, _system(session, conversation, offer["text"], offer["buttons"])))
    for conversation_id, message in pushes:
        await app.state.hub.to_customer(conversation_id, {"type": "message", "message": message})
    return len(pushes)


async def keep_offering(app: FastAPI, every_seconds: float) -> None:
    """Background loop of the desk: offers callbacks to customers who have waited too long."""
    while True:
        await asyncio.sleep(every_seconds)
        try:
            await offer_to_waiters(app)
        except Exception:  # noqa: BLE001 - the loop must survive a database hiccup
            logger.exception("callback offer check failed")


# --- the customer's answers ------------------------------------------------------------------------------
def _system(session, conversation: Conversation, text: str, buttons: list[dict] | None = None) -> dict[str, Any]:
    return conversations.system_message(session, conversation=conversation, text=text, buttons=buttons)


def awaits_contact(session, conversation: Conversation) -> bool:
    callback = service.draft(session, conversation_id=conversation.id)
    return callback is not None and callback.contact is None


def _slot_buttons(windows: list[Window]) -> list[dict[str, str]]:
    return [{"title": window_label(w), "payload": SLOT_PREFIX + w.key} for w in windows] + [CANCEL_BUTTON]


def confirmation(hours: BusinessHours, callback: Callback, now: datetime) -> str:
    start, end = hours.local(service.aware(callback.slot_start)), hours.local(service.aware(callback.slot_end))
    when = f"{day_phrase(start.date(), hours.local(now).date())} tussen {clock(start)} en {clock(end)}"
    how = f"we bellen je {when} op {display_phone(callback.contact)}" if callback.channel == "phone" \
        else f"we mailen je {when} naar {callback.contact}"
    return (f"Afgesproken: {how}. Onze collega heeft ons hele gesprek erbij, dus je hoeft niets opnieuw uit te "
            "leggen. Je kunt dit venster gerust sluiten.")


def _still_waiting_text(session, app: FastAPI, handoff: Handoff | None) -> str:
    hours, now = current_hours(app), now_utc()
    if handoff is None or handoff.status != "queued":
        return "Prima."
    if not hours.is_open(now):
        return f"Prima. Je vraag blijft bewaard voor het team. {hours.back_sentence(now)}"
    if not handoffs.online_agents(session, demo_mode=app.state.settings.demo_mode):
        return "Prima. Je vraag blijft bewaard; zodra er een collega beschikbaar is, gaat die hier verder."
    position = handoffs.position(session, handoff=handoff)
    return ("Prima, je blijft in de rij. " + wait_sentence(
        position, handoffs.estimated_wait_minutes(session, queue_position=position), handoffs.estimate_is_rough(session))).strip()


async def answer(app: FastAPI, conversation_id: str, payload: str) -> dict[str, Any]:
    """A callback button the desk offered in this conversation (checked by the caller)."""
    booked = False
    with db(app) as session:
        conversation = session.get(Conversation, conversation_id)
        handoff = handoffs.open_handoff(session, conversation_id=conversation_id)
        waiting = handoff is not None and handoff.status == "queued"
        if not waiting:
            service.cancel_drafts(session, conversation_id=conversation_id)
            stored = _system(session, conversation, "Een collega heeft je gesprek inmiddels opgepakt; die helpt je hier verder.")
        elif payload in (PHONE, EMAIL):
            channel = "phone" if payload == PHONE else "email"
            service.start_draft(session, handoff=handoff, channel=channel)
            question = "Op welk telefoonnummer kunnen we je bellen?" if channel == "phone" \
                else "Op welk e-mailadres kunnen we je antwoorden?"
            stored = _system(session, conversation, question, [CANCEL_BUTTON])
        elif payload in (DECLINE, CANCEL):
            service.cancel_drafts(session, conversation_id=conversation_id)
            prefix = "Geen probleem. " if payload == CANCEL else ""
            stored = _system(session, conversation, prefix + _still_waiting_text(session, app, handoff))
        else:
            stored, booked = _book(session, app, conversation, payload.removeprefix(SLOT_PREFIX))
    if booked:
        await routing.push_state(app, conversation_id, "closed")
        await app.state.hub.to_agents({"type": "callbacks_changed"})
        await routing.notify_queue(app)
    return {"replies": [routing.reply_of(stored)], **routing.customer_state(app, conversation_id)}


def _book(session, app: FastAPI, conversation: Conversation, key: str) -> tuple[dict[str, Any], bool]:
    hours, now = current_hours(app), now_utc()
    callback = service.draft(session, conversation_id=conversation.id)
    if callback is None or callback.contact is None:
        return _system(session, conversation, "Kies eerst of we je bellen of mailen.",
                       _buttons(situation(session, app))), False
    windows = service.free_windows(session, hours, now)
    chosen = [w for w in windows if w.key == key]
    if not chosen:
        return _system(session, conversation, "Dat moment is net vol geraakt of voorbij. Kies een ander moment:",
                       _slot_buttons(windows)), False
    service.book(session, callback=callback, window=chosen[0])
    return _system(session, conversation, confirmation(hours, callback, now)), True


async def contact(app: FastAPI, conversation_id: str, text: str) -> dict[str, Any]:
    """The phone number or e-mail address the customer typed after choosing a channel."""
    with db(app) as session:
        conversation = session.get(Conversation, conversation_id)
        callback = service.draft(session, conversation_id=conversation_id)
        try:
            callback.contact = normalise_phone(text) if callback.channel == "phone" else normalise_email(text)
        except ContactError as error:
            stored = _system(session, conversation, str(error), [CANCEL_BUTTON])
        else:
            windows = service.free_windows(session, current_hours(app), now_utc())
            if windows:
                verb = "bellen" if callback.channel == "phone" else "mailen"
                stored = _system(session, conversation, f"Dank je. Wanneer komt het je uit? Kies een moment, dan {verb} "
                                                        "we je in dat tijdvak.", _slot_buttons(windows))
            else:
                service.cancel_drafts(session, conversation_id=conversation_id)
                stored = _system(session, conversation, "Het spijt me, de komende dagen zijn alle terugbelmomenten vol. "
                                 + _still_waiting_text(session, app, handoffs.open_handoff(
                                     session, conversation_id=conversation_id)))
    return {"replies": [routing.reply_of(stored)], **routing.customer_state(app, conversation_id)}
