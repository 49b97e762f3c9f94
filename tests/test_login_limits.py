"""Agents' wrong passwords on SQLite and PostgreSQL, over real HTTP: attempts fired at once are counted
before any password is checked (also across two desk replicas), a stranger cannot lock an agent out of a
device or address she used before, admins unlock in the console and with `bot agents unlock`, and the
agent hears what was tried. Plus: a signed-out or disabled agent's live connection hears nothing more."""
from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import websockets

from bot.cli import main as bot_cli
from tests.desk_server import DeskServer
from tests.desk_support import Customer, add_agents, desk_settings, login, project, rasa  # noqa: F401 - fixtures

ATTACKER, OFFICE, HOME = "203.0.113.66", "198.51.100.10", "192.0.2.44"


def attempt(desk, password: str, *, address: str | None = None, session: requests.Session | None = None,
            username: str = "anna") -> requests.Response:
    headers = {"X-Forwarded-For": address} if address else {}
    return (session or requests).post(desk.url + "/api/agent/login", json={"username": username, "password": password},
                                      headers=headers, timeout=30)


@pytest.fixture
def make_desk(database_url, rasa, project):  # noqa: F811 - fixtures
    add_agents(database_url)
    servers = []

    def start(**overrides) -> DeskServer:
        values = dict(login_slowdown_after=100, login_lockout_after=10, trusted_proxies=("127.0.0.1",))
        server = DeskServer(desk_settings(database_url, rasa, project, **{**values, **overrides})).__enter__()
        server.database_url = database_url
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.__exit__(None, None, None)


def fire_at_once(calls) -> list[int]:
    with ThreadPoolExecutor(len(calls)) as pool:
        return [r.status_code for r in pool.map(lambda call: call(), calls)]


def test_fifty_wrong_passwords_at_once_check_at_most_the_limit(make_desk):
    desk = make_desk()
    codes = fire_at_once([lambda i=i: attempt(desk, f"gok-{i}", address=ATTACKER) for i in range(50)])
    assert codes.count(401) == 10 and codes.count(429) == 40, codes


@pytest.mark.postgres
def test_fifty_at_once_spread_over_two_replicas_still_check_at_most_the_limit(pg_database_url, rasa, project):  # noqa: F811
    add_agents(pg_database_url)
    settings = desk_settings(pg_database_url, rasa, project, login_slowdown_after=100, trusted_proxies=("127.0.0.1",))
    with DeskServer(settings) as first, DeskServer(settings) as second:  # two replicas, one database
        codes = fire_at_once([lambda i=i: attempt((first, second)[i % 2], f"gok-{i}", address=ATTACKER)
                              for i in range(50)])
    assert codes.count(401) == 10 and codes.count(429) == 40, codes


def test_a_stranger_cannot_lock_an_agent_out_of_her_own_device_or_address(make_desk):
    desk = make_desk()
    browser = requests.Session()
    assert attempt(desk, "wachtwoord-anna", address=OFFICE, session=browser).status_code == 200
    assert "balie_device" in browser.cookies  # this browser is known to Anna's account from now on
    codes = [attempt(desk, f"gok-{i}", address=ATTACKER).status_code for i in range(15)]
    assert codes == [401] * 10 + [429] * 5
    refused = attempt(desk, "wachtwoord-anna", address=ATTACKER)
    assert refused.status_code == 429 and "15 minuten geblokkeerd" in refused.json()["detail"]
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    # The attacker locked only themselves: Anna gets in from her office, and with her browser even from the
    # attacker's network (a shared Wi-Fi).
    assert attempt(desk, "wachtwoord-anna", address=OFFICE).status_code == 200
    welcome = attempt(desk, "wachtwoord-anna", address=ATTACKER, session=browser)
    assert welcome.status_code == 200
    assert "notice" not in welcome.json()  # already told at the office sign-in just before


def test_the_agent_is_told_how_often_others_tried(make_desk):
    desk = make_desk()
    for i in range(3):
        attempt(desk, f"gok-{i}", address=ATTACKER)
    notice = attempt(desk, "wachtwoord-anna", address=OFFICE).json()["notice"]
    assert "3 keer met een verkeerd wachtwoord" in notice and "Meld het aan je teamleider" in notice
    assert "notice" not in attempt(desk, "wachtwoord-anna", address=OFFICE).json()  # once


def test_guessing_from_many_addresses_holds_up_only_unknown_places_until_an_admin_unlocks(make_desk):
    desk = make_desk(login_lockout_after=2)  # account-wide: 5 x 2 failures from unknown places
    browser = requests.Session()
    assert attempt(desk, "wachtwoord-anna", address=OFFICE, session=browser).status_code == 200
    codes = fire_at_once([lambda i=i: attempt(desk, "fout", address=f"203.0.113.{i}") for i in range(1, 31)])
    assert codes.count(401) == 10 and codes.count(429) == 20, codes
    assert attempt(desk, "wachtwoord-anna", address=HOME).status_code == 429  # a new place: held up for now
    assert attempt(desk, "wachtwoord-anna", address=OFFICE).status_code == 200  # where she signed in before
    assert attempt(desk, "wachtwoord-anna", address=HOME, session=browser).status_code == 200  # her own browser
    admin = login(desk, "demo", "balie-demo")
    access = {a["username"]: a for a in requests.get(desk.url + "/api/agents/access", headers=admin).json()["agents"]}
    assert access["anna"]["locked_until"] and access["bram"]["locked_until"] is None
    assert requests.get(desk.url + "/api/agents/access", headers=login(desk, "bram", "wachtwoord-bram")).status_code == 403
    unlocked = requests.post(desk.url + "/api/agents/anna/unlock", headers=admin)
    assert unlocked.status_code == 200 and unlocked.json()["cleared"] >= 1
    assert attempt(desk, "wachtwoord-anna", address=HOME).status_code == 200
    assert requests.post(desk.url + "/api/agents/niemand/unlock", headers=admin).status_code == 404


def test_bot_agents_unlock_clears_a_lockout(make_desk, monkeypatch, capsys):
    desk = make_desk(login_lockout_after=3)
    for i in range(4):
        attempt(desk, f"gok-{i}")
    assert attempt(desk, "wachtwoord-anna").status_code == 429
    monkeypatch.setenv("DATABASE_URL", desk.database_url)
    assert bot_cli(["agents", "unlock", "Anna"]) == 0
    assert "anna can sign in again" in capsys.readouterr().out
    assert attempt(desk, "wachtwoord-anna").status_code == 200
    assert bot_cli(["agents", "unlock", "niemand"]) == 1


def test_a_refused_attempt_checks_nothing_and_a_right_password_starts_the_count_again(make_desk):
    desk = make_desk(login_lockout_after=3)
    assert [attempt(desk, "fout").status_code for _ in range(2)] == [401, 401]
    assert attempt(desk, "wachtwoord-anna").status_code == 200  # the account's own count starts again
    assert [attempt(desk, "fout").status_code for _ in range(4)] == [401, 401, 401, 429]


async def _pushes_after(socket, seconds: float) -> list[dict]:
    """What the socket hears within `seconds` (heartbeats included), until it closes."""
    seen = []
    deadline = asyncio.get_running_loop().time() + seconds
    try:
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            seen.append(json.loads(await asyncio.wait_for(socket.recv(), max(remaining, 0.01))))
    except (asyncio.TimeoutError, websockets.ConnectionClosed):
        return seen


async def test_after_logout_the_agents_socket_is_closed_and_hears_no_customer(make_desk):
    desk = make_desk()
    anna = login(desk, "anna", "wachtwoord-anna")
    token = anna["Authorization"].split()[1]
    customer = Customer(desk)
    loop = asyncio.get_running_loop()
    async with websockets.connect(desk.url.replace("http", "ws") + "/api/agent/ws?token=" + token) as console:
        await loop.run_in_executor(None, lambda: customer.say("mens graag"))
        assert any(p.get("type") == "message" for p in await _pushes_after(console, 1.0))  # signed in: hears it
        await loop.run_in_executor(None, lambda: requests.post(desk.url + "/api/agent/logout", headers=anna))
        await loop.run_in_executor(None, lambda: customer.say("mijn adres is Dorpsstraat 1"))
        heard = await _pushes_after(console, 2.0)
        assert not [p for p in heard if p.get("type") == "message"], heard
        assert console.close_code == 4401


async def test_a_disabled_agents_socket_is_closed_within_a_heartbeat(make_desk, monkeypatch):
    desk = make_desk(heartbeat_seconds=0.3)
    token = login(desk, "bram", "wachtwoord-bram")["Authorization"].split()[1]
    loop = asyncio.get_running_loop()
    async with websockets.connect(desk.url.replace("http", "ws") + "/api/agent/ws?token=" + token) as console:
        monkeypatch.setenv("DATABASE_URL", desk.database_url)
        assert await loop.run_in_executor(None, lambda: bot_cli(["agents", "disable", "bram"])) == 0
        await _pushes_after(console, 3.0)
        assert console.close_code == 4401
        customer = Customer(desk)
        await loop.run_in_executor(None, lambda: customer.say("hallo"))
    assert requests.get(desk.url + "/api/agent/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_a_newline_in_a_username_cannot_forge_a_log_line(make_desk, caplog):
    desk = make_desk()
    forged = attempt(desk, "x", username="eve\nINFO login ok for admin")
    assert forged.status_code == 422
    import logging

    logging.getLogger("bot.test").warning("failed login for %s", "eve\r\nINFO forged")
    assert "eve\r\nINFO" not in caplog.text and "eve\\r\\nINFO forged" in caplog.text



def test_a_window_ends_after_fifteen_minutes_and_its_counters_are_forgotten(database_url):
    from datetime import timedelta

    from sqlalchemy import func, select

    from bot.config import get_settings
    from bot.desk.agents import lockout
    from bot.desk.agents.models import LoginCount
    from bot.desk.db import make_engine, make_sessionmaker, utcnow

    settings, start = get_settings(), utcnow()
    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine)
    for _ in range(settings.login_lockout_after):
        with sessions.begin() as session:
            lockout.reserve(session, username="anna", address=ATTACKER, device_token=None, settings=settings, now=start)
    with sessions.begin() as session, pytest.raises(lockout.LoginRefused) as refused:
        lockout.reserve(session, username="anna", address=ATTACKER, device_token=None, settings=settings,
                        now=start + timedelta(minutes=14))
    assert 55 <= refused.value.retry_after <= 60  # the lock ends with the window, not a sliding one
    with sessions.begin() as session:  # a new window: counted from one again
        again = lockout.reserve(session, username="anna", address=ATTACKER, device_token=None, settings=settings,
                                now=start + timedelta(minutes=16))
        assert again.wait == 0
    with sessions.begin() as session:
        lockout.forget_expired(session, now=start + timedelta(minutes=32))
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(LoginCount)) == 0
    engine.dispose()
