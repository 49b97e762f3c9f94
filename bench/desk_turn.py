"""The desk's added time per FAQ turn: p50 of a turn through the desk against the same turn straight to Rasa's
desk channel, interleaved in rounds on one stack so that machine noise hits both alike."""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests

from bench.run import to_rasa
from bot.config import ROOT
from bot.processes import Stack
from bot.seed import seed_demo
from tests.conftest import LOOPBACK_CUSTOMERS, free_port

FAQ = "Wat kost verzenden?"


def main(rounds: int = 8, turns: int = 25, model: str | None = None) -> None:
    folder = Path(tempfile.mkdtemp(prefix="balie-deskturn-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    seed_demo(url)
    stack = Stack(database_url=url, model=Path(model) if model else ROOT / "models" / "balie.tar.gz",
                  log_dir=folder / "logs", rasa_port=free_port(), action_port=free_port(), desk_port=free_port(),
                  extra_env=LOOPBACK_CUSTOMERS)
    stack.start()
    try:
        stack.wait_healthy(timeout=300)
        http = requests.Session()
        created = http.post(stack.desk_url + "/api/conversations", timeout=30).json()
        cid, headers = created["conversation_id"], {"Authorization": "Bearer " + created["token"]}
        sender = uuid.uuid4().hex

        def desk() -> float:
            start = time.perf_counter()
            r = http.post(f"{stack.desk_url}/api/conversations/{cid}/messages", json={"text": FAQ}, headers=headers,
                          timeout=60)
            assert r.status_code == 200 and r.json()["replies"], r.text
            return time.perf_counter() - start

        def rasa() -> float:
            start = time.perf_counter()
            r = to_rasa(http, stack, "desk", sender, FAQ)  # signed as the desk signs it
            assert r.status_code == 200, r.text
            return time.perf_counter() - start

        desk(), rasa()  # warm-up
        through, straight = [], []
        for _ in range(rounds):
            through += [desk() for _ in range(turns)]
            straight += [rasa() for _ in range(turns)]
        d, r = statistics.median(through) * 1000, statistics.median(straight) * 1000
        print(f"FAQ turn, {len(through)} each: through the desk p50 {d:.1f} ms, straight to Rasa's desk channel "
              f"p50 {r:.1f} ms, the desk adds {d - r:.1f} ms")
    finally:
        stack.stop()


if __name__ == "__main__":
    main(model=sys.argv[1] if len(sys.argv) > 1 else None)
