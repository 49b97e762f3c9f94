"""Shared fixtures. Database and browser tests fail (not skip) under CI=true when their dependency is missing."""
from __future__ import annotations

import os
import secrets
import socket
from pathlib import Path

import pytest

from bot.config import ROOT
from bot.processes import Stack
from bot.seed import seed_demo
from tests.stack_clients import Agent, Chat

IN_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_BASE = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")
MODEL = ROOT / "models" / "balie.tar.gz"


# Every test customer comes from 127.0.0.1: the per-address limits are tested on their own.
LOOPBACK_CUSTOMERS = {"CONVERSATIONS_PER_MINUTE": "100000", "MESSAGES_PER_MINUTE": "100000"}
ALWAYS_OPEN = ROOT / "tests" / "data" / "hours_always_open.yml"


@pytest.fixture(scope="session", autouse=True)
def hours_file(tmp_path_factory) -> Path:
    """Tests run at any hour: a copy of an always-open hours file, which a test may close on purpose."""
    path = tmp_path_factory.mktemp("hours") / "business_hours.yml"
    path.write_text(ALWAYS_OPEN.read_text())
    os.environ["BUSINESS_HOURS_FILE"] = str(path)
    yield path
    path.write_text(ALWAYS_OPEN.read_text())


def closed_today_yaml() -> str:
    """Realistic hours with today (Amsterdam) as a holiday: the team is away all day."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    today = datetime.now(ZoneInfo("Europe/Amsterdam")).date().isoformat()
    return f"""timezone: Europe/Amsterdam
hours: {{monday: "08:30-20:00", tuesday: "08:30-20:00", wednesday: "08:30-20:00", thursday: "08:30-20:00",
        friday: "08:30-20:00", saturday: "09:00-17:00", sunday: closed}}
holidays:
  - {{date: {today}, name: Teamdag}}
callbacks: {{slot_minutes: 120, days_ahead: 3, slots_per_day: 3, per_slot: 4, lead_minutes: 30}}
"""


@pytest.fixture
def closed_today(hours_file):
    """The team is away today (a holiday in the hours file) for the duration of one test."""
    hours_file.write_text(closed_today_yaml())
    yield hours_file
    hours_file.write_text(ALWAYS_OPEN.read_text())


def require(condition: bool, why: str) -> None:
    """Skip on a developer machine that lacks something; fail in CI, where it must be there."""
    if not condition:
        if IN_CI:
            pytest.fail(f"required in CI: {why}")
        pytest.skip(why)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_url():
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    name = "balie_test_" + secrets.token_hex(4)
    admin = create_engine(POSTGRES_BASE, future=True, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        require(False, f"PostgreSQL not reachable at {POSTGRES_BASE}: {exc.orig}")
    url = POSTGRES_BASE.rsplit("/", 1)[0] + "/" + name
    yield url
    with admin.connect() as conn:
        conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def fresh_schema(url: str) -> str:
    """Drops what an earlier test left in the database and brings it to the newest schema."""
    from sqlalchemy import create_engine

    from bot.desk import models  # noqa: F401 - every table on the metadata, so drop_all sees them all
    from bot.desk.db import Base
    from bot.desk.migrate import upgrade
    from bot.webshop.sql import metadata as shop_metadata

    if url.startswith("postgresql"):
        engine = create_engine(url, future=True)
        Base.metadata.drop_all(engine)
        shop_metadata.drop_all(engine)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        engine.dispose()
    upgrade(url)
    return url


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path) -> str:
    """An empty database brought to the newest schema, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return fresh_schema(f"sqlite:///{tmp_path / 'desk.db'}")
    return fresh_schema(request.getfixturevalue("postgres_url"))


@pytest.fixture
def session(database_url):
    """A session on `database_url` (both databases); a test file may define its own."""
    from bot.desk.db import make_engine, make_sessionmaker

    engine = make_engine(database_url)
    with make_sessionmaker(engine)() as session:
        yield session
    engine.dispose()


@pytest.fixture
def pg_database_url(postgres_url) -> str:
    """An empty PostgreSQL database at the newest schema (what several desk replicas share)."""
    return fresh_schema(postgres_url)


class RedisServer:
    """A redis-server of the test's own on a free loopback port: a test may stop and start it."""

    def __init__(self, folder: Path) -> None:
        import shutil

        self.binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        require(Path(self.binary).exists(), "redis-server is not installed (apt-get install redis-server)")
        self.port, self.folder, self.process = free_port(), folder, None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import subprocess
        import time

        import redis

        self.process = subprocess.Popen([self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                         "--appendonly", "no", "--dir", str(self.folder)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                client.ping()
                return
            except redis.RedisError:
                time.sleep(0.05)
        raise TimeoutError("redis-server did not start")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.kill()


@pytest.fixture(scope="session")
def model_path() -> Path:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` (make test does this first)")
    return MODEL


# One real stack (Rasa, action server, desk as processes), shared by the end-to-end and browser tests.
@pytest.fixture(scope="session")
def stack(model_path, tmp_path_factory):
    from tests.desk_support import project_copy

    folder = tmp_path_factory.mktemp("stack")
    url = f"sqlite:///{folder / 'balie.db'}"
    seed_demo(url)
    project = project_copy(folder / "project")  # editors' changes in tests stay out of the repo
    shop_port = free_port()  # a shop's own site on another origin (tests/browser/shop_site.py)
    # Its Rasa token starts with "-" (one start in 64 used to die on that), and it trusts 127.0.0.1 as its proxy,
    # so a test can play a customer or attacker elsewhere with X-Forwarded-For (tests/test_attacks.py).
    stack = Stack(database_url=url, model=model_path, log_dir=folder / "logs", rasa_port=free_port(),
                  action_port=free_port(), desk_port=free_port(), rasa_token="-" + secrets.token_urlsafe(24),
                  extra_env={"MAX_CHATS_PER_AGENT": "1", "BOT_PROJECT_DIR": str(project), **LOOPBACK_CUSTOMERS,
                             "SHOP_ORIGINS": f"http://127.0.0.1:{shop_port}", "TRUSTED_PROXIES": "127.0.0.1",
                             "MODELS_DIR": str(folder / "models")})
    stack.project_dir, stack.shop_port = project, shop_port
    stack.start()
    try:
        stack.wait_healthy(timeout=300)
        yield stack
    finally:
        stack.stop()


@pytest.fixture
def chat(stack):
    return lambda: Chat(stack)


@pytest.fixture
def agent(stack):
    return Agent(stack)
