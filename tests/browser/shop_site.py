"""A shop's own site on another origin than the desk: a page with the one script tag, the shop's own
rough CSS (which must not reach into the widget) and a strict Content-Security-Policy of its own."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGE = """<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Tuincentrum De Linde</title>
<link rel="stylesheet" href="/shop.css"></head>
<body><h1>Tuincentrum De Linde</h1>
<p class="balie-customer" data-testid="shop-text">Onze eigen tekst, met de klasse die de widget ook gebruikt.</p>
<script src="{desk}/widget.js" defer></script>
</body></html>"""
# Rules a careless shop theme might have: they would hide or deform the widget if they reached it.
CSS = """* { font-family: "Comic Sans MS", cursive !important; color: #c00 !important; }
button { display: none !important; }
textarea { width: 3px !important; height: 3px !important; }
section { transform: rotate(180deg) !important; }"""


class ShopSite:
    def __init__(self, port: int, desk_url: str) -> None:
        self.url = f"http://127.0.0.1:{port}"  # the shop's origin
        desk_ws = desk_url.replace("http://", "ws://")
        policy = (f"default-src 'none'; script-src {desk_url}; connect-src {desk_url} {desk_ws}; style-src 'self'; "
                  "img-src 'self'; base-uri 'none'; form-action 'none'")
        page, css = PAGE.format(desk=desk_url).encode(), CSS.encode()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                body, kind = (css, "text/css") if self.path == "/shop.css" else (page, "text/html; charset=utf-8")
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Content-Security-Policy", policy)
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "ShopSite":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
