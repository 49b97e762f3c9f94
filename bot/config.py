"""All settings, read from the environment in one place (no I/O at import)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The shops' own sites that may embed the widget, comma-separated (the widget names it to a refused site's developer).
SHOP_ORIGINS_SETTING = "SHOP_ORIGINS"


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    database_url: str
    shop_database_url: str
    shop_url: str | None
    rasa_urls: tuple[str, ...]  # RASA_URL: one Rasa server, or several replicas, comma-separated
    rasa_token: str  # Rasa's API token, also the key the desk signs turns and customers with (bot/signing.py)
    action_server_urls: tuple[str, ...]  # ACTION_SERVER_URL, likewise (checked by /health)
    demo_mode: bool
    max_message_chars: int
    session_hours: int
    max_chats_per_agent: int
    max_wait_minutes: int
    project_dir: Path  # where data/, domain.yml and config.yml live (editors change data/ from the desk)
    models_dir: Path
    nlu_report_dir: Path
    callback_check_seconds: float
    redis_url: str | None = None  # push across desk replicas; unset: one desk process
    heartbeat_seconds: float = 5.0  # clients hear the newest sequence number this often
    away_after_seconds: float = 120.0  # an agent without a connected console this long goes away, her chats to the queue
    shop_origins: tuple[str, ...] = ()  # the shops' own sites that may embed the widget (CORS, WebSocket)
    trusted_proxies: tuple[str, ...] = ()  # the client address comes from X-Forwarded-For only behind these
    identity_secret: str = ""  # shared with the shop: signs who a logged-in customer is (HMAC-SHA256)
    retention_days: int = 180  # conversations older than this are erased, unless on legal hold
    tracker_store_url: str | None = None  # Rasa's tracker store, to erase there too (AVG)
    login_slowdown_after: int = 5  # failed logins per account before each next try waits
    login_lockout_after: int = 10  # failed logins per account (or 3x per address) before a 15-minute lockout
    conversations_per_minute: int = 20  # new conversations per client address
    messages_per_minute: int = 20  # customer messages per conversation
    request_body_seconds: float = 10.0  # a request body must have arrived this soon (408 otherwise)

    @property
    def rasa_url(self) -> str:
        return self.rasa_urls[0]


def secret(name: str) -> str:
    """A secret from the environment, or from the file named in <NAME>_FILE (a mounted secret that only the
    service user can read); never from a command line, which every local user sees."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, "")


def _urls(value: str) -> tuple[str, ...]:
    return tuple(u.strip().rstrip("/") for u in value.split(",") if u.strip())


def get_settings() -> Settings:
    default_db = f"sqlite:///{ROOT / 'var' / 'balie.db'}"
    database_url = os.environ.get("DATABASE_URL", default_db)
    rasa_urls = _urls(os.environ.get("RASA_URL", "http://127.0.0.1:5005"))
    action_urls = _urls(os.environ.get("ACTION_SERVER_URL", "http://127.0.0.1:5055"))
    return Settings(
        database_url=database_url,
        shop_database_url=os.environ.get("SHOP_DATABASE_URL", database_url),
        shop_url=os.environ.get("SHOP_URL") or None,
        rasa_urls=rasa_urls,
        rasa_token=secret("RASA_TOKEN"),
        action_server_urls=action_urls,
        demo_mode=_flag("BALIE_DEMO"),
        max_message_chars=int(os.environ.get("MAX_MESSAGE_CHARS", "1000")),
        session_hours=int(os.environ.get("AGENT_SESSION_HOURS", "10")),
        max_chats_per_agent=int(os.environ.get("MAX_CHATS_PER_AGENT", "3")),
        max_wait_minutes=int(os.environ.get("MAX_WAIT_MINUTES", "15")),
        project_dir=Path(os.environ.get("BOT_PROJECT_DIR") or ROOT),
        models_dir=Path(os.environ.get("MODELS_DIR") or ROOT / "models"),
        # where `bot nlu report` writes by default: the project's own var/ (the desk edits that project)
        nlu_report_dir=Path(os.environ.get("NLU_REPORT_DIR") or Path(os.environ.get("BOT_PROJECT_DIR") or ROOT)
                            / "var" / "nlu-report"),
        callback_check_seconds=float(os.environ.get("CALLBACK_CHECK_SECONDS", "30")),
        redis_url=os.environ.get("REDIS_URL") or None,
        heartbeat_seconds=float(os.environ.get("HEARTBEAT_SECONDS", "5")),
        away_after_seconds=float(os.environ.get("AGENT_AWAY_AFTER_SECONDS", "120")),
        shop_origins=_urls(os.environ.get(SHOP_ORIGINS_SETTING, "")),
        trusted_proxies=tuple(p.strip() for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p.strip()),
        identity_secret=secret("SHOP_IDENTITY_SECRET"),
        retention_days=int(os.environ.get("RETENTION_DAYS", "180")),
        tracker_store_url=os.environ.get("TRACKER_STORE_URL") or f"sqlite:///{ROOT / 'var' / 'trackers.db'}",
        login_slowdown_after=int(os.environ.get("LOGIN_SLOWDOWN_AFTER", "5")),
        login_lockout_after=int(os.environ.get("LOGIN_LOCKOUT_AFTER", "10")),
        conversations_per_minute=int(os.environ.get("CONVERSATIONS_PER_MINUTE", "20")),
        messages_per_minute=int(os.environ.get("MESSAGES_PER_MINUTE", "20")),
        request_body_seconds=float(os.environ.get("REQUEST_BODY_SECONDS", "10")),
    )
