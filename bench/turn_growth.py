"""Where a long conversation's turn cost goes (issue 20): one Rasa agent in-process, two conversations of N FAQ
turns, one on Rasa's SQL tracker store and one on the windowed store (bot/rasa/tracker_store.py, same SQLite
file), turn by turn; the ratio of the last turns to the first of each, then a cProfile of three more turns on each.

    PYTHONPATH=. .venv/bin/python -m bench.turn_growth 100
"""
import asyncio
import cProfile
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
import uuid
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
from rasa.core.agent import Agent
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from bot.rasa.tracker_store import WindowedSQLTrackerStore

DEPTH = int(sys.argv[1]) if len(sys.argv) > 1 else 100

async def main():
    domain = Domain.load("domain.yml")
    db = os.path.join(tempfile.mkdtemp(prefix="balie-turns-"), "trackers.db")
    stores = {"sql": SQLTrackerStore(domain, dialect="sqlite", db=db),
              "windowed": WindowedSQLTrackerStore(domain, dialect="sqlite", db=db)}
    agent = Agent.load("models/balie.tar.gz", tracker_store=stores["sql"])

    def use(name):
        agent.tracker_store = stores[name]
        agent.processor.tracker_store = stores[name]
    senders = {name: uuid.uuid4().hex for name in stores}
    times = {name: [] for name in stores}
    texts = ["Wat kost verzenden?", "Hoe lang duurt de levering?", "Hoi", "Welke betaalmethodes hebben jullie?"]
    for i in range(DEPTH):
        for name in stores:
            use(name)
            t = time.perf_counter()
            await agent.handle_text(texts[i % len(texts)], sender_id=senders[name])
            times[name].append((time.perf_counter() - t) * 1000)
    for name in stores:
        first, last = statistics.median(times[name][1:6]), statistics.median(times[name][-5:])
        print(f"{name}: turns 2-6 median {first:.1f} ms, last 5 median {last:.1f} ms, ratio {last/first:.2f}")
    for name in stores:
        use(name)
        pr = cProfile.Profile()
        pr.enable()
        for _ in range(3):
            await agent.handle_text("Wat kost verzenden?", sender_id=senders[name])
        pr.disable()
        out = io.StringIO()
        pstats.Stats(pr, stream=out).sort_stats("cumulative").print_stats(40)
        print("=====", name)
        print(out.getvalue()[:7000])
        tracker = await stores[name].retrieve(senders[name])
        print(name, "events in the tracker", len(tracker.events))

if __name__ == "__main__":
    asyncio.run(main())
