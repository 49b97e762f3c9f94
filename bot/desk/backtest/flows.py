"""The editors' "Terugblik": the conversations of a period replayed through the escalation rules of the project
and the model the desk's Rasa holds now (so right after a retrain: the new model), with what would change.

The NLU goes through Rasa's /model/parse (bot/escalation/replay_nlu.py rasa_parser): the desk never loads a
model itself, and it reads with exactly the model the customers get."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Callable, ContextManager

import httpx
import yaml
from anyio.to_thread import run_sync
from sqlalchemy.orm import Session

from bot.config import ROOT
from bot.desk.backtest.service import past_conversations
from bot.escalation import Rules
from bot.escalation.backtest import backtest, responses_by_text
from bot.escalation.replay_nlu import rasa_parser

MAX_CONVERSATIONS = 2000  # the newest of the period; a longer look back belongs to `bot escalation backtest`


class BacktestUnavailable(RuntimeError):
    """The rules cannot be read or Rasa cannot be asked: nothing to show."""


def _project_file(project_dir: Path, name: str) -> Path:
    own = project_dir / name
    return own if own.exists() else ROOT / name


def _rules(project_dir: Path) -> Rules:
    """Read now, not cached: the file the editors and developers change is the one that counts."""
    path = _project_file(project_dir, "escalation.yml")
    try:
        return Rules(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise BacktestUnavailable(f"De regels in {path.name} zijn niet te lezen ({exc.__class__.__name__}).") from exc


async def review(*, session_scope: Callable[[], ContextManager[Session]], project_dir: Path, rasa_url: str,
                 rasa_token: str, period: timedelta) -> dict:
    def read():
        with session_scope() as session:
            return past_conversations(session, period=period, limit=MAX_CONVERSATIONS)

    past = await run_sync(read)
    rules = _rules(project_dir)
    responses = await run_sync(responses_by_text, _project_file(project_dir, "domain.yml"))
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            result = await backtest(past, rasa_parser(rasa_url, rasa_token, client), rules=rules, responses=responses)
    except httpx.HTTPError as exc:
        raise BacktestUnavailable("De bot (Rasa) is nu niet bereikbaar; probeer het zo opnieuw.") from exc
    data = result.to_json()
    data["limited"] = len(past) >= MAX_CONVERSATIONS
    return data
