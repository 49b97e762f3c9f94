"""A real HTTP stand-in for Rasa and the action server, scripted per test (desk API tests)."""
from __future__ import annotations

import requests

from tests.local_http import JsonHandler, LocalServer


class FakeRasa(LocalServer):
    """Answers Rasa's REST webhook, tracker events and trigger_intent; also /health for the action server.

    Message rules: text containing "knop" gets a reply with buttons; "mens" makes it post a handoff to the
    desk, as the action server would; anything else is echoed.
    """

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.tracker_events: list[list] = []
        self.triggered: list[str] = []
        self.desk_url = ""
        self.desk_secret = ""
        self.action_server_up = True
        # What the NLU "made of" a message, for the desk channel: vague messages are not understood.
        self.nlu = lambda text: ({"intent": "nlu_fallback", "confidence": 0.31} if "vaag" in text.lower()
                                 else {"intent": "faq", "confidence": 0.99, "response_key": "faq/shipping_costs",
                                       "response_confidence": 0.42} if "cadeau" in text.lower()
                                 else {"intent": "greet", "confidence": 0.97})
        fake = self

        class Handler(JsonHandler):
            def do_GET(self):
                if self.path == "/health" and not fake.action_server_up:
                    return self.send_json(503, {})
                self.send_json(200, {"status": "ok"})

            def do_POST(self):
                body = self.read_json()
                if self.path.startswith(("/webhooks/rest/webhook", "/webhooks/desk/webhook")):
                    fake.received.append(body)
                    text = body["message"]
                    if "knop" in text:
                        return self.send_json(200, [{"recipient_id": body["sender"], "text": "Wil je een medewerker?",
                                                 "buttons": [{"title": "Ja", "payload": "/affirm"},
                                                             {"title": "Nee", "payload": "/deny"}]}])
                    if "mens" in text:
                        context = {"conversation_id": body["sender"], "reason": "customer_request", "priority": "normal",
                                   "signals": [], "summary": "Klant wil een medewerker spreken.", "topics": ["request_human"],
                                   "facts": {}, "bot_actions": [], "transcript": [{"sender": "customer", "text": text, "at": "x"}]}
                        answer = requests.post(fake.desk_url + "/api/internal/handoffs", json=context,
                                               headers={"X-Desk-Secret": fake.desk_secret}, timeout=5).json()
                        offer = answer.get("callback_offer")
                        if offer:  # as actions/handoff.py does: the desk's callback offer instead of a wait
                            return self.send_json(200, [{"recipient_id": body["sender"], "text": "Ik verbind je door."},
                                                        {"recipient_id": body["sender"], "text": offer["text"],
                                                         "buttons": offer["buttons"]}])
                        return self.send_json(200, [{"recipient_id": body["sender"],
                                                 "text": f"Ik verbind je door. Je bent nummer {answer['position']}."}])
                    if not fake.action_server_up:
                        return self.send_json(200, [])
                    replies = [{"recipient_id": body["sender"], "text": f"echo: {text}"}]
                    if self.path.startswith("/webhooks/desk/"):
                        return self.send_json(200, {"messages": replies, "nlu": fake.nlu(text)})
                    return self.send_json(200, replies)
                if self.path.startswith("/conversations/") and "/tracker/events" in self.path:
                    fake.tracker_events.append(body)
                    return self.send_json(200, {})
                if self.path.startswith("/conversations/") and "/trigger_intent" in self.path:
                    fake.triggered.append(body["name"])
                    return self.send_json(200, {"messages": [{"recipient_id": "x", "text": "Ik ben er weer."}]})
                self.send_json(404, {})

        self.serve(Handler)
