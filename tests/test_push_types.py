"""One definition of the push messages (bot/desk/push/messages.py), read by the desk's envelopes and by the
widget and the console through the push.js the desk serves; the reconnect-and-catch-up code is written once."""
from __future__ import annotations

import asyncio
import json
import re

import requests
import websockets

from bot.config import ROOT
from bot.desk.push import messages
from tests.desk_support import Customer, desk, login, project, rasa  # noqa: F401 - fixtures

PAGES = [ROOT / "bot/desk/scripts/widget.js", ROOT / "bot/desk/static/console.js", ROOT / "bot/desk/scripts/push.js"]


def test_the_pages_read_the_push_types_from_the_desk_and_spell_none_themselves():
    for page in PAGES:
        spelled = re.findall(r"""\.type\s*===?\s*["'](\w+)["']""", page.read_text())
        assert spelled == [], page.name
        assert "new WebSocket" not in page.read_text() or page.name == "push.js", page.name  # one socket loop


async def test_the_desk_serves_the_types_it_sends(desk, rasa):
    served = requests.get(desk.url + "/push.js")
    assert served.status_code == 200 and served.headers["content-type"].startswith("application/javascript")
    table = json.loads(re.search(r"var TYPES = (\{.*?\});", served.text).group(1))
    assert table == messages.TYPES and set(table.values()) >= {"message", "state", "heartbeat", "resync", "assigned"}
    widget = requests.get(desk.url + "/widget.js").text
    assert widget.startswith("(function () {") and served.text in widget and widget.rstrip().endswith("})();")
    # What the desk really pushes to agents while a customer is handed to Anna is in the table.
    anna = login(desk, "anna", "wachtwoord-anna")
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, lambda: requests.post(desk.url + "/api/agent/status", json={"status": "online"},
                                                           headers=anna))
    token = anna["Authorization"].split()[1]
    async with websockets.connect(desk.url.replace("http", "ws") + f"/api/agent/ws?token={token}") as socket:
        await loop.run_in_executor(None, lambda: Customer(desk).say("mens graag"))
        types: set[str] = set()
        while "assigned" not in types:
            types.add(json.loads(await asyncio.wait_for(socket.recv(), 5))["type"])
    assert types <= set(messages.TYPES.values()) and {"message", "state", "new_handoff", "assigned"} <= types
