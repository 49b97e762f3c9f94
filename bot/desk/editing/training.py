"""Retraining from the desk: `rasa train` in the background with progress, then the new model is
loaded into every running Rasa replica (PUT /model). Conversations live in Rasa's tracker store, not in
the model, so nobody's chat is dropped; customers keep chatting with the old model until the swap."""
from __future__ import annotations

import asyncio
import json
import logging
import math
import re
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

import httpx

logger = logging.getLogger(__name__)
RASA = Path(sys.executable).parent / "rasa"
DONE = re.compile(r"(Finished training component|Restored component) '(\w+)'")
STARTED = re.compile(r"Starting to train component '(\w+)'")
EPOCHS = re.compile(r"Epochs:\s+(\d+)%")


@dataclass
class TrainingJob:
    started_by: str
    started_at: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat())
    status: str = "running"  # running | done | failed
    progress: float = 0.0  # 0..1
    stage: str = "De gegevens controleren"  # the step in plain Dutch, as editors read it
    detail: str | None = None  # the technical side (Rasa's component name), shown only with "details"
    components_done: int = 0
    model: str | None = None
    error: str | None = None
    finished_at: str | None = None
    seconds: float | None = None
    step: str = "1 van 4"
    eta_seconds: int | None = None  # roughly how long it still takes; never goes up while one training runs


class Trainer:
    """One training at a time per desk."""

    def __init__(self, *, project_dir: Path, models_dir: Path, log_dir: Path, rasa_urls: list[str], rasa_token: str,
                 expected_components: int = 10) -> None:
        self.project_dir, self.models_dir, self.log_dir = project_dir, models_dir, log_dir
        self.rasa_urls, self.rasa_token = rasa_urls, rasa_token
        self.expected = expected_components
        self.job: TrainingJob | None = None
        self._task: asyncio.Task | None = None
        self._shown: tuple[int, float] | None = None  # the estimate last shown, and when (monotonic)

    @property
    def running(self) -> bool:
        return self.job is not None and self.job.status == "running"

    def status(self) -> dict:
        if not self.job:
            return {"status": "idle", "last_seconds": self._last_seconds()}
        if self.job.status == "running":
            self.job.eta_seconds = self._only_down(self._eta(), time.monotonic())
        return {**asdict(self.job), "last_seconds": self._last_seconds()}

    def _last_file(self) -> Path:
        return self.models_dir / "last-training.json"

    def _last_seconds(self) -> float | None:
        try:
            return float(json.loads(self._last_file().read_text())["seconds"])
        except (OSError, ValueError, KeyError):
            return None

    def _only_down(self, guess: int | None, now: float) -> int | None:
        """An estimate that never grows: at most what was shown before, minus the time since."""
        if self._shown is not None:
            before, at = self._shown
            left = max(1, math.ceil(before - (now - at)))
            guess = left if guess is None else min(guess, left)
        if guess is not None:
            self._shown = (guess, now)
        return guess

    def _eta(self) -> int | None:
        """From how far this run is, or from how long the previous one took."""
        job = self.job
        elapsed = (datetime.now(timezone.utc) - datetime.fromisoformat(job.started_at)).total_seconds()
        last = self._last_seconds()
        if job.progress >= 0.15:
            guess = elapsed * (1 - job.progress) / job.progress
            if last and last > elapsed:  # both guesses, halfway
                guess = (guess + last - elapsed) / 2
            return max(1, round(guess))
        if last:
            return max(1, round(last - elapsed))
        return None

    def start(self, editor: str, on_done=None) -> TrainingJob:
        if self.running:
            raise RuntimeError("busy")
        self.job = TrainingJob(started_by=editor)
        self._shown = None
        self._task = asyncio.create_task(self._run(self.job, on_done))
        return self.job

    async def wait(self) -> None:
        if self._task:
            await asyncio.shield(self._task)

    async def _run(self, job: TrainingJob, on_done) -> None:
        started = asyncio.get_running_loop().time()
        name = "balie-" + datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
        self.models_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.log_dir / "desk-train.log"
        command = [str(RASA), "train", "--data", str(self.project_dir / "data"), "--domain",
                   str(self.project_dir / "domain.yml"), "--config", str(self.project_dir / "config.yml"),
                   "--out", str(self.models_dir), "--fixed-model-name", name]
        succeeded = False
        try:
            process = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE,
                                                           stderr=asyncio.subprocess.STDOUT)
            with log_path.open("wb") as log:
                await self._follow(job, process.stdout, log)
            code = await process.wait()
            if code != 0:
                raise RuntimeError(f"rasa train stopped with exit code {code}; see {log_path}")
            model = self.models_dir / f"{name}.tar.gz"
            job.stage, job.progress, job.step, job.detail = ("Het nieuwe model in gebruik nemen", 0.97, "4 van 4",
                                                             "PUT /model")
            await self._load(model)
            shutil.copyfile(model, self.models_dir / "balie.tar.gz")  # what `make run` starts with next time
            # "done" only after the after-training work (the inbox settled): an editor who sees "klaar" and
            # opens the inbox must not still find the questions the new model answers.
            job.model, job.progress, succeeded = model.name, 0.99, True
            job.stage, job.detail = "De inbox bijwerken", None
            self._last_file().write_text(json.dumps({"seconds": round(asyncio.get_running_loop().time() - started, 1)}))
        except Exception as exc:  # noqa: BLE001 - any failure is reported in the desk; the old model keeps running
            logger.exception("retraining failed")
            job.status, job.error = "failed", str(exc)[:500]  # the technical reason: behind "details"
            job.stage = "Niet gelukt: de bot werkt gewoon verder zoals voorheen"
        finally:
            job.finished_at = datetime.now(timezone.utc).isoformat()
            job.seconds = round(asyncio.get_running_loop().time() - started, 1)
            if on_done:
                try:
                    await on_done(replace(job, status="done") if succeeded else job)
                except Exception:  # noqa: BLE001
                    logger.exception("after-training hook failed")
            if succeeded:
                job.status, job.progress = "done", 1.0
                job.stage = "Klaar: de bot gebruikt nu wat je hebt gewijzigd"
                job.step, job.eta_seconds = "klaar", 0

    async def _follow(self, job: TrainingJob, stream, log) -> None:
        """Reads Rasa's output (progress bars end in carriage returns) and turns it into progress."""
        buffer = b""
        while True:
            chunk = await stream.read(4096)
            if not chunk:
                break
            log.write(chunk)
            buffer += chunk
            *lines, buffer = re.split(rb"[\r\n]", buffer)
            for raw in lines:
                self._progress(job, raw.decode("utf-8", errors="replace"))

    def _progress(self, job: TrainingJob, line: str) -> None:
        if (match := STARTED.search(line)):
            component = match.group(1)
            if component.endswith("Policy"):  # Rasa's dialogue policies come after the NLU pipeline
                job.stage, job.step = "Leren hoe gesprekken verlopen", "3 van 4"
            elif job.step in ("1 van 4", "2 van 4"):
                job.stage, job.step = "Leren wat klanten bedoelen", "2 van 4"
            job.detail = component
        elif (match := DONE.search(line)):
            job.components_done += 1
            job.detail = match.group(2)
        elif (match := EPOCHS.search(line)):
            within = int(match.group(1)) / 100
            job.progress = min(0.95, (job.components_done + within) / self.expected)
            return
        job.progress = max(job.progress, min(0.95, job.components_done / self.expected))

    async def parse(self, text: str) -> dict:
        """What the loaded model makes of a text (Rasa's /model/parse), e.g. an inbox message after training."""
        async with httpx.AsyncClient(timeout=30) as client:
            response = await client.post(f"{self.rasa_urls[0]}/model/parse", params={"token": self.rasa_token},
                                         json={"text": text})
            response.raise_for_status()
            return response.json()

    async def _load(self, model: Path) -> None:
        """Into every Rasa replica, one after the other, so that the others keep answering meanwhile."""
        async with httpx.AsyncClient(timeout=300) as client:
            for url in self.rasa_urls:
                response = await client.put(f"{url}/model", params={"token": self.rasa_token},
                                            json={"model_file": str(model.resolve())})
                if response.status_code not in (200, 204):
                    raise RuntimeError(f"Rasa at {url} did not load the new model "
                                       f"({response.status_code}: {response.text[:200]})")
