"""A real HTTP stand-in for Rasa and the action server, scripted per test (desk API tests)."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests


class FakeRasa:
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
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                if self.path == "/health" and not fake.action_server_up:
                    return self._send(503, {})
                self._send(200, {"status": "ok"})

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"null")
                if self.path.startswith("/webhooks/rest/webhook"):
                    fake.received.append(body)
                    text = body["message"]
                    if "knop" in text:
                        return self._send(200, [{"recipient_id": body["sender"], "text": "Wil je een medewerker?",
                                                 "buttons": [{"title": "Ja", "payload": "/affirm"},
                                                             {"title": "Nee", "payload": "/deny"}]}])
                    if "mens" in text:
                        context = {"conversation_id": body["sender"], "reason": "customer_request", "priority": "normal",
                                   "signals": [], "summary": "Klant wil een medewerker spreken.", "topics": ["request_human"],
                                   "facts": {}, "bot_actions": [], "transcript": [{"sender": "customer", "text": text, "at": "x"}]}
                        answer = requests.post(fake.desk_url + "/api/internal/handoffs", json=context,
                                               headers={"X-Desk-Secret": fake.desk_secret}, timeout=5).json()
                        return self._send(200, [{"recipient_id": body["sender"],
                                                 "text": f"Ik verbind je door. Je bent nummer {answer['position']}."}])
                    if not fake.action_server_up:
                        return self._send(200, [])
                    return self._send(200, [{"recipient_id": body["sender"], "text": f"echo: {text}"}])
                if self.path.startswith("/conversations/") and "/tracker/events" in self.path:
                    fake.tracker_events.append(body)
                    return self._send(200, {})
                if self.path.startswith("/conversations/") and "/trigger_intent" in self.path:
                    fake.triggered.append(body["name"])
                    return self._send(200, {"messages": [{"recipient_id": "x", "text": "Ik ben er weer."}]})
                self._send(404, {})

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "FakeRasa":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
