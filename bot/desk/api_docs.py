"""The API's documentation: /openapi.json with the errors as the desk really answers them ({"detail": text},
or for editors' checks {"detail": {"message", "findings"}}), and the /docs and /redoc pages, whose
Swagger UI and ReDoc come from the desk itself (no CDN: they work offline, under the desk's own policy)."""
from __future__ import annotations

from html import escape
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, HTTPException
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, HTMLResponse

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
# Swagger UI and ReDoc as the PyPI package fastapi-offline ships them (pinned in constraints.txt): served by
# the desk itself, so /docs works without the internet and under the desk's own Content-Security-Policy.
ASSETS = Path(fastapi_offline.__file__).parent / "static"
ASSET_TYPES = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css",
               "redoc.standalone.js": "text/javascript", "favicon.png": "image/png"}

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


PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title}</title>
  <link rel="icon" href="/docs-assets/favicon.png">
  {head}
</head>
<body>
  <div id="{root}"></div>
  <script src="/docs-assets/{bundle}"></script>
  <script src="/static/{start}"></script>
</body>
</html>
"""


def page(*, title: str, root: str, bundle: str, start: str, head: str = "") -> str:
    """The page without inline script: the bundle, then the desk's own start script (bot/desk/static)."""
    return PAGE.format(title=escape(title), root=root, bundle=bundle, start=start, head=head)


def install(app: FastAPI) -> None:
    """Serves /docs and /redoc and their assets (FastAPI's own pages are switched off in create_app). The
    security headers, the Content-Security-Policy of every desk page included, come from security.Edge."""
    app.openapi = lambda: openapi(app)
    title = f"{app.title} – API"
    swagger = page(title=title, root="swagger-ui", bundle="swagger-ui-bundle.js", start="api-docs-swagger.js",
                   head='<link rel="stylesheet" href="/docs-assets/swagger-ui.css">')
    redoc = page(title=title, root="redoc", bundle="redoc.standalone.js", start="api-docs-redoc.js")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(swagger, headers={"Cache-Control": "no-store"})

    @app.get("/redoc", include_in_schema=False)
    async def redoc_page() -> HTMLResponse:
        return HTMLResponse(redoc, headers={"Cache-Control": "no-store"})

    @app.get("/docs-assets/{name}", include_in_schema=False)
    async def asset(name: str) -> FileResponse:
        if name not in ASSET_TYPES:
            raise HTTPException(404, detail="Dit bestand bestaat niet.")
        return FileResponse(ASSETS / name, media_type=ASSET_TYPES[name],
                            headers={"Cache-Control": "public, max-age=86400"})
