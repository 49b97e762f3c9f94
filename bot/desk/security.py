"""What protects the desk at its edge: which shop sites may use the customer API (CORS, WebSocket origin),
who the client really is behind a proxy, and the security headers on every answer."""
from __future__ import annotations

import ipaddress
import re

from fastapi import Request
from starlette.responses import JSONResponse, Response
from starlette.websockets import WebSocket

CUSTOMER_API = re.compile(r"^/api/conversations(/|$)")
STAFF_PAGES = ("/console", "/editor", "/dashboard")
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
    return ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
            f"connect-src 'self' {websocket}; font-src 'self'; object-src 'none'; base-uri 'none'; "
            f"form-action 'self'; frame-ancestors {frame}")


def cors_headers(origin: str) -> dict[str, str]:
    return {"Access-Control-Allow-Origin": origin, "Vary": "Origin",
            "Access-Control-Allow-Headers": "Authorization, Content-Type",
            "Access-Control-Allow-Methods": "GET, POST, OPTIONS", "Access-Control-Max-Age": "600"}


async def edge(request: Request, call_next) -> Response:
    """Middleware: shop origins on the customer API, security headers everywhere."""
    settings = request.app.state.settings
    own = own_origin(request.headers, request.url.scheme)
    origin = request.headers.get("origin")
    foreign = bool(origin) and origin.rstrip("/") != own
    if CUSTOMER_API.match(request.url.path) and foreign:
        if not origin_allowed(origin, own, settings.shop_origins):
            return JSONResponse({"detail": REFUSED_ORIGIN}, status_code=403, headers={"Vary": "Origin"})
        if request.method == "OPTIONS" and "access-control-request-method" in request.headers:
            return Response(status_code=204, headers=cors_headers(origin.rstrip("/")))
        response = await call_next(request)
        response.headers.update(cors_headers(origin.rstrip("/")))
    elif foreign and request.method not in ("GET", "HEAD", "OPTIONS"):
        # The staff API is for the desk's own pages: a write from another site is refused outright.
        return JSONResponse({"detail": "Dit verzoek komt van een andere website en wordt geweigerd."}, status_code=403)
    else:
        response = await call_next(request)
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if request.url.path not in ("/docs", "/redoc"):  # FastAPI's own API pages bring their own scripts
        headers.setdefault("Content-Security-Policy", _csp(request.url.path, own))
    if request.url.path.startswith(STAFF_PAGES):
        headers.setdefault("X-Frame-Options", "DENY")
    return response
