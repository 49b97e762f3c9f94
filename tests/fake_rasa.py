"""A real HTTP stand-in for Rasa and the action server, scripted per test (desk API tests)."""
from __future__ import annotations

import re

from tests.local_http import JsonHandler, LocalServer


class FakeRasa(LocalServer):
    """Answers Rasa's desk webhook, tracker events and trigger_intent; also /health for the action server.

    /model/parse answers with `nlu` below (as Rasa's own endpoint shapes it).
    Message rules: text containing "knop" gets a reply with buttons; "mens" hands over the way the actions
    do (a reply and the handoff context as a custom payload; "urgent"/"high" in the text set the priority);
    "idioot" ends the conversation for abuse; anything else is echoed.
    """

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.tracker_events: list[list] = []
        self.triggered: list[str] = []
        self.trackers: dict[str, list[dict]] = {}  # sender -> events, as Rasa's tracker store keeps them
        self.loaded_models: list[str] = []
        self.action_server_up = True
        self.parsed: list[str] = []  # texts sent to /model/parse (the editors' backtest)
        self.parse_up = True
        # What the NLU "made of" a message, for the desk channel: vague messages are not understood.
        self.nlu = lambda text: ({"intent": "nlu_fallback", "confidence": 0.31} if "vaag" in text.lower()
                                 else {"intent": "faq", "confidence": 0.99, "response_key": "faq/shipping_costs",
                                       "response_confidence": 0.42} if "cadeau" in text.lower()
                                 else {"intent": "greet", "confidence": 0.97})
        fake = self

        class Handler(JsonHandler):
            def do_GET(self):
                if self.path.startswith("/conversations/") and "/tracker" in self.path:
                    sender = self.path.split("/")[2]
                    return self.send_json(200, {"sender_id": sender, "events": fake.trackers.get(sender, [])})
                if self.path == "/health" and not fake.action_server_up:
                    return self.send_json(503, {})
                self.send_json(200, {"status": "ok"})

            def do_PUT(self):
                body = self.read_json()
                if self.path.startswith("/model"):
                    fake.loaded_models.append(body["model_file"])
                    return self.send_json(204, {})
                self.send_json(404, {})

            def do_POST(self):
                body = self.read_json()
                if self.path.startswith("/webhooks/desk/webhook"):
                    fake.received.append(body)
                    messages = fake.answer(body["sender"], body["message"])
                    fake.remember(body["sender"], body["message"], messages)
                    return self.send_json(200, {"messages": messages, "nlu": fake.nlu(body["message"])})
                if self.path.startswith("/model/parse"):
                    if not fake.parse_up:
                        return self.send_json(500, {"message": "model not loaded"})
                    fake.parsed.append(body["text"])
                    nlu = fake.nlu(body["text"])
                    return self.send_json(200, {"text": body["text"], "intent": {"name": nlu["intent"],
                                                                                 "confidence": nlu["confidence"]}})
                if self.path.startswith("/conversations/") and "/tracker/events" in self.path:
                    fake.tracker_events.append(body)
                    return self.send_json(200, {})
                if self.path.startswith("/conversations/") and "/trigger_intent" in self.path:
                    fake.triggered.append(body["name"])
                    return self.send_json(200, {"messages": [{"recipient_id": "x", "text": "Ik ben er weer."}]})
                self.send_json(404, {})

        self.serve(Handler)

    def remember(self, sender: str, text: str, messages: list[dict]) -> None:
        events = self.trackers.setdefault(sender, [])
        events.append({"event": "user", "text": text, "parse_data": {"intent": {"name": self.nlu(text)["intent"],
                                                                               "confidence": 0.9}}})
        events += [{"event": "bot", "text": m.get("text"), "data": {"buttons": m.get("buttons"), "custom": m.get("custom")}}
                   for m in messages]

    def answer(self, sender: str, text: str) -> list[dict]:
        if "knop" in text:
            return [{"recipient_id": sender, "text": "Wil je een medewerker?",
                     "buttons": [{"title": "Ja", "payload": "/affirm"}, {"title": "Nee", "payload": "/deny"}]}]
        if "mens" in text or "idioot" in text:
            close = "idioot" in text
            priority = (re.search(r"\b(urgent|high)\b", text) or [None, "normal"])[1] if not close else "high"
            context = {"conversation_id": sender, "reason": "abuse" if close else "customer_request",
                       "priority": priority, "signals": [], "summary": "Klant wil een medewerker spreken.",
                       "topics": ["request_human"], "facts": {}, "bot_actions": [], "transcript": []}
            said = "Op deze manier kunnen we niet verder." if close else "Ik verbind je door."
            return [{"recipient_id": sender, "text": said},
                    {"recipient_id": sender, "custom": {"handoff": context, "close": close}}]
        if not self.action_server_up:
            return []
        return [{"recipient_id": sender, "text": f"echo: {text}"}]
