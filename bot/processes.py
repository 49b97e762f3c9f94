"""Starts Rasa, the action server and the desk as real processes, and stops them again.

Used by `bot run` (make run) and by the end-to-end tests, so both run exactly the same stack.
"""
from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bot.config import ROOT

BIN = Path(sys.executable).parent


@dataclass
class Stack:
    database_url: str
    model: Path
    log_dir: Path
    rasa_port: int = 5005
    action_port: int = 5055
    desk_port: int = 8000
    demo: bool = True
    extra_env: dict[str, str] = field(default_factory=dict)
    rasa_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    desk_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def desk_url(self) -> str:
        return f"http://127.0.0.1:{self.desk_port}"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({
            "DATABASE_URL": self.database_url,
            "DESK_URL": self.desk_url,
            "DESK_SECRET": self.desk_secret,
            "RASA_URL": self.rasa_url,
            "RASA_TOKEN": self.rasa_token,
            "ACTION_SERVER_URL": f"http://127.0.0.1:{self.action_port}",
            "BALIE_DEMO": "1" if self.demo else "0",
            "SANIC_HOST": "127.0.0.1",  # the action server listens on loopback only
            "PYTHONUNBUFFERED": "1",
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "RASA_TELEMETRY_ENABLED": "false",
        })
        env.update(self.extra_env)
        return env

    def _endpoints_file(self) -> Path:
        path = self.log_dir / "endpoints.yml"
        # Conversations in a SQL tracker store: they survive a model swap from the desk and a Rasa restart.
        trackers = (self.log_dir.parent / "trackers.db").resolve()
        path.write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{self.action_port}/webhook"\n'
                        f'tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: "{trackers}"\n')
        return path

    def commands(self) -> dict[str, list[str]]:
        return {
            "actions": [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "-p", str(self.action_port)],
            "rasa": [str(BIN / "rasa"), "run", "--enable-api", "--auth-token", self.rasa_token,
                     "-i", "127.0.0.1", "-p", str(self.rasa_port), "-m", str(self.model),
                     "--endpoints", str(self._endpoints_file()), "--credentials", str(ROOT / "credentials.yml")],
            "desk": [sys.executable, "-m", "uvicorn", "bot.desk.asgi:app", "--host", "127.0.0.1",
                     "--port", str(self.desk_port), "--no-access-log"],
        }

    def start(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        env = self.env()
        for name, command in self.commands().items():
            log = open(self.log_dir / f"{name}.log", "ab")
            self.processes[name] = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                                    start_new_session=True)

    def wait_healthy(self, timeout: float = 240.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} stopped (exit {process.returncode}); see {self.log_dir / (name + '.log')}:\n"
                                       + self.tail(name))
            try:
                if requests.get(self.desk_url + "/health", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(1)
        raise TimeoutError("the stack did not become healthy in time:\n" + "\n".join(self.tail(n) for n in self.processes))

    def tail(self, name: str, lines: int = 25) -> str:
        path = self.log_dir / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()
