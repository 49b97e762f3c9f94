"""Starts Balie's processes, keeps them running, and stops them again.

One `Stack` describes what runs: Rasa, the action server and the desk once each (the embedded default of
`make run`), or a production-like topology on loopback (`replicas` ≥ 2: nginx in front of N desk
replicas and of two action servers, two Rasa replicas; PostgreSQL and Redis shared). `Supervisor`
restarts a process that stops, with backoff, while the others keep serving. Used by `bot run`, the
tests and `make bench`, so all of them run exactly the same stack.
"""
from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit, urlunsplit

import requests

from bot.config import ROOT
from bot.nginx import nginx_config

RASA_REPLICAS = 2
ACTION_REPLICAS = 2
# Rasa's SQL tracker store, reading a bounded dialogue window (bot/rasa/tracker_store.py says why).
TRACKER_STORE = "bot.rasa.tracker_store.WindowedSQLTrackerStore"
LOCK_LIFETIME_SECONDS = 15  # Rasa's per-conversation lock in Redis: a replica that died frees it this soon


@dataclass
class Child:
    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    health: str | None = None  # URL that answers 200 once the process serves
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    restarts: int = 0
    restart_at: float | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


class Supervisor:
    """Keeps children running: a crashed one is restarted with backoff (1, 2, 4 … 30 s; reset after a
    minute of running), the others are not touched. Writes the pids to `pids.json` in the log folder."""

    def __init__(self, log_dir: Path, say: Callable[[str], None] = lambda text: None) -> None:
        self.log_dir = log_dir
        self.children: dict[str, Child] = {}
        self.say = say
        self.stopping = False

    def add(self, child: Child) -> None:
        self.children[child.name] = child

    def start(self, child: Child) -> None:
        child.log.parent.mkdir(parents=True, exist_ok=True)
        with open(child.log, "ab") as log:
            child.process = subprocess.Popen(child.command, cwd=ROOT, env=child.env, stdout=log,
                                             stderr=subprocess.STDOUT, start_new_session=True)
        child.started_at, child.restart_at = time.monotonic(), None
        self._write_pids()

    def start_all(self) -> None:
        for child in self.children.values():
            self.start(child)

    def check(self) -> None:
        """One round: notice stopped children and restart them when their backoff is over."""
        if self.stopping:
            return
        now = time.monotonic()
        for child in self.children.values():
            if child.running():
                continue
            if child.restart_at is None:
                ran = now - child.started_at
                if ran > 60:
                    child.restarts = 0
                delay = min(30.0, 2.0 ** child.restarts)
                child.restarts += 1
                child.restart_at = now + delay
                code = child.process.returncode if child.process else None
                self.say(f"{child.name} stopped (exit {code}); restarting in {delay:.0f} s. "
                         f"Log: {child.log}\n{tail(child.log, 5)}")
            elif now >= child.restart_at:
                self.start(child)
                self.say(f"{child.name} restarted (pid {child.pid}).")

    def stop_all(self) -> None:
        self.stopping = True
        for child in self.children.values():
            if child.running():
                os.killpg(child.process.pid, signal.SIGTERM)
        for child in self.children.values():
            if child.process is None:
                continue
            try:
                child.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(child.process.pid, signal.SIGKILL)
                child.process.wait()

    def pids(self) -> dict[str, int | None]:
        return {name: child.pid if child.running() else None for name, child in self.children.items()}

    def _write_pids(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        (self.log_dir / "pids.json").write_text(json.dumps(self.pids()))


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


def _free_or_other(port: int) -> int:
    """`port` when it is free and outside the kernel's ephemeral range; else a port the kernel hands out to
    bind(0). Inside that range, outgoing connections (Rasa's to PostgreSQL, say) take ports while the stack
    starts, and twice one of them held base + 101 before the replica bound it."""
    low, high = _ephemeral_range()
    with socket.socket() as probe:
        try:
            if low <= port <= high:
                raise OSError("in the ephemeral range")
            probe.bind(("127.0.0.1", port))
        except OSError:
            probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def tail(path: Path, lines: int = 25) -> str:
    if not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _postgres_parts(url: str) -> dict[str, str | int]:
    parts = urlsplit(url.replace("+psycopg2", ""))
    return {"host": parts.hostname or "127.0.0.1", "port": parts.port or 5432, "user": parts.username or "postgres",
            "password": parts.password or "", "db": parts.path.lstrip("/")}


@dataclass
class Stack:
    database_url: str
    model: Path
    log_dir: Path
    rasa_port: int = 5005
    action_port: int = 5055
    desk_port: int = 8000
    demo: bool = True
    replicas: int = 1  # desk replicas; 2 or more: the production topology behind nginx
    redis_url: str | None = None
    ports: dict[str, int] = field(default_factory=dict)  # internal ports per replica (default: base + 100 + i)
    extra_env: dict[str, str] = field(default_factory=dict)
    rasa_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    credentials: Path = ROOT / "credentials.yml"  # Rasa's input channels: the desk's only, unless told otherwise

    def __post_init__(self) -> None:
        self.supervisor = Supervisor(self.log_dir)
        if self.replicas > 1 and not self.database_url.startswith("postgresql"):
            raise ValueError("several replicas share one PostgreSQL database: pass --database postgresql+psycopg2://…")
        if self.replicas > 1 and not self.redis_url:
            raise ValueError("several replicas need Redis for pushes and Rasa's lock store: pass --redis redis://…")

    # --- topology ------------------------------------------------------------------------------------
    @property
    def clustered(self) -> bool:
        return self.replicas > 1

    def port(self, name: str) -> int:
        """A replica's internal port: base + 100 + i when that one is free (see `_free_or_other`). Chosen once
        and written to `ports.json` in the log folder."""
        if name not in self.ports:
            kind, _, number = name.partition("-")
            base = {"desk": self.desk_port, "rasa": self.rasa_port, "actions": self.action_port}[kind]
            self.ports[name] = _free_or_other(base + 100 + int(number or 0))
            self.log_dir.mkdir(parents=True, exist_ok=True)
            (self.log_dir / "ports.json").write_text(json.dumps(self.ports))
        return self.ports[name]

    @property
    def desk_names(self) -> list[str]:
        return [f"desk-{i}" for i in range(1, self.replicas + 1)] if self.clustered else ["desk"]

    @property
    def rasa_names(self) -> list[str]:
        return [f"rasa-{i}" for i in range(1, RASA_REPLICAS + 1)] if self.clustered else ["rasa"]

    @property
    def action_names(self) -> list[str]:
        return [f"actions-{i}" for i in range(1, ACTION_REPLICAS + 1)] if self.clustered else ["actions"]

    def _own_port(self, name: str) -> int:
        if self.clustered:
            return self.port(name)
        return {"desk": self.desk_port, "rasa": self.rasa_port, "actions": self.action_port}[name]

    @property
    def desk_url(self) -> str:
        return f"http://127.0.0.1:{self.desk_port}"

    @property
    def rasa_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{self._own_port(n)}" for n in self.rasa_names]

    @property
    def rasa_url(self) -> str:
        return self.rasa_urls[0]

    @property
    def processes(self) -> dict[str, subprocess.Popen]:
        return {name: c.process for name, c in self.supervisor.children.items() if c.process is not None}

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({
            "DATABASE_URL": self.database_url,
            "RASA_URL": ",".join(self.rasa_urls),
            "RASA_TOKEN": self.rasa_token,
            "ACTION_SERVER_URL": ",".join(f"http://127.0.0.1:{self._own_port(n)}" for n in self.action_names),
            "BALIE_DEMO": "1" if self.demo else "0",
            "SANIC_HOST": "127.0.0.1",  # the action servers listen on loopback only
            "PYTHONUNBUFFERED": "1",
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "RASA_TELEMETRY_ENABLED": "false",
            "TICKET_LOCK_LIFETIME": str(LOCK_LIFETIME_SECONDS),
        })
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        # The desk erases in Rasa's tracker store too (retention, `bot privacy erase`): the same store Rasa uses.
        env["TRACKER_STORE_URL"] = self.tracker_store_url()
        if self.clustered:  # the desks sit behind nginx on loopback: take the customer's address from it
            env.setdefault("TRUSTED_PROXIES", "127.0.0.1")
        env.update(self.extra_env)
        return env

    def tracker_store_url(self) -> str:
        if self.clustered:
            parts = urlsplit(self.database_url)
            return urlunsplit(parts._replace(path=parts.path + "_trackers"))
        return f"sqlite:///{(self.log_dir.parent / 'trackers.db').resolve()}"

    def _endpoints_file(self) -> Path:
        """Rasa's endpoints: the action server(s), and a tracker store that outlives a model swap and a
        Rasa restart (SQLite for one stack; PostgreSQL plus Redis locks for replicas)."""
        path = self.log_dir / "endpoints.yml"
        actions = f"http://127.0.0.1:{self.action_port}/webhook"  # nginx in front of the replicas, or the one
        if self.clustered:
            pg = _postgres_parts(self.database_url)
            redis = urlsplit(self.redis_url or "")
            text = (f'action_endpoint:\n  url: "{actions}"\n'
                    f'tracker_store:\n  type: {TRACKER_STORE}\n  dialect: postgresql\n  url: "{pg["host"]}"\n  port: {pg["port"]}\n'
                    f'  db: "{pg["db"]}_trackers"\n  login_db: "{pg["db"]}"\n  username: "{pg["user"]}"\n'
                    + (f'  password: "{pg["password"]}"\n' if pg["password"] else "")
                    + f'lock_store:\n  type: redis\n  url: "{redis.hostname or "127.0.0.1"}"\n  port: {redis.port or 6379}\n'
                    f'  db: {int((redis.path or "/0").lstrip("/") or 0)}\n  key_prefix: balie\n')
        else:
            trackers = (self.log_dir.parent / "trackers.db").resolve()
            text = (f'action_endpoint:\n  url: "{actions}"\n'
                    f'tracker_store:\n  type: {TRACKER_STORE}\n  dialect: sqlite\n  db: "{trackers}"\n')
        path.write_text(text)
        return path

    def _nginx_file(self) -> Path:
        folder = self.log_dir / "nginx"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "nginx.conf"
        path.write_text(nginx_config(
            prefix=folder, desk_port=self.desk_port, action_port=self.action_port,
            desks=[self.port(n) for n in self.desk_names], actions=[self.port(n) for n in self.action_names]))
        return path

    def children(self) -> list[Child]:
        env, log = self.env(), self.log_dir
        endpoints = self._endpoints_file()
        result: list[Child] = []
        for name in self.action_names:
            port = self._own_port(name)
            result.append(Child(name, [sys.executable, "-m", "bot", "serve", "actions", "--actions", "actions",
                                       "-p", str(port)], env, log / f"{name}.log", f"http://127.0.0.1:{port}/health"))
        for name in self.rasa_names:
            port = self._own_port(name)
            # The token reaches Rasa through RASA_TOKEN in its environment (bot/serving.py), not argv.
            result.append(Child(name, [sys.executable, "-m", "bot", "serve", "rasa", "--enable-api",
                                       "-i", "127.0.0.1", "-p", str(port), "-m", str(self.model),
                                       "--endpoints", str(endpoints), "--credentials", str(self.credentials)],
                                env, log / f"{name}.log", f"http://127.0.0.1:{port}/"))
        for name in self.desk_names:
            port = self._own_port(name)
            result.append(Child(name, [sys.executable, "-m", "uvicorn", "bot.desk.asgi:app", "--host", "127.0.0.1",
                                       "--port", str(port), "--no-access-log", "--timeout-graceful-shutdown", "5",
                                       # the desk reads X-Forwarded-For itself, from TRUSTED_PROXIES only
                                       "--no-proxy-headers"],
                                env, log / f"{name}.log", f"http://127.0.0.1:{port}/health/live"))
        if self.clustered:
            conf = self._nginx_file()
            result.append(Child("nginx", ["nginx", "-c", str(conf), "-p", str(conf.parent), "-e",
                                          str(conf.parent / "error.log"), "-g", "daemon off;"],
                                env, log / "nginx.log", f"{self.desk_url}/health/live"))
        return result

    # --- running -------------------------------------------------------------------------------------
    def start(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for child in self.children():
            self.supervisor.add(child)
        self.supervisor.start_all()

    def wait_healthy(self, timeout: float = 240.0) -> None:
        """Until every process answers and the desk's /health says all is well."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for child in self.supervisor.children.values():
                if child.process is not None and child.process.poll() is not None:
                    raise RuntimeError(f"{child.name} stopped (exit {child.process.returncode}); see {child.log}:\n"
                                       + tail(child.log))
            if self.all_answer():
                return
            time.sleep(1)
        raise TimeoutError("the stack did not become healthy in time:\n"
                           + "\n".join(f"--- {c.name}\n{tail(c.log)}" for c in self.supervisor.children.values()))

    def all_answer(self) -> bool:
        for child in self.supervisor.children.values():
            if child.health and not _answers(child.health):
                return False
        return _answers(self.desk_url + "/health")

    def tail(self, name: str, lines: int = 25) -> str:
        return tail(self.log_dir / f"{name}.log", lines)

    def stop(self) -> None:
        self.supervisor.stop_all()


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def ensure_postgres_database(url: str, *, trackers: bool = False) -> None:
    """Creates the database in `url` (and with `trackers` Rasa's `<name>_trackers` beside it) when it
    does not exist yet: a fresh machine, `make cluster`. Rasa's replicas then only create their tables."""
    from sqlalchemy import create_engine, text

    name = str(_postgres_parts(url)["db"])
    admin = create_engine(url.rsplit("/", 1)[0] + "/postgres", future=True, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            for database in (name, f"{name}_trackers") if trackers else (name,):
                if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": database}).first():
                    conn.execute(text(f'CREATE DATABASE "{database}"'))
    finally:
        admin.dispose()
