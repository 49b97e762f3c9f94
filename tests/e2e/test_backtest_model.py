"""`bot escalation backtest` with the trained model loaded in-process (the default NLU): a past conversation in
which the NLU of the time missed a request for a colleague is listed as one that the model now hands over; an
ordinary question stays with the bot. Runs the command as a real process, as an operator would."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest

from bot.config import ROOT
from bot.desk.db import make_engine, make_sessionmaker, utcnow
from bot.seed import seed_demo
from tests.test_backtest import add_conversation

pytestmark = pytest.mark.e2e


def test_the_trained_model_reads_the_past_messages(model_path, tmp_path):
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    seed_demo(url)
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        missed = add_conversation(session, 1, [("customer", "Ik wil graag met een medewerker praten", "nlu_fallback"),
                                               ("bot", "Sorry, dat begreep ik niet.", None)])
        ordinary = add_conversation(session, 2, [("customer", "Wat kost verzenden?", "faq")])
    engine.dispose()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3", "RASA_TELEMETRY_ENABLED": "false"}
    done = subprocess.run([sys.executable, "-m", "bot", "escalation", "backtest", "--since", "7d", "--database", url,
                           "--model", str(model_path)], capture_output=True, text=True, env=env, cwd=tmp_path,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = [line for line in done.stdout.splitlines() if line[:2].isdigit()]
    assert len(rows) == 1, done.stdout
    assert missed[:8] in rows[0] and "Bleef bij de bot" in rows[0] and "Klant vraagt om een medewerker" in rows[0]
    assert ordinary[:8] not in done.stdout
    assert "2 gesprekken opnieuw beoordeeld" in done.stdout and "1 zou nu anders lopen (1 nu overgedragen" in done.stdout
    assert "Loading the model" in done.stderr and "2/2 replayed" in done.stderr
