"""The desk's edge: which shop sites may use the customer API, the security headers on every page, the
client address behind a proxy, rate limits with Dutch 429 answers, and logged-in customers' tokens."""
from __future__ import annotations

import logging
import re
import socket
import time

import pytest
import requests

from bot import identity
from bot.desk.demo_page import DEMO_SECRET
from bot.signing import customer_signed
from bot.webshop.demo import DEMO_CUSTOMER
from tests.desk_support import login, make_desk, project, rasa  # noqa: F401 - fixtures

SHOP = "http://winkel.example:8080"


# --- shop origins -------------------------------------------------------------------------------------

def test_a_listed_shop_site_may_use_the_customer_api_and_gets_cors_answers(make_desk):
    desk = make_desk(shop_origins=(SHOP,))
    preflight = requests.options(desk.url + "/api/conversations", headers={
        "Origin": SHOP, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == SHOP
    # The widget sends a message's key as Idempotency-Key too (nginx retries such a message on another desk).
    allowed = {h.strip().lower() for h in preflight.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type", "idempotency-key"} <= allowed
    created = requests.post(desk.url + "/api/conversations", headers={"Origin": SHOP})
    assert created.status_code == 201 and created.headers["Access-Control-Allow-Origin"] == SHOP
    said = requests.post(f"{desk.url}/api/conversations/{created.json()['conversation_id']}/messages",
                         json={"text": "hallo"}, headers={"Origin": SHOP,
                                                          "Authorization": "Bearer " + created.json()["token"]})
    assert said.status_code == 200 and said.headers["Access-Control-Allow-Origin"] == SHOP


def test_an_unlisted_site_is_refused_in_dutch_and_nothing_is_created(make_desk):
    desk = make_desk(shop_origins=(SHOP,))
    refused = requests.post(desk.url + "/api/conversations", headers={"Origin": "http://nep-winkel.example"})
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Deze website mag de chat van deze winkel niet gebruiken."
    assert "Access-Control-Allow-Origin" not in refused.headers
    preflight = requests.options(desk.url + "/api/conversations", headers={
        "Origin": "http://nep-winkel.example", "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 403
    # The desk's own demo page (same origin) keeps working, with or without an Origin header.
    assert requests.post(desk.url + "/api/conversations", headers={"Origin": desk.url}).status_code == 201


def test_any_site_may_ask_whether_it_may_use_the_chat_and_a_refused_one_hears_which_setting(make_desk):
    """The widget on a site that is not listed cannot read the customer API's refusal (no CORS headers: the
    browser calls it a network error), so /api/site answers every site whether it is allowed."""
    desk = make_desk(shop_origins=(SHOP,))
    listed = requests.get(desk.url + "/api/site", headers={"Origin": SHOP})
    assert listed.json() == {"allowed": True} and listed.headers["Access-Control-Allow-Origin"] == "*"
    assert requests.get(desk.url + "/api/site", headers={"Origin": desk.url}).json() == {"allowed": True}
    other = requests.get(desk.url + "/api/site", headers={"Origin": "http://nep-winkel.example"})
    assert other.status_code == 200 and other.headers["Access-Control-Allow-Origin"] == "*"
    assert other.json() == {"allowed": False, "origin": "http://nep-winkel.example", "setting": "SHOP_ORIGINS",
                            "text": "De chat is op deze website niet beschikbaar. Neem op een andere manier "
                                    "contact op met de winkel."}


def test_a_foreign_site_cannot_write_to_the_staff_api(make_desk):
    desk = make_desk(shop_origins=(SHOP,))
    refused = requests.post(desk.url + "/api/agent/login", json={"username": "anna", "password": "wachtwoord-anna"},
                            headers={"Origin": SHOP})
    assert refused.status_code == 403


# --- security headers ---------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/console", "/editor", "/dashboard"])
def test_staff_pages_cannot_be_framed_and_allow_no_inline_script(make_desk, path):
    desk = make_desk()
    headers = requests.get(desk.url + path).headers
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and headers["X-Frame-Options"] == "DENY"
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_every_answer_carries_security_headers(make_desk):
    desk = make_desk()
    for path in ("/", "/widget.js", "/api/labels", "/health"):
        headers = requests.get(desk.url + path).headers
        assert "Content-Security-Policy" in headers and headers["X-Content-Type-Options"] == "nosniff", path


# --- rate limits --------------------------------------------------------------------------------------

def test_twenty_wrong_passwords_are_slowed_and_then_refused_with_429(make_desk):
    desk = make_desk(login_slowdown_after=3, login_lockout_after=6)  # the same rule, with fewer seconds of waiting
    answers = [requests.post(desk.url + "/api/agent/login", json={"username": "anna", "password": f"fout-{i}"})
               for i in range(20)]
    codes = [a.status_code for a in answers]
    assert codes[:6] == [401] * 6 and set(codes[6:]) == {429}
    assert "Retry-After" not in answers[0].headers and "Retry-After" not in answers[2].headers
    assert [int(a.headers["Retry-After"]) for a in answers[3:6]] == [1, 2, 4]  # each next try waits longer
    assert "wacht je steeds langer" in answers[4].json()["detail"]
    assert "15 minuten geblokkeerd" in answers[6].json()["detail"]
    # Locked out: even the right password is refused for now; another account is not.
    assert requests.post(desk.url + "/api/agent/login",
                         json={"username": "anna", "password": "wachtwoord-anna"}).status_code == 429
    assert requests.post(desk.url + "/api/agent/login",
                         json={"username": "bram", "password": "wachtwoord-bram"}).status_code == 200


def test_a_hundred_new_conversations_a_minute_from_one_address_are_limited(make_desk):
    desk = make_desk(conversations_per_minute=20)
    codes = [requests.post(desk.url + "/api/conversations").status_code for _ in range(100)]
    assert codes[:20] == [201] * 20 and set(codes[20:]) == {429}
    refused = requests.post(desk.url + "/api/conversations")
    assert "te veel nieuwe gesprekken" in refused.json()["detail"] and int(refused.headers["Retry-After"]) > 0


def test_behind_a_trusted_proxy_each_customer_is_counted_on_their_own_address(make_desk):
    trusting = make_desk(conversations_per_minute=2, trusted_proxies=("127.0.0.1",))
    for customer in ("203.0.113.5", "203.0.113.6"):
        codes = [requests.post(trusting.url + "/api/conversations",
                               headers={"X-Forwarded-For": customer}).status_code for _ in range(3)]
        assert codes == [201, 201, 429], customer
    # Without a trusted proxy the header is the client's own claim and changes nothing.
    direct = make_desk(conversations_per_minute=2)
    codes = [requests.post(direct.url + "/api/conversations", headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code
             for i in range(3)]
    assert codes == [201, 201, 429]


def test_a_flood_of_messages_in_one_conversation_is_slowed_with_a_dutch_answer(make_desk):
    desk = make_desk(messages_per_minute=5)
    created = requests.post(desk.url + "/api/conversations").json()
    auth = {"Authorization": "Bearer " + created["token"]}
    url = f"{desk.url}/api/conversations/{created['conversation_id']}/messages"
    codes = [requests.post(url, json={"text": f"bericht {i}"}, headers=auth).status_code for i in range(8)]
    assert codes == [200] * 5 + [429] * 3
    history = requests.get(url, headers=auth).json()["messages"]
    assert [m["text"] for m in history if m["sender"] == "customer"] == [f"bericht {i}" for i in range(5)]


# --- logged-in customers ------------------------------------------------------------------------------

def test_a_valid_token_tells_rasa_who_the_customer_is_and_a_tampered_one_is_ignored(make_desk, rasa, caplog):  # noqa: F811
    desk = make_desk(identity_secret="geheim")
    good = identity.sign(DEMO_CUSTOMER, "geheim")
    tampered = good[:-1] + ("0" if good[-1] != "0" else "1")
    for token, expected in ((good, {"id": DEMO_CUSTOMER.id}), (tampered, None),
                            (identity.sign(DEMO_CUSTOMER, DEMO_SECRET), None)):  # the demo secret is not this shop's
        created = requests.post(desk.url + "/api/conversations", json={"identity": token}).json()
        requests.post(f"{desk.url}/api/conversations/{created['conversation_id']}/messages", json={"text": "hoi"},
                      headers={"Authorization": "Bearer " + created["token"]})
        sent = rasa.received[-1]
        customer = (sent.get("metadata") or {}).get("customer")
        assert (customer and {"id": customer["id"]}) == expected or customer == expected
        if customer:  # the desk vouches for the id in this conversation, for the action server
            assert customer_signed(desk.app.state.settings.rasa_token, conversation_id=created["conversation_id"],
                                   customer_id=customer["id"], signature=customer["signature"])
    assert "customer identity ignored" in caplog.text


def test_log_lines_carry_no_personal_data(make_desk, caplog):
    desk = make_desk()
    caplog.set_level(logging.WARNING)
    requests.post(desk.url + "/api/agent/login", json={"username": "eva.de.vries@example.nl", "password": "x"})
    logging.getLogger("bot.test").warning("klant belde met 06-12345678 over postcode 1234 AB, iban NL91ABNA0417164300")
    text = caplog.text
    assert "failed login for [e-mail]" in text
    for secret in ("eva.de.vries@example.nl", "06-12345678", "1234 AB", "NL91ABNA0417164300"):
        assert secret not in text


# --- request bodies, ids, caching, the API's own pages ---------------------------------------------------

def _chunked(url: str, chunks, *, pause: float = 0.0, timeout: float = 30) -> requests.Response:
    def body():
        for chunk in chunks:
            yield chunk
            if pause:
                time.sleep(pause)
    return requests.post(url, data=body(), headers={"Content-Type": "application/json"}, timeout=timeout)


def test_a_chunked_body_without_content_length_is_cut_off_at_the_limit(make_desk):
    desk = make_desk()
    streamed = _chunked(desk.url + "/api/conversations", (b'{"identity": "' + b"x" * 65536 for _ in range(200)))
    assert streamed.status_code == 413 and streamed.json()["detail"] == "Het verzoek is te groot."
    assert requests.get(desk.url + "/health/live").status_code == 200
    small = _chunked(desk.url + "/api/conversations", [b'{"identity": ', b'"v1.x.y"}'])
    assert small.status_code == 201  # a chunked body within the limit is read as usual


def test_a_body_that_trickles_in_is_dropped_and_the_desk_keeps_answering(make_desk):
    desk = make_desk(request_body_seconds=1.0)
    slow = []
    for _ in range(60):  # bodies that never finish
        sock = socket.create_connection(("127.0.0.1", desk.port))
        sock.sendall(b"POST /api/conversations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n1\r\n{\r\n")
        slow.append(sock)
    assert requests.get(desk.url + "/health/live", timeout=10).status_code == 200
    for sock in slow:
        sock.settimeout(10)
        answer = sock.recv(4096)
        assert answer.startswith(b"HTTP/1.1 408"), answer[:80]
        sock.close()


@pytest.mark.parametrize("path", ["/api/handoffs/{n}", "/api/handoffs/{n}/messages", "/api/callbacks/{n}"])
def test_ids_beyond_the_database_are_refused_not_a_server_error(make_desk, path):
    desk = make_desk()
    admin = login(desk, "demo", "balie-demo")
    for n in (2**63, 2**64 + 5, 2**31):
        assert requests.get(desk.url + path.format(n=n), headers=admin).status_code == 422, n
    for method, template in (("post", "/api/handoffs/{n}/claim"), ("put", "/api/canned/{n}"), ("delete", "/api/canned/{n}")):
        answer = getattr(requests, method)(desk.url + template.format(n=2**63), headers=admin,
                                           json={"title": "t", "text": "t"})
        assert answer.status_code == 422, template


def test_a_nul_byte_in_an_example_path_is_a_clear_refusal(make_desk):
    desk = make_desk()
    admin = login(desk, "demo", "balie-demo")
    for file in ("data/nlu/faq\u0000.yml", "data/nlu/" + "x" * 190 + ".yml"):
        answer = requests.post(desk.url + "/api/editor/examples/delete", headers=admin,
                               json={"file": file, "line": 3, "text": "hoi"})
        assert answer.status_code == 422 and isinstance(answer.json()["detail"], str), file


def test_null_is_not_a_body_and_not_a_value(make_desk):
    desk = make_desk()
    for body in (b"null", b'{"identity": null}'):
        answer = requests.post(desk.url + "/api/conversations", data=body, headers={"Content-Type": "application/json"})
        assert answer.status_code == 422, body
    assert requests.post(desk.url + "/api/conversations").status_code == 201  # no body at all: a guest
    assert requests.post(desk.url + "/api/conversations", json={}).status_code == 201


def test_api_answers_are_not_cached_and_the_api_pages_have_a_policy(make_desk):
    desk = make_desk()
    created = requests.post(desk.url + "/api/conversations")
    assert created.headers["Cache-Control"] == "no-store"
    assert requests.get(desk.url + "/api/labels").headers["Cache-Control"] == "no-store"
    for page in ("/docs", "/redoc"):
        answer = requests.get(desk.url + page)
        policy = answer.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy and "script-src 'self';" in policy and "http" not in policy
        assert "<script>" not in answer.text  # only the desk's own script files, nothing inline
        for asset in re.findall(r'(?:src|href)="(/[^"]+)"', answer.text):  # the desk serves every one of them
            assert requests.get(desk.url + asset).status_code == 200, asset
    assert requests.get(desk.url + "/docs-assets/core.py").status_code == 404  # only the listed files


def test_the_schema_describes_errors_as_the_desk_sends_them(make_desk):
    desk = make_desk()
    spec = requests.get(desk.url + "/openapi.json").json()
    refused = requests.post(desk.url + "/api/conversations/x/messages", json={"text": ""})
    assert refused.status_code == 422 and isinstance(refused.json()["detail"], str)
    answer = spec["paths"]["/api/conversations/{conversation_id}/messages"]["post"]["responses"]["422"]
    assert answer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Problem"}
    assert {"type": "string"} == {k: v for k, v in spec["components"]["schemas"]["Problem"]["properties"]["detail"]
                                  ["anyOf"][0].items() if k == "type"}
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    assert spec["components"]["schemas"]["MessageIn"]["properties"]["text"]["maxLength"] == 1000  # MAX_MESSAGE_CHARS
