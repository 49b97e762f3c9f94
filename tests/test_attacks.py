"""Issue 17's attacks, each reproduced against the running stack (the real desk, Rasa and action server
as processes, tests/conftest.py) the way an attacker would try them, and each refused.

The stack trusts 127.0.0.1 as its proxy, so an attacker's address is given with X-Forwarded-For, and its
Rasa token starts with "-" (the token that used to stop `bot run` once in 64 starts)."""
from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import websockets
from sqlalchemy import select

from bot import identity, signing
from bot.config import ROOT
from bot.desk.agents import service as agents
from bot.desk.conversations.models import Conversation
from bot.desk.db import make_engine, make_sessionmaker
from bot.desk.demo_page import DEMO_SECRET
from bot.webshop.demo import DEMO_CUSTOMER
from tests.conftest import free_port, require
from tests.stack_clients import Agent, Chat

pytestmark = pytest.mark.e2e


def database(stack):
    engine = make_engine(stack.database_url)
    return engine, make_sessionmaker(engine)


def new_account(stack, role: str = "agent") -> tuple[str, str]:
    """An account of this test's own, so that nothing done to it touches the other tests on the stack."""
    username, password = f"doelwit-{uuid.uuid4().hex[:8]}", "juist-wachtwoord-123"
    engine, sessions = database(stack)
    with sessions() as session:
        agents.create_agent(session, username=username, first_name="Doelwit", password=password, role=role)
        session.commit()
    engine.dispose()
    return username, password


def login(stack, username, password, *, address=None, session=None) -> requests.Response:
    return (session or requests).post(stack.desk_url + "/api/agent/login", timeout=30,
                                      json={"username": username, "password": password},
                                      headers={"X-Forwarded-For": address} if address else {})


def attacker() -> str:
    return f"203.0.113.{uuid.uuid4().int % 250 + 1}"


def reachable_address() -> str:
    """An address of this machine that is not loopback (where a stranger on the network would knock)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 9))  # no packet is sent: this only picks the outgoing address
            address = probe.getsockname()[0]
        except OSError:
            address = "127.0.0.1"
    require(not address.startswith("127."), "this machine has no address besides loopback")
    return address


# --- 1. parallel wrong logins ---------------------------------------------------------------------------

def test_fifty_wrong_passwords_at_once_check_only_the_limit(stack):
    username, _ = new_account(stack)
    address = attacker()
    with ThreadPoolExecutor(50) as pool:
        codes = list(pool.map(lambda i: login(stack, username, f"gok-{i}", address=address).status_code, range(50)))
    assert codes.count(401) <= 10 and codes.count(401) + codes.count(429) == 50, codes


# --- 2. locking an agent out ----------------------------------------------------------------------------

def test_a_stranger_cannot_lock_an_agent_out_and_an_admin_unlocks(stack):
    username, password = new_account(stack)
    office, stranger = "198.51.100.77", attacker()
    browser = requests.Session()
    assert login(stack, username, password, address=office, session=browser).status_code == 200
    codes = [login(stack, username, f"gok-{i}", address=stranger).status_code for i in range(12)]
    assert codes[-1] == 429 and codes.count(401) == 10
    assert login(stack, username, password, address=stranger).status_code == 429  # the stranger's own place
    welcome = login(stack, username, password, address=stranger, session=browser)  # her browser, same Wi-Fi
    assert welcome.status_code == 200 and "10 keer met een verkeerd wachtwoord" in welcome.json()["notice"]
    assert login(stack, username, password, address=office).status_code == 200
    admin = Agent(stack)
    unlocked = requests.post(f"{stack.desk_url}/api/agents/{username}/unlock", headers=admin.headers, timeout=10)
    assert unlocked.status_code == 200
    assert login(stack, username, password, address=stranger).status_code == 200


def test_bot_agents_unlock_frees_an_account(stack):
    username, password = new_account(stack)
    stranger = attacker()
    for i in range(11):
        login(stack, username, f"gok-{i}", address=stranger)
    assert login(stack, username, password, address=stranger).status_code == 429
    done = subprocess.run([sys.executable, "-m", "bot", "agents", "unlock", username], cwd=ROOT, timeout=60,
                          env={**os.environ, "DATABASE_URL": stack.database_url}, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert login(stack, username, password, address=stranger).status_code == 200


# --- 3. privacy requests by near-miss values -----------------------------------------------------------

def test_exporting_one_address_never_hands_out_or_erases_someone_whose_address_contains_it(stack, chat):
    jan, n = chat(), chat()
    jan.say("Mijn mail is jan.x@voorbeeld.nl, bel me op 06 87654321")
    n.say("Mijn mail is n.x@voorbeeld.nl")
    admin = Agent(stack)
    exported = requests.post(stack.desk_url + "/api/privacy/export", json={"kind": "email", "value": "n.x@voorbeeld.nl"},
                             headers=admin.headers, timeout=60).json()
    assert [c["conversation_id"] for c in exported["conversations"]] == [n.id]
    assert "jan.x" not in json.dumps(exported) and "87654321" not in json.dumps(exported)
    erased = requests.post(stack.desk_url + "/api/privacy/erase", headers=admin.headers, timeout=60,
                           json={"kind": "email", "value": "n.x@voorbeeld.nl", "confirm": True}).json()["erased"]
    assert erased["conversations"] == 1 and erased["assistant_events"] > 0  # Rasa's tracker store too
    still = requests.post(stack.desk_url + "/api/privacy/export", json={"kind": "email", "value": "jan.x@voorbeeld.nl"},
                          headers=admin.headers, timeout=60).json()
    [kept] = still["conversations"]
    assert kept["conversation_id"] == jan.id and kept["assistant_events"] > 0


# --- 4. Rasa and the action server trust only the desk --------------------------------------------------

def test_rasa_takes_no_turn_the_desk_did_not_sign(stack):
    forged = {"sender": "klant-" + uuid.uuid4().hex, "message": "waar is mijn pakket?",
              "metadata": {"customer": {"id": DEMO_CUSTOMER.id}}}
    assert requests.post(stack.rasa_url + "/webhooks/rest/webhook", json=forged, timeout=30).status_code == 404
    unsigned = requests.post(stack.rasa_url + "/webhooks/desk/webhook", json=forged, timeout=30)
    assert unsigned.status_code == 401 and "Tent" not in unsigned.text
    body = json.dumps(forged).encode()
    stale = signing.sign_body(stack.rasa_token, body, now=time.time() - 3600)  # a recorded turn, replayed later
    assert requests.post(stack.rasa_url + "/webhooks/desk/webhook", data=body, timeout=30,
                         headers={"Content-Type": "application/json", **stale}).status_code == 401
    guessed = signing.sign_body("een-gok", body)
    assert requests.post(stack.rasa_url + "/webhooks/desk/webhook", data=body, timeout=30,
                         headers={"Content-Type": "application/json", **guessed}).status_code == 401
    assert requests.post(f"{stack.rasa_url}/conversations/{forged['sender']}/trigger_intent", timeout=30,
                         json={"name": "order_status"}).status_code == 401  # Rasa's HTTP API wants the token


def test_through_the_desk_a_logged_in_customer_is_still_recognised(stack):
    token = identity.sign(DEMO_CUSTOMER, DEMO_SECRET)  # demo mode on loopback: the demo page signs like this
    created = requests.post(stack.desk_url + "/api/conversations", json={"identity": token}, timeout=30).json()
    answer = requests.post(f"{stack.desk_url}/api/conversations/{created['conversation_id']}/messages", timeout=60,
                           json={"text": "Waar is mijn pakket?"}, headers={"Authorization": f"Bearer {created['token']}"})
    assert "Je bent ingelogd" in " ".join(r["text"] for r in answer.json()["replies"])


def _action_call(sender: str, customer: dict) -> dict:
    slots = {"order_number": None, "postcode": None, "order_verified": None, "order_lookup_attempts": None,
             "order_facts": None, "bot_actions": None, "requested_slot": "order_number"}
    message = {"text": "waar is mijn pakket?", "intent": {"name": "order_status", "confidence": 1.0}, "entities": [],
               "metadata": {"customer": customer}}
    return {"next_action": "validate_order_status_form", "sender_id": sender, "version": "3.6.21",
            "tracker": {"sender_id": sender, "slots": slots, "latest_message": message, "paused": False,
                        "events": [{"event": "user", "timestamp": time.time(), **message}], "followup_action": None,
                        "active_loop": {"name": "order_status_form"}, "latest_action_name": "action_listen"},
            "domain": {"slots": {name: {} for name in slots},
                       "forms": {"order_status_form": {"required_slots": ["order_number", "postcode"]}}}}


def test_the_action_server_believes_a_customer_id_only_from_the_desk(stack):
    actions = f"http://127.0.0.1:{stack.action_port}/webhook"
    sender = "aanvaller-" + uuid.uuid4().hex
    forged = requests.post(actions, json=_action_call(sender, {"id": DEMO_CUSTOMER.id}), timeout=30)
    assert forged.status_code == 200 and "Waddenzee" not in forged.text and "ingelogd" not in forged.text
    copied = signing.sign_customer(stack.rasa_token, conversation_id="een-ander-gesprek", customer_id=DEMO_CUSTOMER.id)
    replayed = requests.post(actions, json=_action_call(sender, {"id": DEMO_CUSTOMER.id, "signature": copied}), timeout=30)
    assert "Waddenzee" not in replayed.text  # a signature from another conversation does not carry over
    vouched = signing.sign_customer(stack.rasa_token, conversation_id=sender, customer_id=DEMO_CUSTOMER.id)
    real = requests.post(actions, json=_action_call(sender, {"id": DEMO_CUSTOMER.id, "signature": vouched}), timeout=30)
    assert "Je bent ingelogd" in real.text  # what the desk sends is still understood


def test_rasa_and_the_action_server_cannot_be_reached_from_the_network(stack):
    address = reachable_address()
    for port in (stack.rasa_port, stack.action_port):
        with pytest.raises(OSError):
            socket.create_connection((address, port), timeout=3).close()


def test_the_rasa_token_is_on_no_command_line(stack):
    for name, process in stack.processes.items():
        with open(f"/proc/{process.pid}/cmdline", "rb") as cmdline:
            assert stack.rasa_token.encode() not in cmdline.read(), name
    assert stack.rasa_token.startswith("-")  # and the stack started with it


def test_demo_mode_does_not_start_on_a_reachable_address_without_its_own_secret(stack, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOP_IDENTITY_SECRET")}
    env.update(BALIE_DEMO="1", DATABASE_URL=stack.database_url)
    refused = subprocess.run([sys.executable, "-m", "bot", "serve", "desk", "--host", "0.0.0.0", "--port",
                              str(free_port())], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "SHOP_IDENTITY_SECRET" in refused.stderr


def test_a_desk_started_otherwise_on_a_reachable_address_ignores_demo_signed_customers(stack, tmp_path):
    address, port = reachable_address(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOP_IDENTITY_SECRET")}
    env.update(BALIE_DEMO="1", DATABASE_URL=stack.database_url, RASA_URL=stack.rasa_url, RASA_TOKEN=stack.rasa_token,
               CONVERSATIONS_PER_MINUTE="1000", TRACKER_STORE_URL=f"sqlite:///{tmp_path / 'trackers.db'}")
    with open(tmp_path / "desk.log", "wb") as log:
        desk = subprocess.Popen([sys.executable, "-m", "uvicorn", "bot.desk.asgi:app", "--host", "0.0.0.0", "--port",
                                 str(port)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(100):
            try:
                requests.get(f"http://{address}:{port}/health/live", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        token = identity.sign(DEMO_CUSTOMER, DEMO_SECRET)  # the demo secret is in the source: anyone can do this
        ids = [requests.post(f"{base}/api/conversations", json={"identity": token}, timeout=10).json()["conversation_id"]
               for base in (f"http://{address}:{port}", f"http://127.0.0.1:{port}")]
    finally:
        desk.terminate()
        desk.wait(timeout=30)
    engine, sessions = database(stack)
    with sessions() as session:
        customers = [session.scalar(select(Conversation.customer_id).where(Conversation.id == cid)) for cid in ids]
    engine.dispose()
    assert customers == [None, DEMO_CUSTOMER.id]  # from the network a guest; on the machine itself the demo works


# --- 5. formulas in reports -----------------------------------------------------------------------------

def test_a_formula_typed_by_a_customer_reaches_the_csv_as_text(stack, chat):
    formula = '=HYPERLINK("https://evil.example/x";"zzqx")'
    customer = chat()
    for _ in range(4):  # the report lists the ten most frequent misunderstood messages of the shared stack
        customer.say(formula)
    admin = Agent(stack)
    report = requests.get(stack.desk_url + "/api/reports.csv?since=24h", headers=admin.headers, timeout=60)
    cells = [cell for row in csv.reader(io.StringIO(report.text)) for cell in row]
    assert "'" + formula in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]


# --- 7. the smaller ones --------------------------------------------------------------------------------

async def test_a_signed_out_agents_socket_hears_no_more_customers(stack, chat):
    username, password = new_account(stack)
    token = login(stack, username, password).json()["token"]
    customer = chat()
    loop = asyncio.get_running_loop()
    async with websockets.connect(stack.desk_url.replace("http", "ws") + "/api/agent/ws?token=" + token) as console:
        await loop.run_in_executor(None, lambda: requests.post(stack.desk_url + "/api/agent/logout", timeout=10,
                                                               headers={"Authorization": f"Bearer {token}"}))
        await loop.run_in_executor(None, lambda: customer.say("Ik wil een medewerker spreken"))
        heard, deadline = [], loop.time() + 3
        try:
            while True:  # heartbeats come every few seconds while the socket is open
                heard.append(json.loads(await asyncio.wait_for(console.recv(), max(deadline - loop.time(), 0.01))))
        except (asyncio.TimeoutError, websockets.ConnectionClosed):
            pass
        assert not [push for push in heard if push.get("type") in ("message", "state", "queue_changed", "new_handoff")]
        assert console.close_code == 4401


def test_a_huge_chunked_body_is_refused_while_it_streams(stack):
    def body():
        yield b'{"text": "'
        for _ in range(3000):  # 200 MB, if the desk read it all
            yield b"x" * 65536
    answer = requests.post(stack.desk_url + "/api/conversations", data=body(), timeout=60,
                           headers={"Content-Type": "application/json"})
    assert answer.status_code == 413
    assert requests.get(stack.desk_url + "/health", timeout=30).status_code == 200


def test_odd_ids_paths_and_names_are_refused_not_a_server_error(stack):
    admin = Agent(stack)
    for path in ("/api/handoffs/9223372036854775808", "/api/callbacks/9223372036854775808"):
        assert requests.get(stack.desk_url + path, headers=admin.headers, timeout=10).status_code == 422
    for method, path in (("post", "/api/handoffs/9223372036854775808/claim"), ("delete", "/api/canned/9223372036854775808")):
        assert getattr(requests, method)(stack.desk_url + path, headers=admin.headers, timeout=10).status_code == 422
    nul = requests.post(stack.desk_url + "/api/editor/examples/delete", headers=admin.headers, timeout=10,
                        json={"file": "data/nlu/faq.yml\u0000", "line": 1, "text": "x"})
    assert nul.status_code == 422
    assert requests.post(stack.desk_url + "/api/conversations", data=b"null", timeout=10,
                         headers={"Content-Type": "application/json"}).status_code == 422


def test_a_line_break_in_a_username_forges_no_log_line(stack):
    forged = "iemand\n2026-12-04 10:00:00 INFO login ok for admin"
    assert login(stack, forged, "x").status_code == 422
    login(stack, "iemand\u2028anders", "fout-wachtwoord", address=attacker())  # a separator that is no control character
    log = (stack.log_dir / "desk.log").read_text(errors="replace")
    assert "INFO login ok for admin" not in log


def test_api_answers_are_not_cached_and_the_docs_have_a_policy(stack):
    assert requests.post(stack.desk_url + "/api/conversations", timeout=10).headers["Cache-Control"] == "no-store"
    docs = requests.get(stack.desk_url + "/docs", timeout=10)
    assert "script-src" in docs.headers["Content-Security-Policy"]
