"""The API's documentation: /openapi.json with the errors as the desk really answers them ({"detail": text},
or for editors' checks {"detail": {"message", "findings"}}), and the /docs and /redoc pages with a
Content-Security-Policy of their own (their scripts come from a CDN; inline ones are allowed by hash only)."""
from __future__ import annotations

import base64
import hashlib
import re

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse

PROBLEM = {
    "type": "object", "required": ["detail"], "additionalProperties": False,
    "properties": {"detail": {"anyOf": [
        {"type": "string", "description": "what went wrong, in Dutch, for the person using the page"},
        {"type": "object", "required": ["message"], "properties": {
            "message": {"type": "string"}, "findings": {"type": "array", "items": {"type": "string"}}}},
    ]}},
}
MEANING = {400: "Bad request", 401: "Not signed in, or the token is wrong", 403: "Not allowed",
           404: "Not found", 405: "Method not allowed", 408: "The request body came in too slowly",
           409: "Conflicts with the current state", 413: "Too large", 422: "The request is not valid",
           429: "Too many requests (see Retry-After)", 502: "A service behind the desk refused",
           503: "A service behind the desk is unavailable"}
CDN = "https://cdn.jsdelivr.net"


def openapi(app: FastAPI) -> dict:
    """FastAPI's schema, with every error answer described as the desk sends it (not FastAPI's own list of
    validation errors, which the desk turns into one Dutch sentence)."""
    if app.openapi_schema:
        return app.openapi_schema
    spec = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Problem"] = PROBLEM
    customer_text = schemas.get("MessageIn", {}).get("properties", {}).get("text")
    if customer_text is not None:  # this desk's MAX_MESSAGE_CHARS (longer: 413)
        customer_text["maxLength"] = app.state.settings.max_message_chars
    for operations in spec.get("paths", {}).values():
        for operation in operations.values():
            for status, answer in operation.get("responses", {}).items():
                if status.isdigit() and int(status) >= 400:
                    answer["description"] = MEANING.get(int(status), answer.get("description") or "Error")
                    answer["content"] = {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    app.openapi_schema = spec
    return spec


def _hashes(html: str, tag: str) -> str:
    inline = re.findall(rf"<{tag}>(.*?)</{tag}>", html, re.S)
    return " ".join("'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"
                    for text in inline)


def _page(html: str, policy: str) -> HTMLResponse:
    return HTMLResponse(html, headers={"Content-Security-Policy": policy, "Cache-Control": "no-store"})


def install(app: FastAPI) -> None:
    """Serves /docs and /redoc (FastAPI's own are switched off in create_app)."""
    app.openapi = lambda: openapi(app)
    swagger = get_swagger_ui_html(openapi_url="/openapi.json", title=f"{app.title} – API").body.decode()
    swagger_policy = (f"default-src 'none'; script-src {CDN} {_hashes(swagger, 'script')}; "
                      f"style-src {CDN} 'unsafe-inline'; img-src 'self' data: https://fastapi.tiangolo.com; "
                      "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
    redoc = get_redoc_html(openapi_url="/openapi.json", title=f"{app.title} – API").body.decode()
    redoc_policy = (f"default-src 'none'; script-src {CDN}; worker-src blob:; "
                    "style-src 'unsafe-inline' https://fonts.googleapis.com; font-src https://fonts.gstatic.com; "
                    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; connect-src 'self'; "
                    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return _page(swagger, swagger_policy)

    @app.get("/redoc", include_in_schema=False)
    async def redoc_page() -> HTMLResponse:
        return _page(redoc, redoc_policy)
