"""`bot run` (what `make run` starts) keeps serving when a process dies: it is restarted, customers are
told politely meanwhile and queued for a person, and Ctrl-C still stops everything."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from bot.config import ROOT
from tests.conftest import free_port

pytestmark = pytest.mark.e2e


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = Path(f"/proc/{pid}/stat").read_text().split()[2] if Path(f"/proc/{pid}/stat").exists() else "X"
    return state not in ("Z", "X")


def wait(condition, what: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out after {seconds:.0f} s: {what}")


class Customer:
    def __init__(self, url: str) -> None:
        created = requests.post(url + "/api/conversations", timeout=10).json()
        self.url, self.id = url, created["conversation_id"]
        self.headers = {"Authorization": "Bearer " + created["token"]}

    def say(self, text: str) -> dict:
        response = requests.post(f"{self.url}/api/conversations/{self.id}/messages", json={"text": text},
                                 headers=self.headers, timeout=60)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def bot_run(model_path, tmp_path):
    ports = {"desk": free_port(), "rasa": free_port(), "action": free_port()}
    logs = tmp_path / "logs"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'balie.db'}"}
    env.pop("SHOP_DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--desk-port", str(ports["desk"]), "--rasa-port", str(ports["rasa"]),
         "--action-port", str(ports["action"]), "--log-dir", str(logs), "--model", str(model_path)],
        cwd=ROOT, env=env, stdout=open(tmp_path / "bot-run.log", "wb"), stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{ports['desk']}"
    try:
        log = tmp_path / "bot-run.log"
        wait(lambda: process.poll() is None and "Balie is running" in log.read_text(), "bot run says it runs", 300)
        yield url, logs, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        for pid in json.loads((logs / "pids.json").read_text()).values() if (logs / "pids.json").exists() else ():
            if pid and alive(pid):
                os.kill(pid, signal.SIGKILL)


def _status(url: str) -> int:
    try:
        return requests.get(url, timeout=3).status_code
    except requests.RequestException:
        return 0


def pids(logs: Path) -> dict:
    return json.loads((logs / "pids.json").read_text())


def test_killing_the_action_server_or_rasa_does_not_stop_the_desk(bot_run):
    url, logs, process = bot_run
    before = pids(logs)

    os.kill(before["actions"], signal.SIGKILL)
    wait(lambda: not alive(before["actions"]), "the action server is gone", 10)
    lookup = Customer(url).say("Waar is mijn pakket? WS-100001, postcode 1234AB")
    assert lookup["state"] == "queued" and "storing" in lookup["replies"][0]["text"]  # told politely, queued
    assert Customer(url).say("Wat kost verzenden?")["state"] == "bot"  # Rasa itself still answers
    wait(lambda: pids(logs)["actions"] not in (None, before["actions"]) and _status(url + "/health") == 200,
         "the action server is restarted", 60)
    assert "morgen tussen 10:00 en 12:00" in " ".join(
        r["text"] for r in Customer(url).say("Waar is mijn pakket? WS-100001, postcode 1234AB")["replies"])

    os.kill(before["rasa"], signal.SIGKILL)
    wait(lambda: not alive(before["rasa"]), "Rasa is gone", 10)
    assert _status(url + "/health/live") == 200 and _status(url + "/health") == 503
    answer = Customer(url).say("Wat kost verzenden?")
    assert answer["state"] == "queued" and "storing" in answer["replies"][0]["text"]
    wait(lambda: _status(url + "/health") == 200, "Rasa is restarted", 180)
    assert "€ 4,95" in Customer(url).say("Wat kost verzenden?")["replies"][0]["text"]
    assert process.poll() is None and "actions stopped (exit -9); restarting" in (logs.parent / "bot-run.log").read_text()

    children = [pid for pid in pids(logs).values() if pid]
    process.send_signal(signal.SIGINT)  # Ctrl-C
    process.wait(timeout=30)
    assert not [pid for pid in children if alive(pid)]
