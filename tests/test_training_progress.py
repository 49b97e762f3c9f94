"""What editors see of a training (bot/desk/editing/training.py), from Rasa's real log lines: plain Dutch steps,
the component only as detail, and an estimate of the time left that never goes up while one training runs."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.desk.editing.training import Trainer, TrainingJob

# As `rasa train` writes them (var/train.log), the NLU pipeline first, then the policies.
LOG = ["2026-12-05 05:00:01 INFO rasa.engine.training.hooks - Starting to train component 'WhitespaceTokenizer'.",
       "2026-12-05 05:00:02 INFO rasa.engine.training.hooks - Finished training component 'WhitespaceTokenizer'.",
       "2026-12-05 05:00:02 INFO rasa.engine.training.hooks - Starting to train component 'CountVectorsFeaturizer'.",
       "2026-12-05 05:00:09 INFO rasa.engine.training.hooks - Finished training component 'CountVectorsFeaturizer'.",
       "2026-12-05 05:00:10 INFO rasa.engine.training.hooks - Starting to train component 'RulePolicy'."]


def trainer(tmp_path) -> Trainer:
    t = Trainer(project_dir=tmp_path, models_dir=tmp_path / "models", log_dir=tmp_path, rasa_urls=[], rasa_token="")
    t.job = TrainingJob(started_by="eva")
    return t


def test_the_steps_are_plain_dutch_and_the_component_is_detail(tmp_path):
    t = trainer(tmp_path)
    job = t.job
    assert (job.step, job.stage) == ("1 van 4", "De gegevens controleren")
    seen = []
    for line in LOG:
        t._progress(job, line)
        seen.append((job.step, job.stage, job.detail))
    assert seen[0] == ("2 van 4", "Leren wat klanten bedoelen", "WhitespaceTokenizer")
    assert seen[2] == ("2 van 4", "Leren wat klanten bedoelen", "CountVectorsFeaturizer")
    assert seen[-1] == ("3 van 4", "Leren hoe gesprekken verlopen", "RulePolicy")
    assert not [stage for _, stage, _ in seen if "Featurizer" in stage or "Policy" in stage]


def test_the_estimate_only_goes_down_while_progress_stands_still(tmp_path):
    t = trainer(tmp_path)
    (tmp_path / "models").mkdir()
    t._last_file().write_text('{"seconds": 60}')  # the previous training took a minute
    started = datetime.now(timezone.utc)
    t.job.started_at = (started - timedelta(seconds=20)).isoformat()
    t.job.progress = 0.5  # halfway after 20 s: about 20 s to go, and 40 s by the last run
    first = t.status()["eta_seconds"]
    assert 20 <= first <= 40
    t.job.started_at = (started - timedelta(seconds=80)).isoformat()  # a minute later, no progress at all
    later = t.status()["eta_seconds"]
    assert 1 <= later <= first  # by its own sums it would be 80 s now; what editors see does not grow
    t.job.progress = 0.9
    assert t.status()["eta_seconds"] <= later
