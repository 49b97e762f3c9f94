"""A real HTTP shop for tests: the README's shop API contract, served from a SqlWebshop."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlparse

from bot.webshop.sql import SqlWebshop


class ShopServer:
    def __init__(self, shop: SqlWebshop) -> None:
        self.shop = shop
        self.fail_next = 0  # answer this many requests with 503 first
        self.delay_seconds = 0.0
        self.requests = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def _send(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _gate(self) -> bool:
                server.requests += 1
                if server.delay_seconds:
                    import time

                    time.sleep(server.delay_seconds)
                if server.fail_next > 0:
                    server.fail_next -= 1
                    self._send(503, {"error": "busy"})
                    return False
                return True

            def do_GET(self):
                if not self._gate():
                    return
                url = urlparse(self.path)
                parts = url.path.strip("/").split("/")
                postcode = parse_qs(url.query).get("postcode", [""])[0]
                order = server.shop.find_order(unquote(parts[1]), postcode) if len(parts) == 2 else None
                if order is None:
                    self._send(404, {"error": "not found"})
                else:
                    self._send(200, order.to_json())

            def do_POST(self):
                if not self._gate():
                    return
                parts = urlparse(self.path).path.strip("/").split("/")
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                try:
                    registration = server.shop.register_return(unquote(parts[1]), body.get("postcode", ""))
                except LookupError:
                    return self._send(404, {"error": "not found"})
                except ValueError:
                    return self._send(409, {"error": "return term has passed"})
                self._send(201 if registration.created else 200, {
                    "return_code": registration.return_code,
                    "registered_at": registration.registered_at.isoformat(),
                })

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "ShopServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
