"""Runs the desk app with uvicorn in a thread on a free port: real HTTP for API and WebSocket tests."""
from __future__ import annotations

import threading
import time

import uvicorn

from bot.config import Settings
from bot.desk.app import create_app
from tests.conftest import free_port


class DeskServer:
    def __init__(self, settings: Settings) -> None:
        self.port = free_port()
        self.app = create_app(settings)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on",
                                proxy_headers=False)  # as `bot run` starts it: TRUSTED_PROXIES decides
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "DeskServer":
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline:
                raise TimeoutError("desk did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
