"""The load balancer's retry rule (bot/nginx.py) against a real nginx: a customer's message that carries its key
in the Idempotency-Key header moves to the other desk when the first one dies with the request in hand; one
without the header does not (nginx cannot know it would be stored once), and the customer gets the 502."""
from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from bot.nginx import nginx_config
from tests.conftest import free_port, require


class DyingDesk(threading.Thread):
    """Reads a request, then closes the connection without an answer: a desk killed mid-turn."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.port = self.server.getsockname()[1]
        self.received: list[bytes] = []

    def run(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            conn.settimeout(5)
            data = b""
            try:
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
            except OSError:
                pass
            self.received.append(data)
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            conn.close()  # a reset, as from a process that is gone


class LiveDesk:
    def __init__(self) -> None:
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                received.append((self.path, self.headers.get("Idempotency-Key"), body))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def balancer(tmp_path: Path):
    require(shutil.which("nginx") is not None, "nginx is not installed (apt-get install nginx-light)")
    dying, live = DyingDesk(), LiveDesk()
    dying.start()
    port = free_port()
    conf = tmp_path / "nginx.conf"
    conf.write_text(nginx_config(prefix=tmp_path, desk_port=port, action_port=free_port(),
                                 desks=[dying.port, live.port], actions=[free_port()]))
    process = subprocess.Popen(["nginx", "-c", str(conf), "-p", str(tmp_path), "-e", str(tmp_path / "error.log"),
                                "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}", dying, live
    finally:
        process.terminate()
        process.wait(timeout=10)
        dying.server.close()
        live.server.shutdown()


def until_the_dying_desk_had_one(url: str, dying: DyingDesk, headers: dict,
                                 path: str = "/api/conversations/abc123/messages") -> tuple[requests.Response, int]:
    """Round robin: at most a few requests before one lands on the dying desk first. Returns its answer and
    how many requests were sent."""
    for sent in range(1, 5):
        before = len(dying.received)
        response = requests.post(url + path, json={"text": "hoi"}, headers=headers, timeout=30)
        if len(dying.received) > before:
            return response, sent
    raise AssertionError("no request reached the dying desk")


def test_a_keyed_message_moves_to_the_other_desk_when_the_first_dies_mid_request(balancer):
    url, dying, live = balancer
    response, sent = until_the_dying_desk_had_one(url, dying, {"Idempotency-Key": "widget-key-0001"})
    assert response.status_code == 200
    assert b"widget-key-0001" in dying.received[-1]  # the desk that died had it in hand
    assert len(live.received) == sent  # every request answered by the live desk, that one too
    assert live.received[-1][:2] == ("/api/conversations/abc123/messages", "widget-key-0001")


def test_a_message_without_a_key_is_not_sent_twice(balancer):
    url, dying, live = balancer
    response, sent = until_the_dying_desk_had_one(url, dying, {})
    assert response.status_code == 502
    assert len(live.received) == sent - 1  # the earlier ones only, not the one the dying desk had


def test_starting_a_conversation_moves_to_the_other_desk(balancer):
    url, dying, live = balancer
    response, sent = until_the_dying_desk_had_one(url, dying, {}, "/api/conversations")
    assert response.status_code == 200 and len(live.received) == sent


def test_the_internal_retry_location_is_not_reachable_from_outside(balancer):
    url, _, live = balancer
    assert requests.post(url + "/@keyed/api/conversations/abc123/messages", json={"text": "hoi"},
                         timeout=10).status_code == 404
    assert live.received == []
