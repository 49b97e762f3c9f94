"""Clients for the running stack: a customer on the public API and an agent on the agent API."""
from __future__ import annotations

import requests

from bot.processes import Stack
from bot.seed import DEMO_AGENT


class Chat:
    """A customer talking to the desk's public API."""

    def __init__(self, stack: Stack) -> None:
        self.url = stack.desk_url
        created = requests.post(self.url + "/api/conversations", timeout=10).json()
        self.id, self.token = created["conversation_id"], created["token"]
        self.state = "bot"

    def say(self, text: str, payload: str | None = None) -> str:
        body = {"text": text} if payload is None else {"text": text, "payload": payload}
        response = requests.post(f"{self.url}/api/conversations/{self.id}/messages", json=body,
                                 headers={"Authorization": f"Bearer {self.token}"}, timeout=60)
        assert response.status_code == 200, response.text
        data = response.json()
        self.state = data["state"]
        self.last = data
        return " ".join(r["text"] for r in data["replies"])


class Agent:
    def __init__(self, stack: Stack) -> None:
        self.url = stack.desk_url
        token = requests.post(self.url + "/api/agent/login", json={
            "username": DEMO_AGENT["username"], "password": DEMO_AGENT["password"]}, timeout=10).json()["token"]
        self.headers = {"Authorization": f"Bearer {token}"}

    def handoff_for(self, conversation_id: str) -> dict:
        data = requests.get(self.url + "/api/handoffs", headers=self.headers, timeout=10).json()
        [summary] = [h for h in data["queue"] + data["mine"] if h["conversation_id"] == conversation_id]
        return requests.get(f"{self.url}/api/handoffs/{summary['id']}", headers=self.headers, timeout=10).json()

    def post(self, path: str, **kwargs) -> requests.Response:
        return requests.post(self.url + path, headers=self.headers, timeout=60, **kwargs)

    def serve_everyone_waiting(self) -> None:
        """Earlier tests on the shared stack leave customers in line; online agents get them first
        (priority, then waiting time). Goes online, resolves every chat it gets until the line is empty,
        and goes offline again."""
        self.post("/api/agent/status", json={"status": "online"})
        try:
            for _ in range(200):
                lists = requests.get(self.url + "/api/handoffs", headers=self.headers, timeout=10).json()
                if not lists["mine"] and not lists["queue"]:
                    return
                for handoff in lists["mine"]:
                    self.post(f"/api/handoffs/{handoff['id']}/resolve")
            raise AssertionError("the queue did not empty")
        finally:
            self.post("/api/agent/status", json={"status": "offline"})
