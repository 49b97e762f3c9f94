"""Custom actions with tracker fixtures and the demo shop in SQLite. A handover is a custom payload in the
reply (the desk reads it); the actions never call the desk."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.fallback import ActionHandleFallback
from actions.forms import ValidateOrderStatusForm, ValidateReturnForm
from actions.handoff import ActionHandoff
from actions.orders import ActionCheckDeadline, ActionCheckOrderStatus
from actions.other_order import ActionAskOrderNumber
from actions.returns import ActionRegisterReturn
from bot.signing import sign_customer
from bot.webshop.base import Order, OrderItem
from bot.webshop.demo import demo_orders
from bot.webshop.sql import SqlWebshop
from tests.conftest import free_port

TRACKERS = Path(__file__).parent / "data" / "trackers"
DOMAIN = {"slots": {name: {} for name in ("order_number", "postcode", "order_verified", "order_lookup_attempts",
                                          "order_facts", "bot_actions", "requested_slot")},
          "forms": {"order_status_form": {"required_slots": ["order_number", "postcode"]}}}


@pytest.fixture
def shop(monkeypatch, tmp_path):
    shop = SqlWebshop(f"sqlite:///{tmp_path / 'shop.db'}")
    shop.create_tables()
    shop.upsert_orders(demo_orders())
    monkeypatch.setenv("SHOP_DATABASE_URL", f"sqlite:///{tmp_path / 'shop.db'}")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'shop.db'}")
    monkeypatch.delenv("SHOP_URL", raising=False)
    services.webshop.cache_clear()
    yield shop
    services.webshop.cache_clear()


def handoffs(messages):
    """The handovers an action signalled to the desk (custom payloads in its reply)."""
    return [m["custom"]["handoff"] for m in messages if (m.get("custom") or {}).get("handoff")]


def user(text, intent="order_status", **extra):
    return {"event": "user", "text": text, "timestamp": 1795420800.0,
            "parse_data": {"intent": {"name": intent, "confidence": 0.9}, "entities": [], **extra}}


def form_turn(text, **slots):
    """A user message and the slot events Rasa's form sends for validation."""
    return [user(text, "inform")] + [{"event": "slot", "name": k, "value": v} for k, v in slots.items()]


def make_tracker(events, slots=None, active_loop=None, sender="conv-1"):
    users = [e for e in events if e["event"] == "user"]
    latest = users[-1] if users else {"parse_data": {}}
    message = {"text": latest.get("text"), **latest.get("parse_data", {})}
    return Tracker(sender, dict(slots or {}), message, events, False, None, active_loop or {}, "action_listen")


def from_fixture(name):
    data = json.loads((TRACKERS / name).read_text())
    return Tracker(data["sender_id"], data["slots"], data["latest_message"], data["events"], False, None,
                   data["active_loop"], "action_listen")


async def run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, DOMAIN)
    return dispatcher.messages, events


def texts(messages):
    return " ".join(m.get("text") or "" for m in messages)


def slot(events, name):
    values = [e["value"] for e in events if e.get("event") == "slot" and e.get("name") == name]
    return values[-1] if values else "<unset>"


async def test_parcel_status_gives_carrier_tracking_and_tomorrows_window(shop):
    tracker = make_tracker([user("Waar is mijn pakket? WS-100001, postcode 1234AB")],
                           {"order_number": "WS-100001", "postcode": "1234 AB", "order_verified": True})
    messages, events = await run(ActionCheckOrderStatus(), tracker)
    said = texts(messages)
    assert "PostNL" in said and "morgen tussen 10:00 en 12:00" in said and "3SBAL1000012345" in said
    assert handoffs(messages) == []
    assert "Onderweg met PostNL" in slot(events, "bot_actions")[-1]


async def test_a_deadline_the_parcel_makes_is_confirmed_without_handoff(shop):
    tracker = make_tracker([user("waar blijft WS-100001, mijn zus vertrekt morgenochtend")],
                           {"order_number": "WS-100001", "postcode": "1234 AB", "order_verified": True})
    messages, _ = await run(ActionCheckOrderStatus(), tracker)
    assert "Goed nieuws" in texts(messages) and handoffs(messages) == []


async def test_a_deadline_at_risk_is_said_plainly_and_handed_over_with_context(shop):
    messages, events = await run(ActionCheckOrderStatus(), from_fixture("deadline_at_risk.json"))
    said = texts(messages)
    assert "haalt dit pakket volgens de planning niet" in said
    assert "aan de beurt" not in said  # the desk words what happens next, once it has routed the handover
    [handoff] = handoffs(messages)
    assert handoff["reason"] == "deadline_at_risk" and handoff["priority"] == "high"
    assert handoff["conversation_id"] == "conv-deadline"
    assert handoff["signals"][0]["evidence"].startswith("Ik heb het morgen nodig")
    assert handoff["facts"]["order_number"] == "WS-100004" and "Vertraagd" in handoff["facts"]["order_status"]["summary"]
    assert handoff["transcript"] == []  # the desk adds its own transcript: it stored every message
    assert "WS-100004" in handoff["summary"] and "deadline" in handoff["summary"]


async def test_a_wrong_postcode_reveals_nothing_and_three_tries_end_the_form(shop):
    form = ValidateOrderStatusForm()
    attempts = 0.0
    for attempt in range(1, 4):
        tracker = make_tracker(
            form_turn("WS-100001 1111AA", order_number="WS-100001", postcode="1111AA"),
            {"order_number": "WS-100001", "postcode": "1111AA", "order_lookup_attempts": attempts,
             "requested_slot": "postcode"},
            active_loop={"name": "order_status_form"})
        messages, events = await run(form, tracker)
        attempts = slot(events, "order_lookup_attempts")
        assert attempts == float(attempt) and slot(events, "order_verified") is False
        assert "PostNL" not in texts(messages) and "10:00" not in texts(messages)
    assert slot(events, "requested_slot") is None  # the form ends; the completion action hands over


async def test_a_matching_postcode_verifies_the_order(shop):
    tracker = make_tracker(form_turn("ws 100001 postcode 1234ab", order_number="ws 100001", postcode="1234ab"),
                           {"order_number": "ws 100001", "postcode": "1234ab", "requested_slot": "order_number"},
                           active_loop={"name": "order_status_form"})
    _, events = await run(ValidateOrderStatusForm(), tracker)
    assert slot(events, "order_number") == "WS-100001" and slot(events, "postcode") == "1234 AB"
    assert slot(events, "order_verified") is True


BOT_SECRET = "gedeeld-geheim-van-desk-en-bot"  # RASA_TOKEN of the test's desk, Rasa and action server


def vouched(customer_id: str, conversation_id: str = "conv-1", secret: str = BOT_SECRET) -> dict:
    """What the desk sends with each message of a verified, logged-in customer: the id and its signature."""
    return {"customer": {"id": customer_id, "signature": sign_customer(secret, conversation_id=conversation_id,
                                                                        customer_id=customer_id)}}


@pytest.fixture(autouse=True)
def bot_secret(monkeypatch):
    monkeypatch.setenv("RASA_TOKEN", BOT_SECRET)
    monkeypatch.delenv("RASA_TOKEN_FILE", raising=False)


EVA = vouched("K-1001")


def logged_in_turn(text, form="order_status_form", metadata=EVA, **slots):
    return make_tracker([user(text, "order_status", metadata=metadata)],
                        {"requested_slot": "order_number", **slots}, active_loop={"name": form})


async def test_a_logged_in_customer_is_not_asked_which_order_and_hears_which_one_the_bot_took(shop):
    messages, events = await run(ValidateOrderStatusForm(), logged_in_turn("waar is mijn pakket?"))
    assert slot(events, "order_number") == "WS-100004" and slot(events, "order_verified") is True
    assert slot(events, "requested_slot") is None  # nothing left to ask
    said = texts(messages)
    assert "Je bent ingelogd" in said and "Tent Waddenzee" in said and "WS-100004" in said
    messages, events = await run(ValidateReturnForm(), logged_in_turn("ik wil iets retourneren", form="return_form"))
    assert slot(events, "order_number") == "WS-100002"  # for a return: the newest delivered order


async def test_a_logged_in_customer_naming_their_own_order_needs_no_postcode_but_another_order_does(shop):
    _, events = await run(ValidateOrderStatusForm(), logged_in_turn("waar blijft WS-100002", order_number="WS-100002"))
    assert slot(events, "order_verified") is True and slot(events, "postcode") == "1234 AB"
    messages, events = await run(ValidateOrderStatusForm(),
                                 logged_in_turn("waar blijft WS-100001", order_number="WS-100001"))
    assert slot(events, "order_verified") in ("<unset>", False) and "PostNL" not in texts(messages)


async def test_without_a_verified_customer_the_bot_asks_as_usual(shop):
    unsigned, elsewhere, forged = {"customer": {"id": "K-1001"}}, vouched("K-1001", "conv-2"), vouched("K-1001", secret="x")
    for metadata in ({}, {"customer": {"id": ""}}, {"customer": "K-1001"}, vouched("K-0000"), unsigned, elsewhere, forged):
        messages, events = await run(ValidateOrderStatusForm(), logged_in_turn("waar is mijn pakket?", metadata=metadata))
        assert slot(events, "order_verified") in ("<unset>", False), metadata
        assert "ingelogd" not in texts(messages)


async def test_a_return_within_the_term_is_registered_with_code_and_refund_timing(shop):
    tracker = make_tracker([user("retour WS-100002", "return_request")],
                           {"order_number": "WS-100002", "postcode": "1234 AB", "order_verified": True})
    messages, events = await run(ActionRegisterReturn(), tracker)
    said = texts(messages)
    code = slot(events, "order_facts")["return_code"]
    assert f"Je retourcode is {code}" in said and "€ 129,50" in said and "5 werkdagen" in said
    assert handoffs(messages) == []


async def test_a_return_outside_the_term_is_explained_and_a_colleague_offered(shop):
    tracker = make_tracker([user("retour WS-100003", "return_request")],
                           {"order_number": "WS-100003", "postcode": "5678 CD", "order_verified": True})
    messages, events = await run(ActionRegisterReturn(), tracker)
    # A response of its own (domain.yml, with the colleague button): the escalation check knows it was a no.
    assert messages[-1]["response"] == "utter_return_term_passed" and messages[-1]["number"] == "WS-100003"
    assert "Uitgelegd dat de retourtermijn is verlopen" in slot(events, "bot_actions")[-1] and handoffs(messages) == []


async def test_a_complaint_gets_an_apology_before_the_handoff(shop):
    tracker = make_tracker([user("ik heb een klacht, de bezorger was onbeleefd", "complain")])
    messages, _ = await run(ActionHandoff(), tracker)
    assert messages[0]["text"].startswith("Wat vervelend") and "spijt me" in messages[0]["text"]
    assert handoffs(messages)[0]["reason"] == "complexity"
    assert handoffs(messages)[0]["signals"] == [{"name": "complain", "evidence": "ik heb een klacht, de bezorger was onbeleefd"}]


async def test_two_misunderstood_messages_in_a_row_hand_off(shop):
    first = make_tracker([user("blablabla", "nlu_fallback")])
    messages, events = await run(ActionHandleFallback(), first)
    assert messages[0]["response"] == "utter_default" and events[-1]["event"] == "rewind" and handoffs(messages) == []
    second = make_tracker([user("blablabla", "nlu_fallback"), {"event": "bot", "text": "Sorry"},
                           user("qwerty zxcv", "nlu_fallback")])
    messages, _ = await run(ActionHandleFallback(), second)
    assert handoffs(messages)[0]["reason"] == "not_understood"
    assert [s["evidence"] for s in handoffs(messages)[0]["signals"]] == ["blablabla", "qwerty zxcv"]


async def test_an_unreachable_shop_hands_over_as_bot_unavailable(shop, monkeypatch):
    monkeypatch.setenv("SHOP_URL", f"http://127.0.0.1:{free_port()}")
    services.webshop.cache_clear()
    tracker = make_tracker([user("waar is WS-100001")],
                           {"order_number": "WS-100001", "postcode": "1234 AB", "order_verified": True})
    messages, _ = await run(ActionCheckOrderStatus(), tracker)
    assert handoffs(messages)[0]["reason"] == "bot_unavailable"
    assert "kan je gegevens op dit moment niet ophalen" in texts(messages)


async def test_a_handoff_in_a_form_ends_the_form_and_signals_once(shop):
    tracker = make_tracker([user("mens graag", "request_human")], active_loop={"name": "order_status_form"})
    messages, events = await run(ActionHandoff(), tracker)
    assert len(handoffs(messages)) == 1 and texts(messages).startswith("Natuurlijk, ik verbind je door")
    assert events == [{"event": "active_loop", "name": None, "timestamp": None}]


def status_given(number, postcode, *texts):
    """A conversation in which the bot already gave the status of a verified order."""
    events = [user(f"Waar blijft {number}? postcode {postcode}")] + [user(t, "deny") for t in texts]
    return make_tracker(events, {"order_number": number, "postcode": postcode, "order_verified": True,
                                 "order_facts": {"order_status": {"summary": "..."}}, "bot_actions": ["Status gegeven: ..."]})


async def test_a_deadline_named_after_the_status_is_judged_and_handed_over_with_its_reason(shop):
    messages, events = await run(ActionCheckDeadline(), status_given("WS-100004", "9999 ZZ", "ik heb het morgen nodig voor de verjaardag van mijn zoon!"))
    said = texts(messages)
    assert said.startswith("Eerlijk gezegd: morgen haalt dit pakket volgens de planning niet")
    assert "Je bestelling WS-100004 is helaas vertraagd" not in said  # no second status message
    [handoff] = handoffs(messages)
    assert handoff["reason"] == "deadline_at_risk"
    assert (handoff["facts"]["deadline"], handoff["facts"]["deadline_reason"]) == ("morgen", "voor de verjaardag van mijn zoon")
    assert "Nodig: morgen" in handoff["summary"] and "verjaardag van mijn zoon" in handoff["summary"]


async def test_a_deadline_the_order_makes_is_answered_in_one_sentence(shop):
    messages, _ = await run(ActionCheckDeadline(), status_given("WS-100001", "1234 AB", "ik heb het morgen nodig"))
    assert texts(messages).startswith("Goed nieuws: dat haalt hij. Je bestelling WS-100001 komt naar verwachting morgen")
    assert handoffs(messages) == []


async def test_a_deadline_without_an_order_asks_for_the_order_and_keeps_the_deadline(shop):
    tracker = make_tracker([user("Ik heb mijn bestelling morgen nodig, komt die op tijd?", "order_status")])
    messages, events = await run(ActionCheckDeadline(), tracker)
    assert "morgen" in texts(messages) and events == [{"event": "followup", "name": "order_status_form", "timestamp": None}]


# --- issue 18: a logged-in customer who names a deadline without an order number --------------------------
def deadline_turn(text, metadata=EVA, intent="faq"):
    return make_tracker([user(text, intent, metadata=metadata)])


async def test_a_logged_in_customer_naming_a_deadline_gets_her_open_order_judged_not_the_faq(shop):
    messages, events = await run(ActionCheckDeadline(), deadline_turn("Ik heb het binnen 2 dagen nodig, lukt dat?"))
    said = texts(messages)
    assert "Tent Waddenzee" in said and "WS-100004" in said  # the one open order of K-1001, named
    assert "haalt dit pakket volgens de planning niet" in said and "levertijd" not in said.lower()
    handoff = handoffs(messages)[0]
    assert handoff["reason"] == "deadline_at_risk" and handoff["facts"]["order_number"] == "WS-100004"
    assert handoff["facts"]["postcode_verified"] is True and handoff["facts"]["deadline"] == "binnen 2 dagen"
    assert slot(events, "order_verified") is True and slot(events, "order_number") == "WS-100004"
    messages, _ = await run(ActionCheckDeadline(), deadline_turn("Over een week heb ik hem pas nodig"))
    assert "Goed nieuws: dat haalt hij" in texts(messages) and handoffs(messages) == []


async def test_a_logged_in_customer_with_several_open_orders_is_asked_which_one(shop):
    extra = Order(number="WS-100009", postcode="1234 AB", status="shipped", ordered_at=datetime.now(),
                  carrier="PostNL", expected_from=datetime.now() + timedelta(days=1),
                  expected_until=datetime.now() + timedelta(days=1, hours=2),
                  items=(OrderItem("Slaapzak Dons", 1, 8900),), customer_id="K-1001")
    shop.upsert_orders([extra])
    messages, events = await run(ActionCheckDeadline(), deadline_turn("Ik heb het morgen nodig"))
    buttons = [b for m in messages for b in (m.get("buttons") or [])]
    assert "Over welke gaat het" in texts(messages) and handoffs(messages) == [] and events == []
    assert {b["payload"] for b in buttons} == {'/order_status{"order_number":"WS-100009"}',
                                               '/order_status{"order_number":"WS-100004"}'}
    # naming the article picks the order that fits
    messages, _ = await run(ActionCheckDeadline(), deadline_turn("Ik heb de slaapzak morgen nodig"))
    assert "WS-100009" in texts(messages) and "Goed nieuws" in texts(messages)


async def test_a_guest_naming_a_deadline_is_asked_for_the_order(shop):
    messages, events = await run(ActionCheckDeadline(), deadline_turn("Ik heb het morgen nodig", metadata={}))
    assert "Dan kijk ik meteen of het morgen bij je kan zijn" in texts(messages)
    assert events[0]["name"] == "order_status_form"


# --- issue 19: a customer who asks about her other order never gets the same order again -----------------
def another_turn(text, metadata=EVA, form="order_status_form", **slots):
    """The form (re)starts on a message about "the other order" while the last order is still in the slots."""
    return make_tracker([user(text, "order_status", metadata=metadata)], slots, active_loop={"name": form})


async def test_a_logged_in_customer_asking_for_her_other_order_gets_the_other_one(shop):
    earlier = {"order_number": "WS-100004", "postcode": "9999 ZZ", "order_verified": True,
               "order_facts": {"order_status": {"number": "WS-100004"}, "deadline": "morgen"}}
    for text in ("En mijn andere bestelling?", "die andere order", "en de andere?"):
        messages, events = await run(ValidateOrderStatusForm(), another_turn(text, **earlier))
        assert slot(events, "order_number") == "WS-100002" and slot(events, "order_verified") is True, text
        assert slot(events, "requested_slot") is None  # the parcel status of WS-100002 follows
        assert "Je andere bestelling is die van" in texts(messages) and "Wandelschoenen Veluwe" in texts(messages)
        assert slot(events, "order_facts") == {"deadline": "morgen"}  # the old order's status leaves the card
    _, events = await run(ValidateReturnForm(), another_turn("ik wil mijn andere bestelling retourneren",
                                                             form="return_form", **earlier))
    assert slot(events, "order_number") == "WS-100002"


async def test_with_several_other_orders_she_chooses_among_her_own_and_never_sees_anothers(shop):
    extra = Order(number="WS-100009", postcode="1234 AB", status="shipped", ordered_at=datetime.now(),
                  carrier="PostNL", items=(OrderItem("Slaapzak Dons", 1, 8900),), customer_id="K-1001")
    shop.upsert_orders([extra])
    earlier = {"order_number": "WS-100004", "postcode": "9999 ZZ", "order_verified": True}
    messages, events = await run(ValidateOrderStatusForm(), another_turn("waar blijft mijn andere bestelling", **earlier))
    assert slot(events, "order_number") is None and slot(events, "order_verified") is False
    assert slot(events, "postcode") is None  # her own order needs none
    assert "WS-" not in texts(messages)  # nothing about any order yet: she chooses first
    # Rasa asks for the number with action_ask_order_number: her other orders, not the one she had, nobody else's.
    asked = make_tracker([user("waar blijft mijn andere bestelling", "order_status", metadata=EVA),
                          {"event": "slot", "name": "order_number", "value": "WS-100004"},
                          {"event": "slot", "name": "order_number", "value": None}], active_loop={"name": "order_status_form"})
    messages, _ = await run(ActionAskOrderNumber(), asked)
    buttons = [b for m in messages for b in (m.get("buttons") or [])]
    assert "Over welke bestelling gaat het" in texts(messages)
    assert {b["payload"] for b in buttons} == {'/inform{"order_number":"WS-100009"}', '/inform{"order_number":"WS-100002"}'}
    # Her choice needs no postcode, though the postcode of the earlier order was still known.
    chosen = make_tracker([user("WS-100009", "inform", metadata=EVA),
                           {"event": "slot", "name": "order_number", "value": "WS-100009"}],  # the button's number
                          {"order_number": "WS-100009", "postcode": "9999 ZZ", "requested_slot": "order_number"},
                          active_loop={"name": "order_status_form"})
    _, events = await run(ValidateOrderStatusForm(), chosen)
    assert slot(events, "order_verified") is True and slot(events, "postcode") == "1234 AB"


async def test_a_guest_asking_for_her_other_order_is_asked_its_number_and_the_shop_checks_it(shop):
    earlier = {"order_number": "WS-100001", "postcode": "1234 AB", "order_verified": True}
    messages, events = await run(ValidateOrderStatusForm(), another_turn("en mijn andere bestelling?", metadata={},
                                                                         **earlier))
    assert slot(events, "order_number") is None and slot(events, "order_verified") is False
    assert slot(events, "postcode") == "<unset>" and "WS-100002" not in texts(messages)
    messages, _ = await run(ActionAskOrderNumber(), make_tracker([user("en mijn andere bestelling?")]))
    assert [m.get("response") for m in messages] == ["utter_ask_order_number"]  # the usual question, no buttons
    assert not any(m.get("buttons") for m in messages)
    # the next number is checked with the postcode she gave: another customer's order stays closed
    _, events = await run(ValidateOrderStatusForm(), make_tracker(
        form_turn("WS-100004", order_number="WS-100004"), {"postcode": "1234 AB"}, active_loop={"name": "order_status_form"}))
    assert slot(events, "order_verified") is False


async def test_naming_the_other_order_or_speaking_of_other_things_is_not_the_other_order(shop):
    from actions.other_order import asks_for_another
    assert asks_for_another("En mijn andere bestelling?") and asks_for_another("die andere order")
    assert asks_for_another("hoe zit het met het vorige pakket")
    assert not asks_for_another("mijn andere bestelling WS-100002")  # named: the form takes that number
    for text in ("Ik heb een andere vraag", "kan ik een ander adres opgeven", "waar is mijn pakket"):
        assert not asks_for_another(text), text


async def test_a_handoff_the_customer_asked_for_lists_what_led_to_it(shop):
    messages, _ = await run(ActionHandoff(), make_tracker([user("ik wil een medewerker spreken", "request_human")]))
    [handoff] = handoffs(messages)
    assert handoff["reason"] == "customer_request"
    assert handoff["signals"] == [{"name": "asks_for_person", "evidence": "ik wil een medewerker spreken"}]
    messages, _ = await run(ActionHandoff(), make_tracker([user(
        "Ik heb al drie keer gebeld, geef me gewoon een medewerker", "request_human")]))
    names = [s["name"] for s in handoffs(messages)[0]["signals"]]
    assert names[0] == "asks_for_person" and "earlier_contacts" in names  # the mood, below the check's threshold
    messages, _ = await run(ActionHandoff(), make_tracker([user("/request_human", "request_human")]))  # a button
    assert handoffs(messages)[0]["signals"] == [{"name": "asks_for_person", "evidence": ""}]  # no payload as her words


async def test_a_deadline_for_her_other_order_is_not_judged_against_the_order_she_had(shop):
    tracker = make_tracker([user("en mijn andere bestelling moet er morgen zijn", "faq", metadata=EVA)],
                           {"order_number": "WS-100004", "postcode": "9999 ZZ", "order_verified": True})
    messages, events = await run(ActionCheckDeadline(), tracker)
    assert messages == [] and [e.get("name") for e in events] == ["order_status_form"]  # the form finds the other
