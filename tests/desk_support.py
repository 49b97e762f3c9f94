"""The desk in a thread on a real port, with the scripted Rasa stand-in: fixtures and clients for API tests."""
from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import requests

from bot.config import ROOT, Settings, get_settings
from bot.desk.agents import service as agents
from bot.desk.db import make_engine, make_sessionmaker
from tests.conftest import fresh_schema
from tests.desk_server import DeskServer
from tests.fake_rasa import FakeRasa

@pytest.fixture
def rasa():
    with FakeRasa() as fake:
        yield fake


def project_copy(folder: Path) -> Path:
    """The bot's data, domain and config in a scratch folder: editors' changes in tests never touch the repo."""
    shutil.copytree(ROOT / "data", folder / "data")
    for name in ("domain.yml", "config.yml"):
        shutil.copyfile(ROOT / name, folder / name)
    return folder


@pytest.fixture
def project(tmp_path) -> Path:
    return project_copy(tmp_path / "project")


# Every test customer comes from 127.0.0.1: the per-address limit is tested on its own (test_abuse_limits.py).
MANY = 100_000


def desk_settings(database_url: str, rasa: FakeRasa, project: Path, **overrides) -> Settings:
    values = dict(database_url=database_url, rasa_urls=(rasa.url,), action_server_urls=(rasa.url,),
                  demo_mode=True, max_message_chars=1000, max_wait_minutes=15, callback_check_seconds=0.3,
                  project_dir=project, models_dir=project / "models", conversations_per_minute=MANY,
                  messages_per_minute=MANY, tracker_store_url=None, rasa_token="desk-and-bot-test-secret")
    return replace(get_settings(), **{**values, **overrides})


def add_agents(database_url: str) -> None:
    engine = make_engine(database_url)
    with make_sessionmaker(engine)() as session:
        agents.create_agent(session, username="anna", first_name="Anna", password="wachtwoord-anna")
        agents.create_agent(session, username="bram", first_name="Bram", password="wachtwoord-bram")
        agents.create_agent(session, username="eva", first_name="Eva", password="wachtwoord-eva", role="editor")
        agents.create_agent(session, username="demo", first_name="Sanne", password="balie-demo", is_demo=True,
                            role="admin")
        session.commit()
    engine.dispose()


@pytest.fixture
def make_desk(tmp_path, rasa, project):  # noqa: F811 - fixtures
    """Desks on SQLite with the scripted Rasa stand-in and the test agents (anna, bram, eva, demo): start(**settings)."""
    servers = []

    def start(**overrides) -> DeskServer:
        url = fresh_schema(f"sqlite:///{tmp_path / f'desk{len(servers)}.db'}")
        add_agents(url)
        server = DeskServer(desk_settings(url, rasa, project, **overrides)).__enter__()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.__exit__(None, None, None)


@pytest.fixture
def desk(database_url, rasa, project):
    add_agents(database_url)
    with DeskServer(desk_settings(database_url, rasa, project)) as server:
        server.database_url = database_url
        yield server


class Customer:
    def __init__(self, desk):
        self.desk = desk
        created = requests.post(desk.url + "/api/conversations")
        assert created.status_code == 201
        self.id, self.token = created.json()["conversation_id"], created.json()["token"]

    def say(self, text, payload=None, token=None, json_extra=None, **kwargs):
        body = {"text": text} if payload is None else {"text": text, "payload": payload}
        body.update(json_extra or {})
        kwargs.setdefault("headers", {"Authorization": f"Bearer {token or self.token}"})
        return requests.post(f"{self.desk.url}/api/conversations/{self.id}/messages", json=body, **kwargs)

    def history(self):
        response = requests.get(f"{self.desk.url}/api/conversations/{self.id}/messages",
                                headers={"Authorization": f"Bearer {self.token}"})
        assert response.status_code == 200
        return response.json()


def login(desk, username, password):
    response = requests.post(desk.url + "/api/agent/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": "Bearer " + response.json()["token"]}


