"""Rasa's own cost of a FAQ turn at turn 1 and at turn 100 (issue 20): one stack (SQLite, the windowed tracker
store, the REST channel as `make bench` uses it), FAQ turns straight to Rasa, and for every turn the latency and
the CPU time of the Rasa process (all its threads, from /proc/<pid>/task/*/schedstat, nanoseconds), so that the
machine's noise in latency does not hide a change of a few per cent.

    PYTHONPATH=. .venv/bin/python -m bench.rasa_turn_cpu [conversations] [depth]

Prints one JSON line: the medians of turn 1 (fresh conversations) and of the last five turns of `depth`-turn
conversations, and the CPU per turn over the depth in tenths.
"""
from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests

from bench.run import FAQ, to_rasa, with_rest_channel
from bot.config import ROOT
from bot.processes import Stack
from bot.seed import seed_demo
from tests.conftest import LOOPBACK_CUSTOMERS, free_port


def cpu_ns(pid: int) -> int:
    """CPU time of every thread of `pid` so far (ns); threads that ended are in the process's own stat."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


def main(conversations: int = 6, depth: int = 100) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="balie-turn-cpu-"))
    stack = Stack(database_url=f"sqlite:///{folder / 'desk.db'}", model=ROOT / "models" / "balie.tar.gz",
                  log_dir=folder / "logs", rasa_port=free_port(), action_port=free_port(), desk_port=free_port(),
                  extra_env=dict(LOOPBACK_CUSTOMERS), credentials=with_rest_channel(folder))
    seed_demo(stack.database_url)
    stack.start()
    try:
        stack.wait_healthy(timeout=300)
        pid = stack.processes["rasa"].pid
        session = requests.Session()

        def turn(sender: str) -> tuple[float, float]:
            cpu, start = cpu_ns(pid), time.perf_counter()
            response = to_rasa(session, stack, "rest", sender, FAQ)
            elapsed, used = (time.perf_counter() - start) * 1000, (cpu_ns(pid) - cpu) / 1e6
            assert response.status_code == 200 and response.json(), response.text
            return elapsed, used

        for _ in range(5):  # warm-up
            turn(uuid.uuid4().hex)
        first = [turn(uuid.uuid4().hex) for _ in range(40)]
        curves = []
        for _ in range(conversations):
            sender = uuid.uuid4().hex
            curves.append([turn(sender) for _ in range(depth)])
        last = [t for curve in curves for t in curve[-5:]]
        tenths = [round(statistics.median(c[i][1] for c in curves for i in range(k, k + depth // 10)), 2)
                  for k in range(0, depth, depth // 10)]
        result = {
            "turn1_ms": round(statistics.median(t for t, _ in first), 2),
            "turn1_cpu_ms": round(statistics.median(c for _, c in first), 2),
            "turn2_cpu_ms": round(statistics.median(c[1][1] for c in curves), 2),
            f"turn{depth}_ms": round(statistics.median(t for t, _ in last), 2),
            f"turn{depth}_cpu_ms": round(statistics.median(c for _, c in last), 2),
            "cpu_ms_by_tenth": tenths,
        }
        result["ratio_ms"] = round(result[f"turn{depth}_ms"] / result["turn1_ms"], 3)
        result["ratio_cpu"] = round(result[f"turn{depth}_cpu_ms"] / result["turn1_cpu_ms"], 3)
        return result
    finally:
        stack.stop()


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    print(json.dumps(main(*args)), flush=True)
