"""A busy hour: many customers at once, each behaving like the widget (a WebSocket, a client key per
message, thinking time between messages), arriving spread out and staying for several minutes.

    .venv/bin/python -m bench.load --url http://127.0.0.1:8000 --customers 200 --seconds 180

Prints p50/p95/p99 of a turn as the customer sees it, turns per second, errors, and lost messages
(sent but not stored exactly once, checked in the desk database when --database is given).
"""
from __future__ import annotations

import argparse
import asyncio
import random
import time
from collections import Counter

import httpx

from tests.cluster_clients import WidgetCustomer

# A plausible mix for a webshop on a busy day: most questions are simple, some need an order lookup.
CONVERSATIONS = [
    ["Hoi", "Wat kost verzenden?", "Hoe lang duurt de levering?", "Bedankt!"],
    ["Waar is mijn pakket? WS-100001, postcode 1234AB", "Bedankt!"],
    ["Hoi", "Hoe werkt retourneren?", "Hoe snel krijg ik mijn geld terug?", "Top, dank je"],
    ["Welke betaalmethodes hebben jullie?", "Kan ik achteraf betalen?", "Bedankt"],
    ["Hoi", "Waar blijft mijn bestelling WS-100005? postcode 3011 AA", "Oké, dank je"],
    ["Wat zijn jullie openingstijden?", "Hoe lang heb ik garantie?", "Fijne dag"],
]


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


async def _visitor(url: str, client: httpx.AsyncClient, rng: random.Random, until: float, think: float,
                   arrive: float, sockets: bool, customers: list[WidgetCustomer]) -> None:
    await asyncio.sleep(arrive)
    while time.monotonic() < until:
        customer = WidgetCustomer(url, client, retry_seconds=60)
        customers.append(customer)
        try:
            await customer.start(socket=sockets)
        except RuntimeError as exc:
            customer.errors.append(str(exc))
            await asyncio.sleep(think)
            continue
        for text in rng.choice(CONVERSATIONS):
            if time.monotonic() >= until:
                break
            await customer.say(text)
            await asyncio.sleep(think * rng.uniform(0.7, 1.3))
        await customer.stop()


async def _run(url: str, customers: int, seconds: float, think: float, spread: float, sockets: bool) -> list[WidgetCustomer]:
    everyone: list[WidgetCustomer] = []
    limits = httpx.Limits(max_connections=customers + 20, max_keepalive_connections=customers + 20)
    async with httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=5.0), limits=limits) as client:
        until = time.monotonic() + seconds
        rng = random.Random(7)
        await asyncio.gather(*(_visitor(url, client, random.Random(i), until, think, rng.uniform(0, spread), sockets,
                                        everyone) for i in range(customers)))
    return everyone


def lost_messages(database_url: str, everyone: list[WidgetCustomer]) -> int:
    """Messages a customer sent that are not stored exactly once."""
    from sqlalchemy import create_engine, select

    from bot.desk.conversations.models import Message

    sent = Counter(s.client_key for c in everyone for s in c.sent if s.status == 200)
    engine = create_engine(database_url, future=True)
    stored: Counter = Counter()
    ids = [c.id for c in everyone if c.id]
    with engine.connect() as conn:
        for start in range(0, len(ids), 500):
            stored.update(k for (k,) in conn.execute(select(Message.client_key).where(
                Message.conversation_id.in_(ids[start:start + 500]), Message.sender == "customer")))
    engine.dispose()
    return sum(1 for key in sent if stored.get(key) != 1)


def measure(url: str, *, customers: int = 200, seconds: float = 180, think: float = 15.0, spread: float = 15.0,
            sockets: bool = True, database_url: str | None = None) -> dict:
    started = time.perf_counter()
    everyone = asyncio.run(_run(url, customers, seconds, think, spread, sockets))
    wall = time.perf_counter() - started
    turns = [s.seconds for c in everyone for s in c.sent if s.seconds is not None]
    # Every request a customer saw fail (a 5xx, a dropped connection), also those the widget then sent again,
    # and every message or start that got no answer at all.
    errors = sum(len(c.errors) + len(c.failures) for c in everyone)
    result = {
        "customers": customers, "seconds": round(wall), "conversations": len(everyone), "turns": len(turns),
        "p50": percentile(turns, 0.5) * 1000, "p95": percentile(turns, 0.95) * 1000,
        "p99": percentile(turns, 0.99) * 1000, "turns_per_second": len(turns) / wall, "errors": errors,
        "retried": sum(1 for c in everyone for s in c.sent if s.attempts > 1),
        "lost": lost_messages(database_url, everyone) if database_url else None,
        # what went wrong, most frequent first: a count alone does not say where to look
        "error_kinds": Counter(e for c in everyone for e in c.errors + c.failures).most_common(5),
    }
    return result


def line(label: str, r: dict) -> str:
    lost = "–" if r["lost"] is None else str(r["lost"])
    return (f"| {label} | {r['customers']} | {r['seconds']} s | {r['turns']} | {r['p50']:.0f} | {r['p95']:.0f} | "
            f"{r['p99']:.0f} | {r['turns_per_second']:.1f} | {r['errors']} | {lost} |")


HEADER = ["| stack | customers | run | turns | p50 ms | p95 ms | p99 ms | turns/s | errors | lost |",
          "|---|---|---|---|---|---|---|---|---|---|"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=180)
    parser.add_argument("--think", type=float, default=15.0)
    parser.add_argument("--database", help="the desk database, to count lost messages")
    args = parser.parse_args()
    result = measure(args.url, customers=args.customers, seconds=args.seconds, think=args.think,
                     database_url=args.database)
    print("\n".join(HEADER + [line(args.url, result)]))
    for text, count in result["error_kinds"]:
        print(f"  error ×{count}: {text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
