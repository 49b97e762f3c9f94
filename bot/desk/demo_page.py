"""The demo shop page at / and its switch to act as a logged-in demo customer (only with BALIE_DEMO=1).

A real shop renders the signed token into its own page, on its own server, for a logged-in customer:
<script src="…/widget.js" data-customer-token="v1.…" defer>. The demo page does exactly that, so the demo
shows the real mechanism; the switch is a cookie that says "act as Eva de Vries"."""
from __future__ import annotations

import html
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from bot import identity, serving
from bot.webshop.demo import DEMO_CUSTOMER

router = APIRouter(include_in_schema=False)
PAGE = Path(__file__).parent / "static" / "shop.html"
COOKIE = "balie_demo_customer"
# Used only in demo mode when no SHOP_IDENTITY_SECRET is set, so the switch works out of the box. It is
# public (it is right here), so it only counts for requests that reach the desk on a loopback address:
# `bot serve desk` refuses to listen elsewhere in demo mode without a secret of the shop's own, and this
# holds when the desk is started some other way.
DEMO_SECRET = "balie-demo-identity-secret-not-for-production"


def secret(settings, request: Request) -> str:
    """The secret customer tokens are signed with; empty (nobody is a logged-in customer) when none holds."""
    if settings.identity_secret:
        return settings.identity_secret
    server = request.scope.get("server") or ("", None)
    return DEMO_SECRET if settings.demo_mode and serving.loopback(str(server[0])) else ""


def _account_html(logged_in: bool) -> str:
    if logged_in:
        return (f'<span class="account" data-testid="demo-account">Ingelogd als {html.escape(DEMO_CUSTOMER.name or "")}'
                ' · <a href="/demo/logout">Uitloggen</a></span>')
    return ('<a class="account" href="/demo/login" data-testid="demo-login">'
            f'Inloggen als demoklant ({html.escape(DEMO_CUSTOMER.name or "")})</a>')


@router.get("/")
def shop_page(request: Request) -> HTMLResponse:
    settings = request.app.state.settings
    page = PAGE.read_text(encoding="utf-8")
    if not settings.demo_mode:
        return HTMLResponse(page.replace("<!--account-->", ""))
    logged_in = request.cookies.get(COOKIE) == "1"
    page = page.replace("<!--account-->", _account_html(logged_in))
    key = secret(settings, request)
    if logged_in and key:
        token = identity.sign(DEMO_CUSTOMER, key, ttl=3600)
        page = page.replace('<script src="/widget.js" defer>',
                            f'<script src="/widget.js" data-customer-token="{html.escape(token)}" defer>')
    return HTMLResponse(page)


def _switch(request: Request, on: bool) -> RedirectResponse:
    if not request.app.state.settings.demo_mode:
        raise HTTPException(404, detail="Niet gevonden.")
    response = RedirectResponse("/", status_code=303)
    if on:
        response.set_cookie(COOKIE, "1", httponly=True, samesite="lax")
    else:
        response.delete_cookie(COOKIE)
    return response


@router.get("/demo/login")
def demo_login(request: Request) -> RedirectResponse:
    return _switch(request, True)


@router.get("/demo/logout")
def demo_logout(request: Request) -> RedirectResponse:
    return _switch(request, False)
