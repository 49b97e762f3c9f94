"""A real HTTP endpoint that records the handoffs the action server posts (for action tests)."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class DeskStub:
    def __init__(self, secret: str) -> None:
        self.handoffs: list[dict] = []
        self.secret = secret
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                if self.headers.get("X-Desk-Secret") != stub.secret:
                    status, answer = 401, {"detail": "wrong secret"}
                else:
                    stub.handoffs.append(body)
                    status, answer = 200, {"handoff_id": len(stub.handoffs), "created": True,
                                           "position": len(stub.handoffs), "estimated_wait_minutes": 5 * len(stub.handoffs)}
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "DeskStub":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
