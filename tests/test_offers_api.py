"""Which buttons the desk accepts, over real HTTP on SQLite and PostgreSQL: every answer and read says which
stand now (the widget shows only those); a button pressed after the conversation moved on gets a friendly
line instead of an error, and a late satisfaction rating is kept once."""
from __future__ import annotations

import requests
from sqlalchemy import create_engine, select

from bot.desk.conversations.models import ConversationEvent
from tests.desk_support import Customer, desk, login, project, rasa  # noqa: F401 - fixtures


def ratings(desk) -> list[tuple[str, dict]]:
    engine = create_engine(desk.database_url, future=True)
    with engine.connect() as conn:
        rows = conn.execute(select(ConversationEvent.kind, ConversationEvent.data)
                            .where(ConversationEvent.kind.like("satisfaction%")).order_by(ConversationEvent.id)).all()
    engine.dispose()
    return [(kind, data) for kind, data in rows]


def resolved_by_anna(desk) -> Customer:
    customer = Customer(desk)
    customer.say("mens graag")
    anna = login(desk, "anna", "wachtwoord-anna")
    [handoff] = requests.get(desk.url + "/api/handoffs", headers=anna).json()["queue"]
    requests.post(f"{desk.url}/api/handoffs/{handoff['id']}/claim", headers=anna)
    requests.post(f"{desk.url}/api/handoffs/{handoff['id']}/resolve", headers=anna)
    return customer


def test_the_callback_offer_stands_while_waiting_and_ends_when_an_agent_takes_over(desk, rasa):
    customer = Customer(desk)
    offer = customer.say("Ik wil een mens spreken").json()  # nobody online: a callback is offered
    offered = [b["payload"] for b in offer["replies"][-1]["buttons"]]
    assert offered[:2] == ["/callback_phone", "/callback_email"] and offer["valid_payloads"] == offered
    assert customer.history()["valid_payloads"] == offered
    anna = login(desk, "anna", "wachtwoord-anna")
    requests.post(desk.url + "/api/agent/status", json={"status": "online"}, headers=anna)
    now = customer.history()
    assert now["state"] == "agent" and now["valid_payloads"] == []
    late = customer.say("Bel me terug", payload="/callback_phone")
    assert late.status_code == 200
    assert late.json()["replies"][0]["text"] == "Een collega heeft je gesprek inmiddels opgepakt; die helpt je hier verder."


def test_the_satisfaction_question_ends_with_another_turn_and_a_late_rating_is_kept_once(desk, rasa):
    customer = resolved_by_anna(desk)
    assert customer.history()["valid_payloads"] == ["/solved_yes", "/solved_no"]
    asked = customer.say("Ja, opgelost", payload="/solved_yes").json()
    assert asked["valid_payloads"] == [f"/score_{n}" for n in range(1, 6)]
    moved_on = customer.say("knop graag").json()  # another question, for the bot: its buttons stand now
    assert moved_on["state"] == "bot" and moved_on["valid_payloads"] == ["/affirm", "/deny"]

    late = customer.say("4 ★★★★", payload="/score_4")
    assert late.status_code == 200
    assert late.json()["replies"][0]["text"] == "Dank je voor je beoordeling, die hebben we alsnog bewaard."
    assert late.json()["valid_payloads"] == ["/affirm", "/deny"]  # the bot's question still stands
    again = customer.say("5 ★★★★★", payload="/score_5").json()
    assert again["replies"][0]["text"] == "Die vraag had je al beantwoord. Dank je!"
    assert [(kind, data.get("solved"), data.get("score")) for kind, data in ratings(desk)] == [
        ("satisfaction", True, None), ("satisfaction_score", None, 4)]
    assert ratings(desk)[1][1]["late"] is True
    assert "/score_4" not in [m["message"] for m in rasa.received]  # the rating never reached the bot
    assert customer.say("Ja", payload="/affirm").status_code == 200 and rasa.received[-1]["message"] == "/affirm"


def test_a_late_answer_to_is_it_solved_is_kept_and_the_conversation_stays_where_it_is(desk, rasa):
    customer = resolved_by_anna(desk)
    customer.say("nog een vraag")  # back to the bot, the question left unanswered
    late = customer.say("Nee, nog niet", payload="/solved_no").json()
    assert late["state"] == "bot" and late["replies"][0]["text"].startswith("Wat vervelend dat het nog niet is opgelost.")
    assert [(kind, data["solved"]) for kind, data in ratings(desk)] == [("satisfaction", False)]


def test_a_button_never_offered_in_this_conversation_is_still_refused(desk, rasa):
    customer = resolved_by_anna(desk)
    assert customer.say("5", payload="/score_5").status_code == 422  # never shown to this customer
    assert customer.say("nu", payload="/callback_slot_209901010830").status_code == 422
    assert ratings(desk) == []
