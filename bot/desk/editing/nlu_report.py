"""The NLU report made from the editors' page: `bot nlu report` (cross-validation, a few trainings long) as a
background process, one at a time per desk; the desk then shows the new summary. The bot keeps answering."""
from __future__ import annotations

import asyncio
import logging
import sys
from datetime import datetime, timezone
from pathlib import Path

logger = logging.getLogger(__name__)


class ReportJob:
    def __init__(self, *, project_dir: Path, out: Path, folds: int = 3) -> None:
        self.project_dir, self.out, self.folds = project_dir, out, folds
        self.state: dict = {"status": "idle"}
        self._task: asyncio.Task | None = None

    @property
    def running(self) -> bool:
        return self.state["status"] == "running"

    def status(self) -> dict:
        return dict(self.state)

    def start(self, editor: str) -> dict:
        if self.running:
            raise RuntimeError("busy")
        self.state = {"status": "running", "started_by": editor, "started_at": datetime.now(timezone.utc).isoformat()}
        self._task = asyncio.create_task(self._run())
        return self.status()

    async def wait(self) -> None:
        if self._task:
            await asyncio.shield(self._task)

    async def _run(self) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        log = self.out / "desk-report.log"
        try:
            with log.open("wb") as output:
                process = await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "bot", "nlu", "report", "--project", str(self.project_dir), "--out",
                    str(self.out), "--folds", str(self.folds), stdout=output, stderr=asyncio.subprocess.STDOUT)
                code = await process.wait()
            if code != 0:
                raise RuntimeError(f"bot nlu report stopped with exit code {code}; see {log}")
            self.state = {**self.state, "status": "done"}
        except Exception as exc:  # noqa: BLE001 - reported on the page; the previous report stays
            logger.exception("NLU report failed")
            self.state = {**self.state, "status": "failed", "error": str(exc)[:500]}
        self.state["finished_at"] = datetime.now(timezone.utc).isoformat()
