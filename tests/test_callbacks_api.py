"""Callbacks over real HTTP on SQLite and PostgreSQL: the offer, the Dutch questions and errors, the
booking with its context, the agents' list with overdue ones, and the outcome (P8)."""
from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta

import requests
from sqlalchemy import create_engine, select, update

from bot.desk.callbacks.models import Callback
from bot.desk.conversations.models import ConversationEvent
from bot.desk.db import utcnow
from bot.desk.handoffs.models import Handoff
from tests.desk_support import Customer, desk, login, project, rasa  # noqa: F401 - fixtures


def buttons(reply: dict) -> list[str]:
    return [b["payload"] for b in reply["replies"][-1].get("buttons") or []]


def sql(desk, statement):
    engine = create_engine(desk.database_url, future=True)
    with engine.begin() as conn:
        result = conn.execute(statement)
        rows = result.all() if result.returns_rows else None
    engine.dispose()
    return rows


def book_by_phone(customer: Customer) -> dict:
    offer = customer.say("Ik wil een mens spreken").json()
    assert buttons(offer)[:2] == ["/callback_phone", "/callback_email"]
    asked = customer.say("Bel me terug", payload="/callback_phone").json()
    assert asked["replies"][0]["text"] == "Op welk telefoonnummer kunnen we je bellen?"
    return customer.say("06-12345678").json()


def test_with_nobody_online_a_booked_callback_reaches_the_agents_list_with_its_context(desk, rasa):
    customer = Customer(desk)
    offer = customer.say("Ik wil een mens spreken").json()
    assert "geen collega beschikbaar" in offer["replies"][-1]["text"]
    customer.say("Bel me terug", payload="/callback_phone")
    wrong = customer.say("0612").json()
    assert wrong["state"] == "queued" and "10 cijfers" in wrong["replies"][0]["text"]
    assert buttons(wrong) == ["/callback_cancel"]
    slots = customer.say("06-12345678").json()
    assert slots["replies"][0]["text"].startswith("Dank je. Wanneer komt het je uit?")
    offered = slots["replies"][0]["buttons"]
    assert 2 <= len(offered) <= 10 and offered[-1]["payload"] == "/callback_cancel"
    assert customer.say("nu", payload="/callback_slot_209901010830").status_code == 422  # never offered
    chosen = offered[0]
    confirmed = customer.say(chosen["title"], payload=chosen["payload"]).json()
    text = confirmed["replies"][0]["text"]
    assert confirmed["state"] == "closed" and text.startswith("Afgesproken: we bellen je ")
    assert "op 06 12 34 56 78" in text and "niets opnieuw uit te leggen" in text

    anna = login(desk, "anna", "wachtwoord-anna")
    assert requests.get(desk.url + "/api/handoffs", headers=anna).json()["queue"] == []  # no longer waiting in chat
    [listed] = requests.get(desk.url + "/api/callbacks", headers=anna).json()["open"]
    assert listed["contact"] == "06 12 34 56 78" and listed["channel"] == "phone" and listed["due"] == chosen["title"]
    assert listed["reason"] == "customer_request" and listed["summary"] == "Klant wil een medewerker spreken."
    assert listed["overdue"] is False
    detail = requests.get(f"{desk.url}/api/callbacks/{listed['id']}", headers=anna).json()
    assert detail["context"]["topics"] == ["request_human"]
    assert "Ik wil een mens spreken" in [m["text"] for m in detail["messages"]]

    # The window passes without a call: the list says it is overdue.
    sql(desk, update(Callback).where(Callback.id == listed["id"]).values(slot_end=utcnow() - timedelta(minutes=5)))
    [late] = requests.get(desk.url + "/api/callbacks", headers=anna).json()["open"]
    assert late["overdue"] is True

    path = f"{desk.url}/api/callbacks/{listed['id']}/outcome"
    assert requests.post(path, json={"outcome": "gebeld"}, headers=anna).status_code == 422
    done = requests.post(path, json={"outcome": "solved", "note": "Pakket opnieuw verstuurd"}, headers=anna)
    assert done.status_code == 200 and done.json()["outcome_label"] == "Geholpen, opgelost"
    again = requests.post(path, json={"outcome": "not_reached"}, headers=anna)
    assert again.status_code == 409 and "al vastgelegd" in again.json()["detail"]
    lists = requests.get(desk.url + "/api/callbacks", headers=anna).json()
    assert lists["open"] == [] and [c["outcome_note"] for c in lists["done"]] == ["Pakket opnieuw verstuurd"]
    [(data,)] = sql(desk, select(ConversationEvent.data).where(ConversationEvent.kind == "callback_outcome"))
    assert data["outcome"] == "solved" and data["on_time"] is False


def test_an_email_callback_catches_slips_and_confirms_the_address(desk, rasa):
    customer = Customer(desk)
    customer.say("Ik wil een mens spreken")
    asked = customer.say("Mail me", payload="/callback_email").json()
    assert asked["replies"][0]["text"] == "Op welk e-mailadres kunnen we je antwoorden?"
    slip = customer.say("jan@gmail.con").json()
    assert slip["replies"][0]["text"].startswith("Bedoel je jan@gmail.com?")
    slots = customer.say("jan@gmail.com").json()
    chosen = slots["replies"][0]["buttons"][1]
    confirmed = customer.say(chosen["title"], payload=chosen["payload"]).json()
    assert "Afgesproken: we mailen je " in confirmed["replies"][0]["text"]
    assert "naar jan@gmail.com" in confirmed["replies"][0]["text"]


def test_toch_niet_keeps_the_customer_in_line_and_nothing_is_booked(desk, rasa):
    customer = Customer(desk)
    customer.say("Ik wil een mens spreken")
    customer.say("Bel me terug", payload="/callback_phone")
    back = customer.say("Toch niet", payload="/callback_cancel").json()
    assert back["state"] == "queued" and back["replies"][0]["text"].startswith("Geen probleem.")
    assert customer.say("0612345678").json()["replies"] == []  # now just a message for the agent
    assert sql(desk, select(Callback.status)) == [("cancelled",)]


def test_an_agent_who_takes_over_ends_a_half_finished_booking(desk, rasa):
    customer = Customer(desk)
    slots = book_by_phone(customer)
    anna = login(desk, "anna", "wachtwoord-anna")
    requests.post(desk.url + "/api/agent/status", json={"status": "online"}, headers=anna)
    assert customer.history()["state"] == "agent"
    chosen = slots["replies"][0]["buttons"][0]
    late = customer.say(chosen["title"], payload=chosen["payload"]).json()  # no longer accepted: told kindly
    assert late["replies"][0]["text"] == "Een collega heeft je gesprek inmiddels opgepakt; die helpt je hier verder."
    assert late["valid_payloads"] == [] and late["state"] == "agent"
    assert sql(desk, select(Callback.status)) == [("cancelled",)]


def test_outside_business_hours_the_customer_hears_when_the_team_is_back(desk, rasa, closed_today):
    customer = Customer(desk)
    offer = customer.say("Ik wil een mens spreken").json()
    text = offer["replies"][-1]["text"]
    assert text.startswith("Vandaag is het Teamdag. Ons team is er weer ") and "terugbellen of mailen" in text
    assert offer["replies"][-1]["buttons"][-1]["title"] == "Nee, dank je"
    declined = customer.say("Nee, dank je", payload="/callback_decline").json()
    assert "Je vraag blijft bewaard voor het team. Vandaag is het Teamdag." in declined["replies"][0]["text"]


def test_a_long_queue_offers_a_callback_at_once_and_waiting_stays_possible(desk, rasa):
    desk.app.state.settings = replace(desk.app.state.settings, max_chats_per_agent=1, max_wait_minutes=0)
    anna = login(desk, "anna", "wachtwoord-anna")
    requests.post(desk.url + "/api/agent/status", json={"status": "online"}, headers=anna)
    first, second = Customer(desk), Customer(desk)
    assert first.say("Ik wil een mens spreken").json()["state"] == "agent"
    offer = second.say("Ik wil een mens spreken").json()
    assert "erg druk" in offer["replies"][-1]["text"] and offer["replies"][-1]["buttons"][-1]["title"] == "Ik wacht liever"
    stay = second.say("Ik wacht liever", payload="/callback_decline").json()
    assert stay["replies"][0]["text"].startswith("Prima, je blijft in de rij. Je bent als eerste aan de beurt")


def test_a_customer_who_waited_too_long_is_offered_a_callback_once(desk, rasa):
    desk.app.state.settings = replace(desk.app.state.settings, max_chats_per_agent=1, max_wait_minutes=15)
    anna = login(desk, "anna", "wachtwoord-anna")
    requests.post(desk.url + "/api/agent/status", json={"status": "online"}, headers=anna)
    first, second = Customer(desk), Customer(desk)
    first.say("Ik wil een mens spreken")
    queued = second.say("Ik wil een mens spreken").json()
    assert "als eerste aan de beurt" in queued["replies"][-1]["text"] and not buttons(queued)  # short wait: no offer yet
    sql(desk, update(Handoff).where(Handoff.conversation_id == second.id)
        .values(created_at=utcnow() - timedelta(minutes=20)))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "Sorry dat je zo lang" not in second.history()["messages"][-1]["text"]:
        time.sleep(0.2)
    last = second.history()["messages"][-1]
    assert last["text"].startswith("Sorry dat je zo lang moet wachten") and last["buttons"][0]["payload"] == "/callback_phone"
    time.sleep(1)  # the check runs every 0.3 s here: still one offer
    assert sum("Sorry dat je zo lang" in m["text"] for m in second.history()["messages"]) == 1


def test_a_full_window_is_no_longer_offered(database_url):
    """Service level: once `per_slot` callbacks are booked in a window, it disappears from the choice."""
    from datetime import datetime, timezone

    from bot.desk.callbacks import service
    from bot.desk.conversations import service as conversations
    from bot.desk.db import make_engine, make_sessionmaker
    from bot.desk.handoffs import service as handoffs
    from bot.hours import BusinessHours
    from tests.work_support import work_for

    hours = BusinessHours.from_mapping({"hours": {"monday": "09:00-17:00", "tuesday": "09:00-17:00"},
                                        "callbacks": {"slot_minutes": 120, "per_slot": 2, "lead_minutes": 0}})
    now = datetime(2030, 1, 7, 7, 0, tzinfo=timezone.utc)  # monday 8:00 in Amsterdam
    engine = make_engine(database_url)
    with make_sessionmaker(engine)() as session:
        first = hours.callback_windows(now)[0]
        for _ in range(2):
            conversation, _token = conversations.start_conversation(session)
            work = work_for(session)
            handoff, _ = handoffs.create_or_get(work, conversation=conversation, actor="bot",
                                                context={"reason": "customer_request", "summary": "x"})
            callback = service.start_draft(session, handoff=handoff, channel="phone")
            callback.contact = "+31612345678"
            assert first in service.free_windows(session, hours, now)
            service.book(work, callback=callback, window=first)
        session.commit()
        assert first not in service.free_windows(session, hours, now)
        assert hours.callback_windows(now)[0] == first  # without bookings it would be the first choice
    engine.dispose()
