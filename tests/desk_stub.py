"""A real HTTP endpoint that records the handoffs the action server posts (for action tests)."""
from __future__ import annotations

from tests.local_http import JsonHandler, LocalServer


class DeskStub(LocalServer):
    def __init__(self, secret: str) -> None:
        self.handoffs: list[dict] = []
        self.secret = secret
        stub = self

        class Handler(JsonHandler):
            def do_POST(self):
                body = self.read_json()
                if self.headers.get("X-Desk-Secret") != stub.secret:
                    status, answer = 401, {"detail": "wrong secret"}
                else:
                    stub.handoffs.append(body)
                    status, answer = 200, {"handoff_id": len(stub.handoffs), "created": True,
                                           "position": len(stub.handoffs), "estimated_wait_minutes": 5 * len(stub.handoffs)}
                self.send_json(status, answer)

        self.serve(Handler)
