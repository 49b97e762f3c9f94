"""`make bench`: latency and throughput of bot turns through the desk versus straight to Rasa, a busy hour
(200 customers at once) against one stack and against the loopback cluster, the escalation check's cost,
training time and peak memory of each process. Prints the tables and writes them to docs/benchmarks.md.

BENCH_SECONDS sets the length of each busy-hour run (default 180)."""
from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import requests

from bench import capacity, load as busy, training
from bot import signing
from bot.config import ROOT
from bot.processes import Stack, ensure_postgres_database
from bot.seed import seed_demo
from tests.conftest import LOOPBACK_CUSTOMERS, POSTGRES_BASE, RedisServer, free_port

FAQ = "Wat kost verzenden?"
LOOKUP = "Waar is mijn pakket? WS-100001, postcode 1234AB"
TURNS_PER_CLIENT = {1: 60, 20: 10}
MARK_START, MARK_END = "<!-- bench:start -->", "<!-- bench:end -->"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def via_desk(stack: Stack, text: str, fresh: bool):
    session = requests.Session()

    def conversation():
        created = session.post(stack.desk_url + "/api/conversations", timeout=30).json()
        return created["conversation_id"], {"Authorization": "Bearer " + created["token"]}

    state = {"conv": conversation()}

    def turn() -> float:
        if fresh:
            state["conv"] = conversation()
        cid, headers = state["conv"]
        start = time.perf_counter()
        response = session.post(f"{stack.desk_url}/api/conversations/{cid}/messages", json={"text": text},
                                headers=headers, timeout=60)
        elapsed = time.perf_counter() - start
        assert response.status_code == 200 and response.json()["replies"], response.text
        return elapsed

    return turn


def with_rest_channel(folder: Path) -> Path:
    """Rasa's own REST channel is off in Balie (it would take anyone's turns); the benchmark turns it on for
    its loopback stacks, to compare against it."""
    path = folder / "credentials-with-rest.yml"
    path.write_text((ROOT / "credentials.yml").read_text() + "rest:\n")
    return path


def to_rasa(session: requests.Session, stack: Stack, channel: str, sender: str, text: str) -> requests.Response:
    body = json.dumps({"sender": sender, "message": text}).encode()
    headers = {"Content-Type": "application/json"}
    if channel == "desk":  # signed as the desk signs it
        headers.update(signing.sign_body(stack.rasa_token, body))
    return session.post(stack.rasa_url + f"/webhooks/{channel}/webhook", data=body, headers=headers, timeout=60)


def via_rasa(stack: Stack, text: str, fresh: bool, channel: str = "rest"):
    session = requests.Session()
    state = {"sender": uuid.uuid4().hex}

    def turn() -> float:
        if fresh:
            state["sender"] = uuid.uuid4().hex
        start = time.perf_counter()
        response = to_rasa(session, stack, channel, state["sender"], text)
        elapsed = time.perf_counter() - start
        assert response.status_code == 200 and response.json(), response.text
        return elapsed

    return turn


def load(make_client, clients: int) -> dict:
    turns = TURNS_PER_CLIENT[clients]

    def client(_):
        turn = make_client()
        turn()  # warm-up, not counted
        return [turn() for _ in range(turns)]

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        latencies = [x for result in pool.map(client, range(clients)) for x in result]
    wall = time.perf_counter() - start
    return {"p50": percentile(latencies, 0.5) * 1000, "p95": percentile(latencies, 0.95) * 1000,
            "throughput": len(latencies) / wall, "n": len(latencies)}


def escalation_cost(model: Path, folder: Path) -> list[tuple[str, int, float, float]]:
    """p50 of a FAQ turn straight to Rasa with the escalation check on and off, at turn 1 and turn 100."""
    rows = []
    for setting in ("on", "off"):
        stack = Stack(database_url=f"sqlite:///{folder / f'esc-{setting}.db'}", model=model,
                      log_dir=folder / f"logs-esc-{setting}", rasa_port=free_port(), action_port=free_port(),
                      desk_port=free_port(), extra_env={"BALIE_ESCALATION": setting, **LOOPBACK_CUSTOMERS},
                      credentials=with_rest_channel(folder))
        seed_demo(stack.database_url)
        stack.start()
        try:
            stack.wait_healthy(timeout=300)
            session = requests.Session()
            for depth in (1, 100):
                samples = []
                for _ in range(15):
                    sender = uuid.uuid4().hex
                    for _ in range(depth - 1):  # build up the conversation first, untimed
                        to_rasa(session, stack, "rest", sender, FAQ)
                    start = time.perf_counter()
                    to_rasa(session, stack, "rest", sender, FAQ)
                    samples.append((time.perf_counter() - start) * 1000)
                    if depth == 100 and len(samples) >= 5:
                        break  # 100-turn conversations are slow to build; 5 samples suffice
                rows.append((setting, depth, statistics.median(samples), percentile(samples, 0.95)))
                print(f"escalation check {setting}, turn {depth}: p50 {rows[-1][2]:.0f} ms", flush=True)
        finally:
            stack.stop()
    return rows


def detector_microseconds() -> dict[int, float]:
    """The detector's own time per message (in-process, median of 200 runs), at turn 1 and turn 100."""
    from bot.escalation import Turn, assess, load_rules

    load_rules()
    result = {}
    for depth in (1, 100):
        turns = [Turn("Hoe lang duurt de levering naar België?", intent="faq") if i % 2 == 0 else
                 Turn("Bestel je voor 22:00, dan bezorgen we morgen.", sender="bot") for i in range(2 * depth - 1)]
        runs = []
        for _ in range(200):
            start = time.perf_counter()
            assess(turns)
            runs.append((time.perf_counter() - start) * 1e6)
        result[depth] = statistics.median(runs)
    return result


def memory_mb(pid: int, field: str = "VmHWM") -> float:
    """VmRSS: resident now; VmHWM: the peak."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_memory_mb(pid: int) -> float:
    return memory_mb(pid, "VmHWM")


def resident_after_100_turns(stack: Stack) -> dict[str, float]:
    """Each process's resident memory (VmRSS) after a 100-turn conversation through the desk (FAQ, order lookups,
    small talk), which is what a replica holds once it has served for a while."""
    session = requests.Session()
    created = session.post(stack.desk_url + "/api/conversations", timeout=30).json()
    headers = {"Authorization": "Bearer " + created["token"]}
    texts = ["Hoi", FAQ, "Hoe lang duurt de levering?", LOOKUP, "Welke betaalmethodes hebben jullie?", "Bedankt!"]
    for i in range(100):
        session.post(f"{stack.desk_url}/api/conversations/{created['conversation_id']}/messages",
                     json={"text": texts[i % len(texts)]}, headers=headers, timeout=60)
    return {name: memory_mb(p.pid, "VmRSS") for name, p in stack.processes.items()}


BUSY_CUSTOMERS = 200
BUSY_THINK_SECONDS = 3.0  # Black Friday: 200 customers, about 3 s between messages (issue 20)


def busy_hour(stack: Stack, database_url: str, label: str) -> dict:
    seconds = float(os.environ.get("BENCH_SECONDS", "180"))
    print(f"Busy hour against {label}: {BUSY_CUSTOMERS} customers for {seconds:.0f} s ...", flush=True)
    result = busy.measure(stack.desk_url, customers=BUSY_CUSTOMERS, seconds=seconds, think=BUSY_THINK_SECONDS,
                          database_url=database_url)
    print(busy.line(label, result), flush=True)
    for text, count in result["error_kinds"]:
        print(f"  error ×{count}: {text}", flush=True)
    return result


def cluster_busy_hour(folder: Path) -> dict:
    """The same busy hour against nginx, 2 desks, 2 Rasa, 2 action servers, PostgreSQL and Redis."""
    from sqlalchemy import create_engine, text

    name = "balie_bench_" + uuid.uuid4().hex[:8]
    url = POSTGRES_BASE.rsplit("/", 1)[0] + "/" + name
    redis = RedisServer(folder)
    redis.start()
    ensure_postgres_database(url, trackers=True)
    seed_demo(url)
    ports = {f"{kind}-{i}": free_port() for kind, n in (("desk", 2), ("rasa", 2), ("actions", 2)) for i in range(1, n + 1)}
    stack = Stack(database_url=url, model=ROOT / "models" / "balie.tar.gz", log_dir=folder / "cluster-logs",
                  rasa_port=free_port(), action_port=free_port(), desk_port=free_port(), replicas=2,
                  redis_url=redis.url, ports=ports, extra_env=LOOPBACK_CUSTOMERS)
    print(f"Starting the cluster (logs in {stack.log_dir}) ...", flush=True)
    stack.start()
    try:
        stack.wait_healthy(timeout=480)
        return busy_hour(stack, url, "cluster: nginx, 2 desks, 2 Rasa, 2 actions, PostgreSQL, Redis")
    finally:
        stack.stop()
        redis.kill()
        admin = create_engine(POSTGRES_BASE, future=True, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for database in (name, name + "_trackers"):
                conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'"))
                conn.execute(text(f'DROP DATABASE IF EXISTS "{database}"'))
        admin.dispose()


def previous_training_lines() -> list[str]:
    doc = ROOT / "docs" / "benchmarks.md"
    text = doc.read_text() if doc.exists() else ""
    found = [line for line in text.split(MARK_START, 1)[-1].split(MARK_END, 1)[0].splitlines()]
    start = next((i for i, line in enumerate(found) if line.startswith("Training (`rasa train")), None)
    if start is None:
        return ["Training was not measured in this run (BENCH_TRAINING=0)."]
    block = found[start:]
    end = next((i for i, line in enumerate(block) if i > 2 and not line.startswith("|")), len(block))
    note = "" if "from an earlier run" in block[0] else " (from an earlier run: BENCH_TRAINING=0 skipped it in this one)"
    return [block[0] + note] + block[1:end]


GOALS = {"desk_p50_ms_1": 5.0, "desk_ratio_20": 1.10, "turn100_ratio": 1.30, "rasa_mb": 800.0, "stack_mb": 1100.0,
         "busy_p95_ms": 500.0}


def summary_lines(rows, escalation, resident: dict[str, float], single: dict) -> list[str]:
    """Issue 20's figures against its goals, as `make bench` prints them last."""
    faq = {clients: (rasa, desk) for label, clients, rasa, desk in rows if label == "FAQ turn"}
    rasa1, desk1 = faq[1]
    rasa20, desk20 = faq[20]
    turn = {depth: p50 for setting, depth, p50, _ in escalation if setting == "on"}
    rasa_mb = max(mb for name, mb in resident.items() if name.startswith("rasa"))
    stack_mb = sum(resident.values())

    def mark(ok: bool) -> str:
        return "yes" if ok else "**no**"

    added = desk1["p50"] - rasa1["p50"]
    return ["Issue 20's goals, this run:", "",
            "| figure | measured | goal | met |", "|---|---|---|---|",
            f"| desk / Rasa, FAQ p50, 1 client | {desk1['p50'] / rasa1['p50']:.2f}× (the desk adds {added:.1f} ms) | "
            f"≤ {GOALS['desk_p50_ms_1']:.0f} ms added | {mark(added <= GOALS['desk_p50_ms_1'])} |",
            f"| desk / Rasa, FAQ p50, 20 clients | {desk20['p50'] / rasa20['p50']:.2f}× | ≤ {GOALS['desk_ratio_20']:.2f}× | "
            f"{mark(desk20['p50'] / rasa20['p50'] <= GOALS['desk_ratio_20'])} |",
            f"| turn 100 / turn 1, FAQ p50 straight to Rasa | {turn[100] / turn[1]:.2f}× ({turn[100]:.0f} / {turn[1]:.0f} ms) | "
            f"≤ {GOALS['turn100_ratio']:.1f}× | {mark(turn[100] / turn[1] <= GOALS['turn100_ratio'])} |",
            f"| memory: a Rasa replica after 100 turns / goal | {rasa_mb / GOALS['rasa_mb']:.2f} ({rasa_mb:.0f} MB) | "
            f"≤ {GOALS['rasa_mb']:.0f} MB | {mark(rasa_mb <= GOALS['rasa_mb'])} |",
            f"| memory: one stack / goal | {stack_mb / GOALS['stack_mb']:.2f} ({stack_mb:.0f} MB) | "
            f"≤ {GOALS['stack_mb']:.0f} MB | {mark(stack_mb <= GOALS['stack_mb'])} |",
            f"| busy hour, one stack, {BUSY_CUSTOMERS} customers at {BUSY_THINK_SECONDS:.0f} s: p95, errors | "
            f"{single['p95']:.0f} ms, {single['errors']} errors | ≤ {GOALS['busy_p95_ms']:.0f} ms, 0 errors | "
            f"{mark(single['p95'] <= GOALS['busy_p95_ms'] and single['errors'] == 0)} |"]


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="balie-bench-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    seed_demo(url)
    stack = Stack(database_url=url, model=ROOT / "models" / "balie.tar.gz", log_dir=folder / "logs",
                  rasa_port=free_port(), action_port=free_port(), desk_port=free_port(),
                  extra_env=LOOPBACK_CUSTOMERS,  # 200 customers, all from 127.0.0.1
                  credentials=with_rest_channel(folder))
    print(f"Starting the stack (logs in {folder}/logs) ...", flush=True)
    stack.start()
    rows = []
    try:
        stack.wait_healthy(timeout=300)
        for label, text, fresh in (("FAQ turn", FAQ, False), ("order lookup turn", LOOKUP, True)):
            for clients in (1, 20):
                rasa = load(lambda: via_rasa(stack, text, fresh), clients)
                desk = load(lambda: via_desk(stack, text, fresh), clients)
                rows.append((label, clients, rasa, desk))
                print(f"{label}, {clients} clients: Rasa p50 {rasa['p50']:.0f} ms, desk p50 {desk['p50']:.0f} ms", flush=True)
        # What the desk channel (REST plus the NLU result read back from the tracker store) costs in Rasa.
        channels = {name: load(lambda name=name: via_rasa(stack, FAQ, False, name), 1) for name in ("rest", "desk")}
        print(f"FAQ turn straight to Rasa: REST channel p50 {channels['rest']['p50']:.0f} ms, "
              f"desk channel p50 {channels['desk']['p50']:.0f} ms", flush=True)
        resident = resident_after_100_turns(stack)
        print("resident after 100 turns: " + ", ".join(f"{n} {mb:.0f} MB" for n, mb in resident.items()), flush=True)
        cpu_before = {name: capacity.cpu_seconds(p.pid) for name, p in stack.processes.items()}
        single = busy_hour(stack, url, "one stack: desk, Rasa, actions, SQLite")
        cpu_per_turn = {name: (capacity.cpu_seconds(p.pid) - cpu_before[name]) / max(1, single["turns"])
                        for name, p in stack.processes.items()}
        memory = {name: peak_memory_mb(p.pid) for name, p in stack.processes.items()}
    finally:
        stack.stop()
    cluster = cluster_busy_hour(folder)
    print("Measuring the escalation check (on/off) ...", flush=True)
    escalation = escalation_cost(ROOT / "models" / "balie.tar.gz", folder)
    detector = detector_microseconds()
    if os.environ.get("BENCH_TRAINING", "1") != "0":
        print("Training next to Rasa's starter project, before and after (issue 12) ...", flush=True)
        train_lines = training.lines(training.measure())
    else:  # BENCH_TRAINING=0: the training figures of the previous run stay, said to be older
        train_lines = previous_training_lines()

    lines = [f"Measured on {date.today().isoformat()}, {os.cpu_count()} cores, SQLite, demo shop. "
             "Latency per turn as the client sees it; throughput = turns per second over the whole run.", "",
             "| turn | clients | path | p50 ms | p95 ms | turns/s | n |", "|---|---|---|---|---|---|---|"]
    for label, clients, rasa, desk in rows:
        for path, m in (("Rasa REST directly", rasa), ("through the desk", desk)):
            lines.append(f"| {label} | {clients} | {path} | {m['p50']:.0f} | {m['p95']:.0f} | {m['throughput']:.1f} | {m['n']} |")
        lines.append(f"| {label} | {clients} | **desk / Rasa** | {desk['p50'] / rasa['p50']:.2f}× | "
                     f"{desk['p95'] / rasa['p95']:.2f}× | {desk['throughput'] / rasa['throughput']:.2f}× | |")
    lines += ["", f"A busy hour: {BUSY_CUSTOMERS} customers at once, arriving over 15 s, each waiting about "
              f"{BUSY_THINK_SECONDS:.0f} s between messages and starting a new conversation when done (greetings, FAQ, order lookups, thanks; "
              "a WebSocket each). *lost*: sent but not stored exactly once.", ""]
    lines += busy.HEADER + [busy.line("one stack (SQLite)", single), busy.line("cluster (PostgreSQL, Redis)", cluster)]
    lines += ["", "Rasa's channels, a FAQ turn straight to Rasa, 1 client: REST "
              f"p50 {channels['rest']['p50']:.0f} ms, desk channel (REST plus the NLU result) "
              f"p50 {channels['desk']['p50']:.0f} ms ({channels['desk']['p50'] / channels['rest']['p50']:.2f}×)."]
    lines += ["", "Escalation check (EscalationPolicy inside Rasa), a FAQ turn straight to Rasa:", "",
              "| turn in the conversation | check on p50 ms | check off p50 ms | added |", "|---|---|---|---|"]
    for depth in (1, 100):
        on = next(r for r in escalation if r[0] == "on" and r[1] == depth)
        off = next(r for r in escalation if r[0] == "off" and r[1] == depth)
        lines.append(f"| {depth} | {on[2]:.1f} | {off[2]:.1f} | {(on[2] - off[2]) / off[2]:+.0%} |")
    lines += ["", "The detector's own time per message (in-process, median of 200): "
              + ", ".join(f"turn {d}: {us:.0f} µs ({us / 1000 / next(r[2] for r in escalation if r[0] == 'off' and r[1] == d):.2%} of a turn)"
                          for d, us in detector.items()) + "."]
    lines += [""] + train_lines + ["", "| process | resident after a 100-turn conversation (VmRSS) | peak during the run (VmHWM) |",
                                   "|---|---|---|"]
    lines += [f"| {name} | {resident[name]:.0f} MB | {mb:.0f} MB |" for name, mb in memory.items()]
    lines += [f"| **one stack** | **{sum(resident.values()):.0f} MB** | |"]
    lines += [""] + summary_lines(rows, escalation, resident, single)
    table = "\n".join(lines)
    print("\n" + table)

    doc = ROOT / "docs" / "benchmarks.md"
    text = doc.read_text() if doc.exists() else f"# Benchmarks\n\n{MARK_START}\n{MARK_END}\n"
    if MARK_START in text:
        head, rest = text.split(MARK_START, 1)
        tail = rest.split(MARK_END, 1)[1] if MARK_END in rest else ""
        text = f"{head}{MARK_START}\n{table}\n{MARK_END}{tail}"
    doc.write_text(text)
    print(f"\nWritten to {doc.relative_to(ROOT)}")
    desk_faq = next(desk for label, clients, _, desk in rows if label == "FAQ turn" and clients == 1)
    per_replica = {name: max(resident[name], memory[name]) for name in resident}
    sizing = capacity.document(cpu_per_turn, per_replica, single, BUSY_THINK_SECONDS, desk_faq["p50"] / 1000)
    target = ROOT / "docs" / "capacity.md"
    kept = target.read_text().split(capacity.BY_HAND, 1) if target.exists() else []
    target.write_text(sizing + ("\n" + capacity.BY_HAND + kept[1] if len(kept) == 2 else ""))
    print("\n" + sizing + "\nWritten to docs/capacity.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
