"""The desk over real HTTP, on SQLite and PostgreSQL, with a scripted Rasa stand-in."""
from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import replace

import pytest
import requests
import websockets
from sqlalchemy import create_engine, func, select

from bot.config import get_settings
from bot.desk.agents import service as agents
from bot.desk.conversations.models import ConversationEvent, Message
from bot.desk.db import make_engine, make_sessionmaker
from tests.conftest import free_port
from tests.fake_rasa import FakeRasa

from tests.desk_support import Customer, desk, login, project, rasa  # noqa: F401 - fixtures


def message_count(desk) -> int:
    engine = create_engine(desk.database_url, future=True)
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(Message)).scalar_one()
    engine.dispose()
    return count


def test_a_customer_chats_with_the_bot_and_the_history_is_kept(desk, rasa):
    customer = Customer(desk)
    assert len(customer.token) >= 40
    reply = customer.say("Hoe werkt retourneren?")
    assert reply.status_code == 200
    assert reply.json()["state"] == "bot" and reply.json()["replies"][0]["text"] == "echo: Hoe werkt retourneren?"
    assert [(m["sender"], m["text"]) for m in customer.history()["messages"]] == [
        ("customer", "Hoe werkt retourneren?"), ("bot", "echo: Hoe werkt retourneren?")]


@pytest.mark.parametrize("body, status", [
    ({"text": ""}, 422), ({"text": "   \n "}, 422), ({"text": "hoi\x00\x01"}, 422), ({"text": "x" * 1001}, 413),
    ({"tekst": "hoi"}, 422), ({"text": 12}, 422),
])
def test_bad_input_gets_a_clear_error_and_changes_nothing(desk, rasa, body, status):
    customer = Customer(desk)
    response = requests.post(f"{desk.url}/api/conversations/{customer.id}/messages", json=body,
                             headers={"Authorization": f"Bearer {customer.token}"})
    assert response.status_code == status
    assert customer.history()["messages"] == [] and rasa.received == []


def test_a_huge_or_non_json_body_is_refused(desk):
    customer = Customer(desk)
    headers = {"Authorization": f"Bearer {customer.token}", "Content-Type": "application/json"}
    url = f"{desk.url}/api/conversations/{customer.id}/messages"
    assert requests.post(url, data=b"{" + b"a" * 200_000, headers=headers).status_code == 413
    assert requests.post(url, data=b"\xff\xfe\x00binary", headers=headers).status_code == 422
    assert customer.history()["messages"] == []


def test_wrong_or_missing_tokens_are_refused(desk):
    customer, other = Customer(desk), Customer(desk)
    assert customer.say("hoi", token=other.token).status_code == 401
    assert requests.post(f"{desk.url}/api/conversations/{customer.id}/messages", json={"text": "hoi"}).status_code == 401
    assert requests.get(f"{desk.url}/api/conversations/{customer.id}/messages").status_code == 401
    assert requests.get(f"{desk.url}/api/conversations/onbekend/messages",
                        headers={"Authorization": f"Bearer {customer.token}"}).status_code == 401
    assert message_count(desk) == 0


def test_a_channel_without_a_browser_opens_a_conversation_with_the_key_it_made(session):
    """Say WhatsApp: the channel derives the customer's key from the sender and its secret, so that it presents
    the same key with every message; only that key opens the conversation."""
    from bot.desk.conversations import service as conversation_service

    conversation, token = conversation_service.start_conversation(session, token="afgeleid-van-06-12345678")
    assert token == "afgeleid-van-06-12345678"
    assert conversation_service.authenticate(session, conversation_id=conversation.id, token=token) is conversation
    assert conversation_service.authenticate(session, conversation_id=conversation.id, token="iets-anders") is None

def test_script_and_sql_like_text_is_kept_as_plain_text(desk, rasa):
    customer = Customer(desk)
    nasty = "<script>alert('x')</script> '; DROP TABLE messages; --"
    assert customer.say(nasty).status_code == 200
    assert customer.history()["messages"][0]["text"] == nasty
    assert message_count(desk) == 2


def test_typed_slash_commands_reach_rasa_as_plain_text(desk, rasa):
    customer = Customer(desk)
    customer.say("/request_human")
    sent = rasa.received[-1]["message"]
    assert not sent.strip().startswith("/") and sent.endswith("/request_human")


def test_only_offered_button_payloads_reach_rasa_as_intents(desk, rasa):
    customer = Customer(desk)
    assert customer.say("Ja", payload="/affirm").status_code == 422  # nothing offered yet
    offered = customer.say("knop graag").json()["replies"][0]["buttons"]
    assert [b["payload"] for b in offered] == ["/affirm", "/deny"]
    assert customer.say("Ja", payload="/request_human").status_code == 422
    assert customer.say("Ja", payload="/affirm").status_code == 200
    assert rasa.received[-1]["message"] == "/affirm"
    again = customer.say("Ja", payload="/affirm")  # a button is used once; pressed again, it is late
    assert again.status_code == 200 and again.json()["replies"][0]["text"].startswith("Die keuze geldt niet meer")
    assert [m["message"] for m in rasa.received].count("/affirm") == 1


def test_a_handoff_the_bot_signals_is_created_once_with_the_desks_transcript(desk, rasa):
    customer = Customer(desk)
    customer.say("hallo")
    answer = customer.say("mens graag").json()
    assert answer["state"] == "queued"
    assert customer.say("mens graag, nog een keer").json()["replies"] == []  # with the agents now, not the bot
    headers = login(desk, "anna", "wachtwoord-anna")
    [handoff] = requests.get(desk.url + "/api/handoffs", headers=headers).json()["queue"]
    detail = requests.get(f"{desk.url}/api/handoffs/{handoff['id']}", headers=headers).json()
    assert [line["text"] for line in detail["context"]["transcript"]][:3] == ["hallo", "echo: hallo", "mens graag"]
    assert detail["context"]["conversation_id"] == customer.id


def test_an_unreachable_bot_queues_the_conversation_and_loses_nothing(desk, rasa):
    rasa.httpd.shutdown()
    rasa.httpd.server_close()
    customer = Customer(desk)
    reply = customer.say("Waar is mijn pakket WS-100001?")
    assert reply.status_code == 200
    assert reply.json()["state"] == "queued" and reply.json()["queue_position"] == 1
    assert "storing" in reply.json()["replies"][0]["text"] and "niets te herhalen" in reply.json()["replies"][0]["text"]
    customer.say("Hallo? Is daar iemand?")
    headers = login(desk, "anna", "wachtwoord-anna")
    [handoff] = requests.get(desk.url + "/api/handoffs", headers=headers).json()["queue"]
    assert handoff["reason"] == "bot_unavailable"
    detail = requests.get(f"{desk.url}/api/handoffs/{handoff['id']}", headers=headers).json()
    assert [m["text"] for m in detail["messages"] if m["sender"] == "customer"] == [
        "Waar is mijn pakket WS-100001?", "Hallo? Is daar iemand?"]


def test_an_action_server_that_is_down_also_counts_as_unavailable(desk, rasa):
    rasa.action_server_up = False
    reply = Customer(desk).say("Waar is mijn pakket?")
    assert reply.json()["state"] == "queued"


def test_health_is_200_only_when_rasa_and_the_action_server_answer(desk, rasa):
    assert requests.get(desk.url + "/health").status_code == 200
    rasa.action_server_up = False
    response = requests.get(desk.url + "/health")
    assert response.status_code == 503 and response.json()["checks"]["action_server"] is False


def test_readiness_stays_200_while_rasa_is_away_since_the_desk_still_takes_messages(desk, rasa):
    """Kubernetes' readiness probe (deploy/kubernetes/desk.yaml): a desk whose Rasa is away keeps taking customers
    (stored, told politely, queued for a person), so it stays in the load balancer; /health says Rasa is away."""
    rasa.action_server_up = False
    assert requests.get(desk.url + "/health").status_code == 503
    ready = requests.get(desk.url + "/health/ready")
    assert ready.status_code == 200 and ready.json()["checks"] == {"desk": True, "database": True}


def test_openapi_documents_the_customer_and_agent_api(desk):
    paths = requests.get(desk.url + "/openapi.json").json()["paths"]
    for path in ("/api/conversations", "/api/conversations/{conversation_id}/messages", "/api/handoffs",
                 "/api/handoffs/{handoff_id}/claim", "/api/handoffs/{handoff_id}/resolve", "/health"):
        assert path in paths


def test_agent_login_is_checked_and_the_demo_agent_only_works_in_demo_mode(desk):
    assert requests.post(desk.url + "/api/agent/login", json={"username": "anna", "password": "fout"}).status_code == 401
    assert requests.get(desk.url + "/api/handoffs", headers={"Authorization": "Bearer nep"}).status_code == 401
    assert login(desk, "demo", "balie-demo")
    desk.app.state.settings = replace(desk.app.state.settings, demo_mode=False)
    assert requests.post(desk.url + "/api/agent/login", json={"username": "demo", "password": "balie-demo"}).status_code == 401


def test_the_queue_is_ordered_by_priority_then_waiting_time(desk, rasa):
    ids = []
    for priority in ("normal", "normal", "urgent", "high"):
        customer = Customer(desk)
        customer.say(f"mens {priority}")
        ids.append(customer.id)
    queue = requests.get(desk.url + "/api/handoffs", headers=login(desk, "anna", "wachtwoord-anna")).json()["queue"]
    assert [h["conversation_id"] for h in queue] == [ids[2], ids[3], ids[0], ids[1]]


def test_two_agents_claiming_at_once_exactly_one_wins(desk, rasa):
    Customer(desk).say("mens graag")
    anna, bram = login(desk, "anna", "wachtwoord-anna"), login(desk, "bram", "wachtwoord-bram")
    [handoff] = requests.get(desk.url + "/api/handoffs", headers=anna).json()["queue"]
    results, barrier = [], threading.Barrier(2)

    def claim(headers):
        barrier.wait()
        results.append(requests.post(f"{desk.url}/api/handoffs/{handoff['id']}/claim", headers=headers).status_code)

    threads = [threading.Thread(target=claim, args=(h,)) for h in (anna, bram)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(results) == [200, 409]


async def test_an_agent_takes_over_replies_live_and_resolves_with_a_satisfaction_check(desk, rasa):
    customer = Customer(desk)
    queued = customer.say("Ik wil een mens spreken").json()
    assert queued["state"] == "queued" and queued["queue_position"] == 1
    offer = queued["replies"][-1]  # nobody is online yet: a callback is offered, waiting is allowed
    assert "geen collega beschikbaar" in offer["text"]
    assert [b["payload"] for b in offer["buttons"]] == ["/callback_phone", "/callback_email", "/callback_decline"]
    declined = customer.say("Nee, dank je", payload="/callback_decline").json()
    assert declined["state"] == "queued" and "blijft bewaard" in declined["replies"][0]["text"]
    anna = login(desk, "anna", "wachtwoord-anna")
    [handoff] = requests.get(desk.url + "/api/handoffs", headers=anna).json()["queue"]
    detail = requests.get(f"{desk.url}/api/handoffs/{handoff['id']}", headers=anna).json()
    assert detail["reason"] == "customer_request" and detail["context"]["summary"]
    assert [m["sender"] for m in detail["messages"]] == ["customer", "bot", "system", "system", "customer", "system"]

    ws_url = desk.url.replace("http", "ws") + f"/api/conversations/{customer.id}/ws?token={customer.token}"
    async with websockets.connect(ws_url) as socket:
        loop = asyncio.get_running_loop()
        assert (await loop.run_in_executor(None, lambda: requests.post(
            f"{desk.url}/api/handoffs/{handoff['id']}/claim", headers=anna))).status_code == 200
        pushed = [await next_push(socket) for _ in range(2)]
        assert pushed[0]["message"]["text"] == "Anna van de klantenservice helpt je nu verder."
        assert (pushed[1]["type"], pushed[1]["state"], pushed[1]["agent_name"]) == ("state", "agent", "Anna")
        assert pushed[1]["status_text"] == "Je chat met Anna van de klantenservice."
        await loop.run_in_executor(None, lambda: requests.post(
            f"{desk.url}/api/handoffs/{handoff['id']}/messages", json={"text": "Hoi, ik help je verder!"}, headers=anna))
        message = (await next_push(socket))["message"]
        assert (message["sender"], message["agent_name"], message["text"]) == ("agent", "Anna", "Hoi, ik help je verder!")

    answer = customer.say("Fijn, dank je").json()
    assert answer["replies"] == [] and answer["state"] == "agent" and isinstance(answer["message_id"], int)
    assert rasa.received[-1]["message"] == "Ik wil een mens spreken"  # the agent has it, not the bot
    bram = login(desk, "bram", "wachtwoord-bram")
    assert requests.post(f"{desk.url}/api/handoffs/{handoff['id']}/resolve", headers=bram).status_code == 409
    assert requests.post(f"{desk.url}/api/handoffs/{handoff['id']}/resolve", headers=anna).status_code == 200
    history = customer.history()
    assert history["state"] == "closed"
    question = history["messages"][-1]
    assert "opgelost" in question["text"] and [b["payload"] for b in question["buttons"]] == ["/solved_yes", "/solved_no"]
    reopened = customer.say("Nee, nog niet", payload="/solved_no").json()
    assert reopened["state"] == "queued" and reopened["queue_position"] == 1


async def next_push(socket) -> dict:
    """The next push that is not a heartbeat."""
    while True:
        data = json.loads(await asyncio.wait_for(socket.recv(), 5))
        if data["type"] != "heartbeat":
            return data


def claimed_by_anna(desk) -> tuple[Customer, dict, dict]:
    """A customer who asked for a person, and Anna who took the conversation."""
    customer = Customer(desk)
    customer.say("mens graag")
    anna = login(desk, "anna", "wachtwoord-anna")
    [handoff] = requests.get(desk.url + "/api/handoffs", headers=anna).json()["queue"]
    assert requests.post(f"{desk.url}/api/handoffs/{handoff['id']}/claim", headers=anna).status_code == 200
    return customer, handoff, anna


def test_hand_back_tells_the_bot_what_happened_and_the_bot_says_it_is_back(desk, rasa):
    customer, handoff, anna = claimed_by_anna(desk)
    requests.post(f"{desk.url}/api/handoffs/{handoff['id']}/messages", json={"text": "Je adres is aangepast."}, headers=anna)
    response = requests.post(f"{desk.url}/api/handoffs/{handoff['id']}/handback", headers=anna)
    assert response.status_code == 200
    assert rasa.triggered == ["EXTERNAL_handback"]
    events = rasa.tracker_events[-1]
    assert {"event": "slot", "name": "handback_agent", "value": "Anna"} in events
    assert any(e.get("text") == "Je adres is aangepast." and e["metadata"]["sender"] == "agent" for e in events)
    history = customer.history()
    assert history["state"] == "bot" and history["messages"][-1]["text"] == "Ik ben er weer."
    assert customer.say("Bedankt").json()["replies"][0]["text"] == "echo: Bedankt"


def test_hand_back_with_the_bot_down_keeps_the_conversation_with_the_agent(desk, rasa):
    customer, handoff, anna = claimed_by_anna(desk)
    desk.app.state.bot.rasa_urls = [f"http://127.0.0.1:{free_port()}"]
    response = requests.post(f"{desk.url}/api/handoffs/{handoff['id']}/handback", headers=anna)
    assert response.status_code == 502 and customer.history()["state"] == "agent"


def test_a_conversation_ended_for_abuse_stays_closed_and_is_kept_for_review(desk, rasa):
    customer = Customer(desk)
    customer.say("hallo")
    ended = customer.say("jij bent een idioot").json()
    assert ended["state"] == "closed" and ended["replies"][0]["text"] == "Op deze manier kunnen we niet verder."
    received = len(rasa.received)
    reply = customer.say("hallo??").json()
    assert reply["state"] == "closed" and "beëindigd" in reply["replies"][0]["text"]
    assert len(rasa.received) == received  # not forwarded to the bot
    handoffs = requests.get(desk.url + "/api/handoffs", headers=login(desk, "anna", "wachtwoord-anna")).json()
    assert handoffs["queue"] == [] and [h["reason"] for h in handoffs["review"]] == ["abuse"]


def test_going_online_routes_waiting_customers_and_a_finished_chat_frees_room(desk, rasa):
    desk.app.state.settings = replace(desk.app.state.settings, max_chats_per_agent=1)
    first, second = Customer(desk), Customer(desk)
    first.say("mens graag")
    second.say("mens graag")
    anna = login(desk, "anna", "wachtwoord-anna")
    assert requests.post(desk.url + "/api/agent/status", json={"status": "druk"}, headers=anna).status_code == 422
    assert requests.post(desk.url + "/api/agent/status", json={"status": "online"}, headers=anna).json()["status"] == "online"
    handoffs = requests.get(desk.url + "/api/handoffs", headers=anna).json()
    assert [h["conversation_id"] for h in handoffs["mine"]] == [first.id]
    assert first.history()["state"] == "agent" and "Anna van de klantenservice" in first.history()["messages"][-1]["text"]
    assert second.history()["state"] == "queued" and second.history()["queue_position"] == 1
    requests.post(f"{desk.url}/api/handoffs/{handoffs['mine'][0]['id']}/resolve", headers=anna)
    assert second.history()["state"] == "agent"  # nobody clicked
    gone = requests.post(desk.url + "/api/agent/status", json={"status": "offline"}, headers=anna)
    assert gone.status_code == 200 and gone.json()["status"] == "offline"  # her console shows it
    assert second.history()["state"] == "queued"  # back in the queue, nothing lost
    assert [m["text"] for m in second.history()["messages"] if m["sender"] == "customer"] == ["mens graag"]



def test_changing_status_with_nobody_waiting_answers_with_the_new_status(desk):
    anna = login(desk, "anna", "wachtwoord-anna")
    for status in ("online", "away", "offline"):
        answer = requests.post(desk.url + "/api/agent/status", json={"status": status}, headers=anna)
        assert answer.status_code == 200 and answer.json()["status"] == status, answer.text

def test_the_satisfaction_check_records_solved_score_and_comment(desk, rasa):
    customer, handoff, anna = claimed_by_anna(desk)
    requests.post(f"{desk.url}/api/handoffs/{handoff['id']}/resolve", headers=anna)
    assert "Hoe tevreden" in customer.say("Ja, opgelost", payload="/solved_yes").json()["replies"][0]["text"]
    assert customer.say("9", payload="/score_9").status_code == 422  # not offered
    asked = customer.say("4 ★★★★", payload="/score_4").json()
    assert "toelichten" in asked["replies"][0]["text"] and asked["replies"][0]["buttons"][0]["payload"] == "/no_comment"
    thanks = customer.say("Snel geholpen, dank je").json()
    assert thanks["state"] == "closed" and thanks["replies"][0]["text"].startswith("Bedankt voor je reactie")
    assert rasa.received[-1]["message"] == "mens graag"  # the comment never reached the bot
    engine = create_engine(desk.database_url, future=True)
    with engine.connect() as conn:
        kinds = conn.execute(select(ConversationEvent.kind, ConversationEvent.data)
                             .where(ConversationEvent.kind.like("satisfaction%")).order_by(ConversationEvent.id)).all()
    engine.dispose()
    assert [k for k, _ in kinds] == ["satisfaction", "satisfaction_score", "satisfaction_comment"]
    assert kinds[1][1]["score"] == 4 and kinds[2][1]["comment"] == "Snel geholpen, dank je"


def test_not_solved_goes_back_to_the_same_agent_when_they_have_room(desk, rasa):
    customer, handoff, anna = claimed_by_anna(desk)
    requests.post(desk.url + "/api/agent/status", json={"status": "online"}, headers=anna)
    requests.post(f"{desk.url}/api/handoffs/{handoff['id']}/resolve", headers=anna)
    answer = customer.say("Nee, nog niet", payload="/solved_no").json()
    assert answer["state"] == "agent" and "Anna helpt je meteen verder" in answer["replies"][0]["text"]


def test_internal_notes_are_for_colleagues_only(desk, rasa):
    customer, handoff, anna = claimed_by_anna(desk)
    assert requests.post(f"{desk.url}/api/handoffs/{handoff['id']}/notes", json={"text": "  "}, headers=anna).status_code == 422
    note = requests.post(f"{desk.url}/api/handoffs/{handoff['id']}/notes",
                         json={"text": "Klant is al twee keer teleurgesteld, extra zorgvuldig"}, headers=anna)
    assert note.status_code == 200
    assert all(m["sender"] != "note" for m in customer.history()["messages"])
    detail = requests.get(f"{desk.url}/api/handoffs/{handoff['id']}", headers=login(desk, "bram", "wachtwoord-bram")).json()
    assert [m["text"] for m in detail["messages"] if m["sender"] == "note"] == ["Klant is al twee keer teleurgesteld, extra zorgvuldig"]


def test_canned_responses_are_read_by_all_and_edited_by_admins(desk):
    anna = login(desk, "anna", "wachtwoord-anna")
    admin = login(desk, "demo", "balie-demo")
    body = {"title": "Vertraging", "text": "Het spijt me dat je pakket later komt. Ik kijk met je mee."}
    assert requests.post(desk.url + "/api/canned", json=body, headers=anna).status_code == 403
    created = requests.post(desk.url + "/api/canned", json=body, headers=admin)
    assert created.status_code == 201
    assert requests.post(desk.url + "/api/canned", json=body, headers=admin).status_code == 409
    assert requests.post(desk.url + "/api/canned", json={"title": "", "text": "x"}, headers=admin).status_code == 422
    assert [c["title"] for c in requests.get(desk.url + "/api/canned", headers=anna).json()["canned"]] == ["Vertraging"]
    changed = requests.put(f"{desk.url}/api/canned/{created.json()['id']}", json={**body, "text": "Nieuwe tekst"}, headers=admin)
    assert changed.json()["text"] == "Nieuwe tekst"
    other = requests.post(desk.url + "/api/canned", json={"title": "Retour", "text": "Zo werkt retourneren."}, headers=admin)
    taken = requests.put(f"{desk.url}/api/canned/{other.json()['id']}", json=body, headers=admin)
    assert taken.status_code == 409 and "titel" in taken.json()["detail"]  # a title that is taken, also when renaming
    assert requests.delete(f"{desk.url}/api/canned/{other.json()['id']}", headers=admin).status_code == 200
    assert requests.delete(f"{desk.url}/api/canned/{created.json()['id']}", headers=admin).status_code == 200
    assert requests.get(desk.url + "/api/canned", headers=anna).json()["canned"] == []


def test_a_transfer_goes_to_a_colleague_with_room_and_a_note(desk, rasa):
    customer, handoff, anna = claimed_by_anna(desk)
    url = f"{desk.url}/api/handoffs/{handoff['id']}/transfer"
    assert requests.post(url, json={"to": "anna"}, headers=anna).status_code == 422  # not to yourself
    assert requests.post(url, json={"to": "niemand"}, headers=anna).status_code == 422
    assert requests.post(url, json={"to": "bram"}, headers=anna).status_code == 409  # bram is offline
    bram = login(desk, "bram", "wachtwoord-bram")
    requests.post(desk.url + "/api/agent/status", json={"status": "away"}, headers=bram)
    assert requests.post(url, json={"to": "bram", "note": "Gaat over de factuur"}, headers=anna).status_code == 200
    mine = requests.get(desk.url + "/api/handoffs", headers=bram).json()["mine"]
    assert [h["id"] for h in mine] == [handoff["id"]]
    assert "Bram neemt je gesprek over van Anna" in customer.history()["messages"][-1]["text"]
    detail = requests.get(f"{desk.url}/api/handoffs/{handoff['id']}", headers=bram).json()
    assert any(m["sender"] == "note" and "Gaat over de factuur" in m["text"] for m in detail["messages"])
    assert requests.post(url, json={"to": "anna"}, headers=anna).status_code == 409  # no longer hers


def test_a_retried_message_is_stored_once_and_answered_the_same(desk, rasa):
    customer = Customer(desk)
    first = customer.say("Hoe werkt retourneren?", json_extra={"client_key": "widget-key-0001"}).json()
    again = customer.say("Hoe werkt retourneren?", json_extra={"client_key": "widget-key-0001"}).json()
    assert again["message_id"] == first["message_id"] and again["replies"] == first["replies"]
    assert len(rasa.received) == 1  # the bot saw it once
    assert [m["text"] for m in customer.history()["messages"]] == ["Hoe werkt retourneren?", "echo: Hoe werkt retourneren?"]
    assert customer.say("hoi", json_extra={"client_key": "<script>"}).status_code == 422


def test_a_message_keyed_only_in_the_idempotency_header_is_stored_once(desk, rasa):
    """nginx retries a message on another desk when it carries the Idempotency-Key header, so the header alone
    must make the desk store it once; a header that is not a key is refused and nothing is stored."""
    customer = Customer(desk)
    keyed = {"Authorization": f"Bearer {customer.token}", "Idempotency-Key": "header-key-0001"}
    first = customer.say("Wat kost verzenden?", headers=keyed).json()
    again = customer.say("Wat kost verzenden?", headers=keyed).json()  # what nginx sends the other desk
    assert again["message_id"] == first["message_id"] and len(rasa.received) == 1
    both = {**keyed, "Idempotency-Key": "header-key-0002"}
    one = customer.say("hoi", json_extra={"client_key": "body-key-00001"}, headers=both).json()
    assert customer.say("hoi", json_extra={"client_key": "body-key-00001"}, headers=both).json()["message_id"] == \
        one["message_id"]
    bad = customer.say("hoi", headers={"Authorization": f"Bearer {customer.token}", "Idempotency-Key": "<script>"})
    assert bad.status_code == 422
    assert [m["text"] for m in customer.history()["messages"]] == [
        "Wat kost verzenden?", "echo: Wat kost verzenden?", "hoi", "echo: hoi"]


def test_messages_are_numbered_without_gaps_and_a_client_resumes_after_the_last_it_saw(desk, rasa):
    customer = Customer(desk)
    customer.say("hallo")
    customer.say("mens graag")
    history = customer.history()
    seqs = [m["seq"] for m in history["messages"]]
    assert seqs == list(range(1, len(seqs) + 1)) and history["last_seq"] == seqs[-1]
    later = requests.get(f"{desk.url}/api/conversations/{customer.id}/messages", params={"after": 2},
                         headers={"Authorization": f"Bearer {customer.token}"}).json()
    assert [m["seq"] for m in later["messages"]] == seqs[2:] and later["state"] == "queued"
    assert requests.get(f"{desk.url}/api/conversations/{customer.id}/messages", params={"after": -1},
                        headers={"Authorization": f"Bearer {customer.token}"}).status_code == 422


def test_with_an_agent_free_the_customer_hears_who_helps_and_no_place_in_line(desk, rasa):
    anna = login(desk, "anna", "wachtwoord-anna")
    requests.post(desk.url + "/api/agent/status", json={"status": "online"}, headers=anna)
    answer = Customer(desk).say("mens graag").json()
    texts = [r["text"] for r in answer["replies"]]
    assert answer["state"] == "agent" and answer["status_text"] == "Je chat met Anna van de klantenservice."
    assert answer["subtitle"] == "Je chat met een medewerker"  # worded by the desk, not the widget
    assert texts[-1].startswith("Anna van de klantenservice helpt je nu verder.")
    assert not any("aan de beurt" in t or "wachttijd" in t for t in texts)


def test_a_score_may_be_typed_instead_of_pressed(desk, rasa):
    customer, handoff, anna = claimed_by_anna(desk)
    requests.post(f"{desk.url}/api/handoffs/{handoff['id']}/resolve", headers=anna)
    customer.say("Ja, opgelost", payload="/solved_yes")
    asked = customer.say("4").json()
    assert "toelichten" in asked["replies"][0]["text"] and len(rasa.received) == 1  # the bot never saw the score


def test_after_resolving_a_typed_message_goes_to_the_bot_again(desk, rasa):
    customer, handoff, anna = claimed_by_anna(desk)
    requests.post(f"{desk.url}/api/handoffs/{handoff['id']}/resolve", headers=anna)
    answer = customer.say("Ik heb nog een vraag over verzenden").json()
    assert answer["state"] == "bot" and answer["replies"][0]["text"] == "echo: Ik heb nog een vraag over verzenden"


def test_a_message_the_bot_already_answered_before_its_desk_went_away_is_not_sent_to_the_bot_twice(desk, rasa):
    """A replica stored the message and Rasa answered, then the replica died before storing the answer.
    The widget sends it again (same key) to another replica, which takes the answer from Rasa's tracker."""
    from bot.desk.conversations import service as conversations
    from bot.desk.conversations.models import Conversation
    from tests.work_support import work_for

    customer = Customer(desk)
    rasa.remember(customer.id, "Wat kost verzenden?", [{"text": "Verzenden kost € 4,95."}])
    engine = make_engine(desk.database_url)
    with make_sessionmaker(engine)() as session:
        work = work_for(session)
        conversations.add_message(work, conversation=session.get(Conversation, customer.id), sender="customer",
                                  text="Wat kost verzenden?", client_key="widget-key-lost1")
        session.commit()
    engine.dispose()
    answer = customer.say("Wat kost verzenden?", json_extra={"client_key": "widget-key-lost1"}).json()
    assert [r["text"] for r in answer["replies"]] == ["Verzenden kost € 4,95."] and rasa.received == []
    assert [m["text"] for m in customer.history()["messages"]] == ["Wat kost verzenden?", "Verzenden kost € 4,95."]


async def test_retraining_loads_the_new_model_into_every_rasa_replica(tmp_path):
    from bot.desk.editing.training import Trainer

    with FakeRasa() as first, FakeRasa() as second:
        trainer = Trainer(project_dir=tmp_path, models_dir=tmp_path, log_dir=tmp_path, rasa_token="t",
                          rasa_urls=[first.url, second.url])
        model = tmp_path / "balie-new.tar.gz"
        model.write_bytes(b"model")
        await trainer._load(model)
        assert first.loaded_models == second.loaded_models == [str(model.resolve())]


def test_a_handoff_turn_reads_the_median_handling_time_once(desk, rasa, monkeypatch):
    from bot.desk.handoffs import queue

    calls = []
    original = queue._compute_handling
    monkeypatch.setattr(queue, "_compute_handling", lambda session: calls.append(1) or original(session))
    queue.forget_cached_figures()
    anna = login(desk, "anna", "wachtwoord-anna")
    requests.post(desk.url + "/api/agent/status", json={"status": "online"}, headers=anna)
    for _ in range(4):  # a queue to be pushed to: Anna has room for three
        Customer(desk).say("mens graag")
    queue.forget_cached_figures()
    calls.clear()
    Customer(desk).say("mens graag")
    assert len(calls) == 1


@pytest.mark.parametrize("answer", [
    {"message_id": 3, "seq": 3, "state": "bot", "status_text": None, "subtitle": None, "valid_payloads": ["/ja"],
     "replies": [{"id": 4, "seq": 4, "text": "Kies maar", "buttons": [{"title": "Ja", "payload": "/ja"}],
                  "sender": "bot"},
                 {"id": 5, "seq": 5, "text": "Nog iets?", "buttons": None, "sender": "bot"}]},
    {"message_id": 7, "seq": 7, "state": "queued", "queue_position": 2, "estimated_wait_minutes": 4,
     "estimate_is_rough": False, "agents_available": True, "status_text": "Je wacht op een medewerker.",
     "subtitle": "Je wordt doorverbonden met een medewerker", "valid_payloads": [],
     "replies": [{"id": 8, "seq": 8, "text": "Ik zet je door.", "buttons": None, "sender": "system"}]},
    {"message_id": 9, "seq": 9, "state": "agent", "agent_name": None, "status_text": "x", "subtitle": "y",
     "valid_payloads": [], "replies": []},
    {"message_id": 1, "seq": 1, "state": "bot", "replies": [{"text": "hallo"}], "not_in_the_schema": 1},
])
def test_a_customers_answer_is_shaped_as_the_schema_says(answer):
    """The answer to a message skips pydantic for speed: it must still be what MessageOut makes of it."""
    from bot.desk.conversations.views import MessageOut, as_message_out

    shaped = as_message_out(answer)
    assert json.dumps(shaped) == json.dumps(MessageOut(**answer).dict(exclude_none=True))
