"""A real HTTP shop for tests: the README's shop API contract, served from a SqlWebshop."""
from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlparse

from bot.webshop.sql import SqlWebshop
from tests.local_http import JsonHandler, LocalServer


class ShopServer(LocalServer):
    def __init__(self, shop: SqlWebshop) -> None:
        self.shop = shop
        self.fail_next = 0  # answer this many requests with 503 first
        self.delay_seconds = 0.0
        self.requests = 0
        server = self

        class Handler(JsonHandler):
            def _gate(self) -> bool:
                server.requests += 1
                if server.delay_seconds:
                    import time

                    time.sleep(server.delay_seconds)
                if server.fail_next > 0:
                    server.fail_next -= 1
                    self.send_json(503, {"error": "busy"})
                    return False
                return True

            def do_GET(self):
                if not self._gate():
                    return
                url = urlparse(self.path)
                parts = url.path.strip("/").split("/")
                if parts[0] == "customers" and len(parts) == 3 and parts[2] == "orders":
                    mine = server.shop.orders_for_customer(unquote(parts[1]))
                    if not mine:
                        return self.send_json(404, {"error": "unknown customer"})
                    return self.send_json(200, {"orders": [o.to_json() for o in reversed(mine)]})  # any order
                postcode = parse_qs(url.query).get("postcode", [""])[0]
                order = server.shop.find_order(unquote(parts[1]), postcode) if len(parts) == 2 else None
                if order is None:
                    self.send_json(404, {"error": "not found"})
                else:
                    self.send_json(200, order.to_json())

            def do_POST(self):
                if not self._gate():
                    return
                parts = urlparse(self.path).path.strip("/").split("/")
                body = self.read_json() or {}
                try:
                    registration = server.shop.register_return(unquote(parts[1]), body.get("postcode", ""))
                except LookupError:
                    return self.send_json(404, {"error": "not found"})
                except ValueError:
                    return self.send_json(409, {"error": "return term has passed"})
                self.send_json(201 if registration.created else 200, {
                    "return_code": registration.return_code,
                    "registered_at": registration.registered_at.isoformat(),
                })

        self.serve(Handler)
