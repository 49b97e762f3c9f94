"""What protects the desk at its edge: which shop sites may use the customer API (CORS, WebSocket origin),
who the client really is behind a proxy, how much of a request body it reads and how long it waits for
one, and the security headers on every answer."""
from __future__ import annotations

import asyncio
import ipaddress
import json
import re

from fastapi import Request
from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket

CUSTOMER_API = re.compile(r"^/api/conversations(/|$)")
STAFF_PAGES = ("/console", "/editor", "/dashboard", "/docs", "/redoc")  # never framed (the API docs with them)
REFUSED_ORIGIN = "Deze website mag de chat van deze winkel niet gebruiken."


def own_origin(scope_headers, scheme: str) -> str:
    host = scope_headers.get("host", "")
    forwarded = scope_headers.get("x-forwarded-proto")
    return f"{(forwarded or scheme).split(',')[0].strip()}://{host}"


def origin_allowed(origin: str | None, own: str, shop_origins: tuple[str, ...]) -> bool:
    """No Origin (not a browser), the desk itself, or one of the configured shop sites."""
    if not origin:
        return True
    origin = origin.rstrip("/")
    same = origin == own or origin.replace("http://", "ws://").replace("https://", "wss://") == own
    return same or origin in shop_origins


def _in(address: str, networks: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for network in networks:
        try:
            if ip in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            continue
    return False


def client_address(request: Request | WebSocket, trusted_proxies: tuple[str, ...]) -> str:
    """The customer's address: the connecting one, or, when that is a trusted proxy, the last address in
    X-Forwarded-For that is not one of our proxies (anything before it could be made up by the client)."""
    peer = request.client.host if request.client else "unknown"
    if not trusted_proxies or not _in(peer, trusted_proxies):
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _in(hop, trusted_proxies):
            return hop
    return hops[0] if hops else peer


def _csp(path: str, own: str) -> str:
    websocket = own.replace("http://", "ws://").replace("https://", "wss://")
    frame = "'none'" if path.startswith(STAFF_PAGES) else "'self'"
    # ReDoc (styled-components) writes its styles into <style> elements it creates: on /redoc only, inline
    # styles are allowed, and its search worker from a blob. Scripts stay the desk's own files everywhere.
    style, worker = ("'self' 'unsafe-inline'", "; worker-src 'self' blob:") if path == "/redoc" else ("'self'", "")
    return (f"default-src 'self'; script-src 'self'; style-src {style}; img-src 'self' data: blob:; "
            f"connect-src 'self' {websocket}; font-src 'self'; object-src 'none'; base-uri 'none'; "
            f"form-action 'self'; frame-ancestors {frame}{worker}")


def cors_headers(origin: str) -> dict[str, str]:
    return {"Access-Control-Allow-Origin": origin, "Vary": "Origin",
            "Access-Control-Allow-Headers": "Authorization, Content-Type, Idempotency-Key",
            "Access-Control-Allow-Methods": "GET, POST, OPTIONS", "Access-Control-Max-Age": "600"}


class Edge:
    """Middleware: shop origins on the customer API, security headers everywhere. Plain ASGI: it only looks at
    the request line and headers and adds headers to the answer's start, so it needs neither a task nor
    streams per request (Starlette's `BaseHTTPMiddleware` cost ~1 ms a turn)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = scope["app"].state.settings
        request_headers = Headers(scope=scope)
        path, method = scope["path"], scope["method"]
        own = own_origin(request_headers, scope.get("scheme", "http"))
        origin = request_headers.get("origin")
        foreign = bool(origin) and origin.rstrip("/") != own
        cors: dict[str, str] = {}
        if CUSTOMER_API.match(path) and foreign:
            if not origin_allowed(origin, own, settings.shop_origins):
                await JSONResponse({"detail": REFUSED_ORIGIN}, status_code=403, headers={"Vary": "Origin"})(
                    scope, receive, send)
                return
            if method == "OPTIONS" and "access-control-request-method" in request_headers:
                await Response(status_code=204, headers=cors_headers(origin.rstrip("/")))(scope, receive, send)
                return
            cors = cors_headers(origin.rstrip("/"))
        elif foreign and method not in ("GET", "HEAD", "OPTIONS"):
            # The staff API is for the desk's own pages: a write from another site is refused outright.
            await JSONResponse({"detail": "Dit verzoek komt van een andere website en wordt geweigerd."},
                               status_code=403)(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.update(cors)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
                headers.setdefault("Content-Security-Policy", _csp(path, own))
                if path.startswith("/api/"):  # conversations, personal data: never in a browser's or proxy's cache
                    headers.setdefault("Cache-Control", "no-store")
                if path.startswith(STAFF_PAGES):
                    headers.setdefault("X-Frame-Options", "DENY")
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """Reads each request body before the app does: at most `max_bytes`, counted while it streams (a chunked
    body has no Content-Length to trust), and within `seconds` (a body that trickles in is dropped with 408,
    so thousands of them cannot hold the desk). The app then gets the body in one piece."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, seconds: float) -> None:
        self.app, self.max_bytes, self.seconds = app, max_bytes, seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or ()).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await _refuse(send, 413, "Het verzoek is te groot.")
            return
        body, size = [], 0
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.seconds
        while True:
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - loop.time()))
            except asyncio.TimeoutError:
                await _refuse(send, 408, "Het verzoek kwam te langzaam binnen. Probeer het opnieuw.")
                return
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await _refuse(send, 413, "Het verzoek is te groot.")
                return
            body.append(chunk)
            if not message.get("more_body"):
                break
        whole: list[Message] = [{"type": "http.request", "body": b"".join(body), "more_body": False}]

        async def replay() -> Message:
            return whole.pop() if whole else await receive()  # afterwards: the client's disconnect

        await self.app(scope, replay, send)


async def _refuse(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close"), (b"cache-control", b"no-store")]})
    await send({"type": "http.response.body", "body": body})
