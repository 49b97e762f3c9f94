"""The desk's web application: customer API, agent API, pages and health."""
from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Route

from bot import hours as business_hours
from bot.config import Settings, get_settings
from bot.desk.agents.views import router as agents_router
from bot.desk.auth import SignedIn
from bot.desk.bot_client import BotClient
from bot.desk.callbacks.views import router as callbacks_router
from bot.desk.canned.views import router as canned_router
from bot.desk.conversations.states import STATUS_LABELS
from bot.desk.conversations.views import router as conversations_router
from bot.desk import api_docs, demo_page
from bot.desk.db import make_engine, make_sessionmaker
from bot.desk.deps import refused
from bot.desk.editing.history import History
from bot.desk.editing.nlu_report import ReportJob
from bot.nlu import topics as topic_names
from bot.desk.editing.training import Trainer
from bot.desk.errors import Refused
from bot.desk.backtest.views import router as backtest_router
from bot.desk.editing.views import router as editing_router
from bot.desk.handoffs.views import router as handoffs_router
from bot.desk import security
from bot.desk.limits import Limits
from bot import log_masking
from bot.desk.periodic import PeriodicWork, heartbeat_forever
from bot.desk.privacy.trackers import TrackerStore
from bot.desk.privacy.views import router as privacy_router
from bot.desk.reports.views import router as reports_router
from bot.desk.push import Hub, make_relay
from bot.desk.push import messages as push_messages
from bot import labels

STATIC = Path(__file__).parent / "static"
MAX_BODY_BYTES = 64 * 1024


def _page(file: Path, media_type: str):
    """An endpoint without parameters (nothing in the request can choose the file)."""
    async def page() -> FileResponse:
        return FileResponse(file, media_type=media_type)
    return page


def _script(name: str):
    """A script the desk assembles: push.js with the push types, the widget with push.js inside."""
    async def script() -> Response:
        return Response(push_messages.script(name), media_type="application/javascript")
    return script


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    log_masking.install()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await app.state.relay.start()
        try:  # editors' changes become commits: the project needs a repository before the first edit
            await run_in_threadpool(app.state.history.ensure)
        except Exception as exc:  # noqa: BLE001 - no git: editing still works, without history
            logging.getLogger(__name__).warning("editors' history not available: %s", exc)
        tasks = [asyncio.create_task(app.state.periodic.run_forever()),
                 asyncio.create_task(heartbeat_forever(app, settings.heartbeat_seconds))]
        yield
        for task in tasks:
            task.cancel()
        await app.state.relay.stop()
        await app.state.bot.close()
        app.state.engine.dispose()
        app.state.trackers.dispose()

    app = FastAPI(
        title="Balie desk",
        version="1.0.0",
        description="Customer chat API, agent API and handoff intake of the Balie desk.",
        lifespan=lifespan,
        docs_url=None, redoc_url=None,  # api_docs serves them, with a Content-Security-Policy
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings.database_url)
    app.state.sessionmaker = make_sessionmaker(app.state.engine)
    app.state.hub = Hub()
    app.state.trackers = TrackerStore(settings.tracker_store_url)  # Rasa's events, erased with the desk's
    app.state.relay = make_relay(app.state.hub, settings.redis_url)
    app.state.publishers = [app.state.relay]  # where pushes go after a commit (a new channel adds its sender)
    app.state.periodic = PeriodicWork(app, settings.callback_check_seconds)
    app.state.limits = Limits(settings, settings.redis_url)
    app.state.hours = business_hours.HoursFile()  # a broken hours file stops the start with a clear message
    app.state.edit_lock = asyncio.Lock()  # editors' saves go one at a time
    app.state.trainer = Trainer(project_dir=settings.project_dir, models_dir=settings.models_dir,
                                log_dir=settings.models_dir, rasa_urls=list(settings.rasa_urls),
                                rasa_token=settings.rasa_token)
    app.state.history = History(settings.project_dir)  # editors' changes as git commits
    app.state.nlu_report = ReportJob(project_dir=settings.project_dir, out=settings.nlu_report_dir)
    topic_names.use(settings.project_dir)
    app.state.bot = BotClient(list(settings.rasa_urls), settings.rasa_token, list(settings.action_server_urls))

    app.add_middleware(security.BodyLimit, max_bytes=MAX_BODY_BYTES, seconds=settings.request_body_seconds)
    app.add_middleware(security.Edge)  # outermost: shop origins, security headers

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # FastAPI answers an unreadable JSON body with 400; the API contract says 422 for a bad body.
        if exc.status_code == 400 and "parsing the body" in str(exc.detail):
            return JSONResponse({"detail": "Het verzoek is geen geldige JSON."}, status_code=422)
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:  # every method of the resource, not only those of the route that matched first
            headers["Allow"] = ", ".join(sorted({method for route in app.routes if isinstance(route, Route)
                                                 and route.path_regex.match(request.url.path)
                                                 for method in route.methods or ()}))
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers or None)

    app.add_exception_handler(Refused, refused)

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
    app.include_router(backtest_router)
    app.include_router(reports_router)
    app.include_router(privacy_router)

    def database_ok() -> bool:
        try:
            with app.state.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - any failure means unhealthy
            return False

    @app.get("/health", tags=["health"], responses={503: {}})
    async def health() -> JSONResponse:
        """200 only when this desk, its database, Rasa and the action server answer (with replicas: at
        least one of each). `push` says whether live pushes reach the other desk replicas (Redis)."""
        checks = {"desk": True, "database": await run_in_threadpool(database_ok)}
        checks.update(await app.state.bot.health())
        ok = all(checks.values())
        body = {"status": "ok" if ok else "unavailable", "checks": checks, "push": app.state.relay.healthy()}
        return JSONResponse(body, status_code=200 if ok else 503)

    @app.get("/health/ready", tags=["health"], responses={503: {}})
    async def ready() -> JSONResponse:
        """200 when this desk and its database answer: it can take customers (a readiness probe). Rasa and the
        action server are left out on purpose: while they are away the desk still stores every message and
        tells the customer so, which beats taking every desk out of the load balancer."""
        ok = await run_in_threadpool(database_ok)
        return JSONResponse({"status": "ok" if ok else "unavailable", "checks": {"desk": True, "database": ok}},
                            status_code=200 if ok else 503)

    @app.get("/health/live", tags=["health"])
    async def live() -> dict:
        """This desk process answers (a liveness probe: restart it when this fails)."""
        return {"status": "ok"}

    @app.get("/api/labels", tags=["agent"], dependencies=[SignedIn], responses={401: {}})
    def staff_labels() -> dict:
        """Dutch labels for reasons, priorities, signals, topics, facts and handoff statuses: one source for every
        staff page."""
        return {**labels.all_labels(), "handoff_statuses": {s.value: text for s, text in STATUS_LABELS.items()}}

    api_docs.install(app)
    app.include_router(demo_page.router)  # the demo shop at /
    pages = {"/console": ("console.html", "text/html"),
             "/editor": ("editor.html", "text/html"), "/dashboard": ("dashboard.html", "text/html")}
    for path, (name, media_type) in pages.items():
        app.add_api_route(path, _page(STATIC / name, media_type), methods=["GET"], include_in_schema=False)
    for name in ("widget.js", "push.js"):
        app.add_api_route(f"/{name}", _script(name), methods=["GET"], include_in_schema=False)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
