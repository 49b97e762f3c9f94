"""ASGI entry point: `uvicorn bot.desk.asgi:app` (settings from the environment)."""
from bot.desk.app import create_app

app = create_app()
