"""The desk's web application: customer API, agent API, pages and health."""
from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot import hours as business_hours
from bot.config import Settings, get_settings
from bot.desk.agents.views import router as agents_router
from bot.desk.bot_client import BotClient
from bot.desk.callbacks import flow as callback_flow
from bot.desk.callbacks.views import router as callbacks_router
from bot.desk.canned.views import router as canned_router
from bot.desk.conversations.views import router as conversations_router
from bot.desk.db import make_engine, make_sessionmaker
from bot.desk.editing.training import Trainer
from bot.desk.editing.views import router as editing_router
from bot.desk.handoffs.views import router as handoffs_router
from bot.desk.push import PushHub
from bot.reports.views import router as reports_router

STATIC = Path(__file__).parent / "static"
MAX_BODY_BYTES = 64 * 1024


def _page(file: Path, media_type: str):
    """An endpoint without parameters (nothing in the request can choose the file)."""
    async def page() -> FileResponse:
        return FileResponse(file, media_type=media_type)
    return page


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        offering = asyncio.create_task(callback_flow.keep_offering(app, settings.callback_check_seconds))
        yield
        offering.cancel()
        await app.state.bot.close()
        app.state.engine.dispose()

    app = FastAPI(
        title="Balie desk",
        version="1.0.0",
        description="Customer chat API, agent API and handoff intake of the Balie desk.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings.database_url)
    app.state.sessionmaker = make_sessionmaker(app.state.engine)
    app.state.hub = PushHub()
    app.state.hours = business_hours.load()  # a broken hours file stops the start with a clear message
    app.state.edit_lock = asyncio.Lock()  # editors' saves go one at a time
    app.state.trainer = Trainer(project_dir=settings.project_dir, models_dir=settings.models_dir,
                                log_dir=settings.models_dir, rasa_url=settings.rasa_url, rasa_token=settings.rasa_token)
    app.state.bot = BotClient(settings.rasa_url, settings.rasa_token, settings.action_server_url)

    @app.middleware("http")
    async def limit_body(request: Request, call_next):
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            return JSONResponse({"detail": "Het verzoek is te groot."}, status_code=413)
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # FastAPI answers an unreadable JSON body with 400; the API contract says 422 for a bad body.
        if exc.status_code == 400 and "parsing the body" in str(exc.detail):
            return JSONResponse({"detail": "Het verzoek is geen geldige JSON."}, status_code=422)
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = sorted({".".join(str(p) for p in error["loc"][1:]) or "body" for error in exc.errors()})
        return JSONResponse({"detail": f"Ongeldig verzoek: controleer {', '.join(fields)}."}, status_code=422)

    app.include_router(conversations_router)
    app.include_router(agents_router)
    app.include_router(handoffs_router)
    app.include_router(canned_router)
    app.include_router(callbacks_router)
    app.include_router(editing_router)
    app.include_router(reports_router)

    @app.get("/health", tags=["health"])
    async def health() -> JSONResponse:
        checks = {"desk": True}
        try:
            with app.state.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            checks["database"] = True
        except Exception:  # noqa: BLE001 - any failure means unhealthy
            checks["database"] = False
        checks.update(await app.state.bot.health())
        ok = all(checks.values())
        return JSONResponse({"status": "ok" if ok else "unavailable", "checks": checks}, status_code=200 if ok else 503)

    pages = {"/": ("shop.html", "text/html"), "/console": ("console.html", "text/html"),
             "/editor": ("editor.html", "text/html"), "/dashboard": ("dashboard.html", "text/html"),
             "/widget.js": ("widget.js", "application/javascript")}
    for path, (name, media_type) in pages.items():
        app.add_api_route(path, _page(STATIC / name, media_type), methods=["GET"], include_in_schema=False)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
