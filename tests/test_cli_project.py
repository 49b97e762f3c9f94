"""The `bot` commands work on the project you stand in, like Rasa's own commands (issue 12)."""
from __future__ import annotations

import shutil
import subprocess
import sys

from bot.config import ROOT


def copy_of_the_project(folder):
    for name in ("data", "domain.yml", "config.yml"):
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copyfile)(ROOT / name, folder / name)
    return folder


def test_nlu_check_in_a_copy_finds_the_copys_duplicate_and_names_its_file(tmp_path):
    copy = copy_of_the_project(tmp_path / "shop")
    faq = copy / "data" / "nlu" / "faq.yml"
    faq.write_text(faq.read_text().replace("    - hoe werkt retourneren\n", "    - hoe werkt retourneren\n    - wat kost verzenden\n", 1))
    bot = [sys.executable, "-m", "bot", "nlu", "check", "--no-rasa"]
    found = subprocess.run(bot, cwd=copy, capture_output=True, text=True)
    assert found.returncode == 1, found.stdout + found.stderr
    assert str(copy / "data") in found.stdout and "data/nlu/faq.yml:9: fout" in found.stdout
    assert "wat kost verzenden" in found.stdout and "dubbel-over-intents" in found.stdout
    clean = subprocess.run(bot, cwd=ROOT, capture_output=True, text=True)
    assert clean.returncode == 0, clean.stdout  # the repository itself is fine: the copy was checked, not it
    elsewhere = subprocess.run(bot, cwd=tmp_path, capture_output=True, text=True)
    assert elsewhere.returncode == 2 and "Geen Balie-project" in elsewhere.stderr
    pointed = subprocess.run(bot + ["--project", str(copy)], cwd=tmp_path, capture_output=True, text=True)
    assert pointed.returncode == 1 and "data/nlu/faq.yml:9" in pointed.stdout
