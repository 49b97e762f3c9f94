"""The production topology on loopback, started with the real command (`bot run --replicas 2`): nginx, two
desk replicas, two Rasa replicas on PostgreSQL with Redis locks, two action servers, and a Redis of the
test's own that a test may kill."""
from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from bot.config import ROOT
from tests.conftest import LOOPBACK_CUSTOMERS, POSTGRES_BASE, RedisServer, free_port, require


class Cluster:
    def __init__(self, folder: Path, model: Path, database_url: str, redis: RedisServer) -> None:
        self.folder, self.model, self.database_url, self.redis = folder, model, database_url, redis
        self.ports = {"desk": free_port(), "rasa": free_port(), "action": free_port()}
        self.logs = folder / "logs"
        self.url = f"http://127.0.0.1:{self.ports['desk']}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {**os.environ, "MAX_CHATS_PER_AGENT": "3", "HEARTBEAT_SECONDS": "2", "CALLBACK_CHECK_SECONDS": "5",
               **LOOPBACK_CUSTOMERS}
        env.pop("SHOP_DATABASE_URL", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--replicas", "2", "--database", self.database_url,
             "--redis", self.redis.url, "--desk-port", str(self.ports["desk"]), "--rasa-port", str(self.ports["rasa"]),
             "--action-port", str(self.ports["action"]), "--log-dir", str(self.logs), "--model", str(self.model),
             "--start-timeout", "420"],
            cwd=ROOT, env=env, stdout=open(self.folder / "bot-run.log", "wb"), stderr=subprocess.STDOUT,
            start_new_session=True)
        self.wait(lambda: "Balie is running" in self.output(), "the cluster runs", 480)

    def output(self) -> str:
        path = self.folder / "bot-run.log"
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"bot run stopped:\n{path.read_text()[-3000:]}")
        return path.read_text() if path.exists() else ""

    def pids(self) -> dict[str, int | None]:
        return json.loads((self.logs / "pids.json").read_text())

    def replica_url(self, name: str) -> str:
        """A replica's own address (desk-1 behind nginx, rasa-1, actions-2 …), as `bot run` chose its port."""
        return f"http://127.0.0.1:{json.loads((self.logs / 'ports.json').read_text())[name]}"

    def kill(self, name: str) -> int:
        pid = self.pids()[name]
        os.kill(pid, signal.SIGKILL)
        return pid

    def restarted(self, name: str, old_pid: int, health: str, seconds: float) -> None:
        self.wait(lambda: self.pids().get(name) not in (None, old_pid) and status(health) == 200,
                  f"{name} restarted", seconds)

    @staticmethod
    def wait(condition, what: str, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.5)
        raise AssertionError(f"timed out after {seconds:.0f} s: {what}")

    def stop(self) -> None:
        if self.process is None:
            return
        children = [pid for pid in self.pids().values() if pid] if (self.logs / "pids.json").exists() else []
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        for pid in children:  # by pid, never by name
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def status(url: str) -> int:
    try:
        return requests.get(url, timeout=3).status_code
    except requests.RequestException:
        return 0


@pytest.fixture(scope="module")
def cluster(model_path, tmp_path_factory):
    import shutil

    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    require(shutil.which("nginx") is not None, "nginx is not installed (apt-get install nginx-light)")
    folder = tmp_path_factory.mktemp("cluster")
    name = "balie_cluster_" + secrets.token_hex(4)
    admin = create_engine(POSTGRES_BASE, future=True, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        require(False, f"PostgreSQL not reachable at {POSTGRES_BASE}: {exc.orig}")
    redis = RedisServer(folder)
    redis.start()
    cluster = Cluster(folder, model_path, POSTGRES_BASE.rsplit("/", 1)[0] + "/" + name, redis)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        redis.kill()
        with admin.connect() as conn:
            for database in (name, name + "_trackers"):
                conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'"))
                conn.execute(text(f'DROP DATABASE IF EXISTS "{database}"'))
        admin.dispose()
