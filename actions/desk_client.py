"""Posts handoff contexts to the desk over HTTP with the shared secret."""
from __future__ import annotations

import logging
from typing import Any, Dict

import requests

from bot.config import get_settings

logger = logging.getLogger(__name__)


class DeskUnavailable(RuntimeError):
    pass


def post_handoff(context: Dict[str, Any]) -> Dict[str, Any]:
    """Returns the desk's answer: handoff_id, position, estimated_wait_minutes, created."""
    settings = get_settings()
    try:
        response = requests.post(
            f"{settings.desk_url}/api/internal/handoffs",
            json=context,
            headers={"X-Desk-Secret": settings.desk_secret},
            timeout=3,
        )
    except requests.RequestException as exc:
        raise DeskUnavailable(str(exc)) from exc
    if response.status_code not in (200, 201):
        logger.error("desk refused handoff: %s %s", response.status_code, response.text[:200])
        raise DeskUnavailable(f"desk answered {response.status_code}")
    return response.json()
