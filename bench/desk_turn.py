"""The desk's added time per FAQ turn: p50 of a turn through the desk (with a client_key, as the widget sends
it) against the same turn straight to Rasa's desk channel, interleaved in rounds on one stack so that machine
noise hits both alike; and the desk's CPU time per turn."""
from __future__ import annotations

import os
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


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (/proc/<pid>/stat): steadier than latency on a busy machine."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
            r = http.post(f"{stack.desk_url}/api/conversations/{cid}/messages",
                          json={"text": FAQ, "client_key": uuid.uuid4().hex}, headers=headers, timeout=60)
            assert r.status_code == 200 and r.json()["replies"], r.text
            return time.perf_counter() - start

        def rasa() -> float:
            start = time.perf_counter()
            r = to_rasa(http, stack, "desk", sender, FAQ)  # signed as the desk signs it
            assert r.status_code == 200, r.text
            return time.perf_counter() - start

        desk(), rasa()  # warm-up
        desk_pid = stack.supervisor.children["desk"].pid
        through, straight, desk_cpu = [], [], 0.0
        for _ in range(rounds):
            before = cpu_seconds(desk_pid)
            through += [desk() for _ in range(turns)]
            desk_cpu += cpu_seconds(desk_pid) - before
            straight += [rasa() for _ in range(turns)]
        d, r = statistics.median(through) * 1000, statistics.median(straight) * 1000
        print(f"FAQ turn, {len(through)} each: through the desk p50 {d:.1f} ms, straight to Rasa's desk channel "
              f"p50 {r:.1f} ms, the desk adds {d - r:.1f} ms; desk CPU {desk_cpu / len(through) * 1000:.2f} ms a turn")
    finally:
        stack.stop()


if __name__ == "__main__":
    main(model=sys.argv[1] if len(sys.argv) > 1 else None)
