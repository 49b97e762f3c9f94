"""Editors' changes kept in git: every saved edit is a commit in the bot project's repository, with the
editor as author and a message that says what changed; an edit is undone with a revert commit. When a
remote is configured (EDITS_GIT_REMOTE, EDITS_GIT_BRANCH) every commit is pushed there, so the team
reviews edits as usual and a redeploy from that branch loses nothing.

Plain git through subprocess, called from worker threads (never on the event loop).
"""
from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

EDITABLE = ("data", "topics.yml")  # what the desk may change and commit; nothing else in the project
DESK_EMAIL = "desk@balie.invalid"
COMMITTER = {"GIT_COMMITTER_NAME": "Balie desk", "GIT_COMMITTER_EMAIL": DESK_EMAIL}
# An editors' commit: committed by the desk (COMMITTER) for an editor (author <username>@balie.invalid).
# Developers' commits, also those that touch data/, are not in the editors' history and cannot be undone there.


class HistoryError(RuntimeError):
    """Git refused (a conflict on undo, a push that failed); the message is for editors, in Dutch."""


@dataclass(frozen=True)
class Change:
    sha: str
    author: str  # the editor's first name, as the commit has it
    username: str
    at: str  # ISO-8601
    message: str
    files: list[str]
    reverted_by: str | None = None

    def to_json(self) -> dict:
        return {"sha": self.sha, "short": self.sha[:8], "author": self.author, "username": self.username,
                "at": self.at, "message": self.message, "files": self.files, "reverted_by": self.reverted_by}


class History:
    def __init__(self, project_dir: Path, *, remote: str | None = None, branch: str | None = None) -> None:
        self.dir = project_dir
        self.remote = remote if remote is not None else os.environ.get("EDITS_GIT_REMOTE") or None
        self.branch = branch if branch is not None else os.environ.get("EDITS_GIT_BRANCH") or None

    def _git(self, *args: str, author: tuple[str, str] | None = None, check: bool = True) -> str:
        env = {**os.environ, **COMMITTER, "GIT_TERMINAL_PROMPT": "0"}
        if author:
            env.update({"GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1]})
        result = subprocess.run(["git", "-C", str(self.dir), *args], capture_output=True, text=True, env=env,
                                timeout=60)
        if check and result.returncode != 0:
            raise HistoryError((result.stderr or result.stdout).strip()[:500])
        return result.stdout

    def ensure(self) -> None:
        """A project without a repository gets one, with what is there now as the first commit."""
        if (self.dir / ".git").exists():
            return
        self._git("init", "-q")
        self._git("add", "-A", "--", *[p for p in EDITABLE if (self.dir / p).exists()], "domain.yml", "config.yml")
        self._git("commit", "-q", "-m", "Balie: begin van de redactiegeschiedenis", author=("Balie desk", "desk@balie.invalid"))

    @staticmethod
    def author_of(username: str, first_name: str) -> tuple[str, str]:
        return first_name or username, f"{username}@balie.invalid"

    def commit(self, *, paths: list[str], username: str, first_name: str, message: str) -> str:
        """One commit for one edit, by that editor. Returns its sha."""
        self.ensure()
        self._git("add", "--", *paths)
        self._git("commit", "-q", "-m", message, "--", *paths, author=self.author_of(username, first_name))
        sha = self._git("rev-parse", "HEAD").strip()
        self._push()
        return sha

    def revert(self, sha: str, *, username: str, first_name: str) -> str:
        """Undoes an edit with a new commit; refused when a later edit changed the same lines."""
        self.ensure()
        known = {c.sha for c in self.changes(limit=500)}
        if sha not in known:
            raise HistoryError("Deze wijziging staat niet in de geschiedenis van de redactie.")
        touched = self._git("diff-tree", "--no-commit-id", "--name-only", "-r", sha).split()
        if any(path.split("/")[0] not in EDITABLE for path in touched):  # undo changes training data only
            raise HistoryError("Deze wijziging raakt meer dan de trainingsgegevens en kan hier niet ongedaan worden gemaakt.")
        original = self._git("log", "-1", "--format=%s", sha).strip()
        result = subprocess.run(["git", "-C", str(self.dir), "revert", "--no-commit", sha], capture_output=True,
                                text=True, env={**os.environ, **COMMITTER}, timeout=60)
        if result.returncode != 0:
            self._git("revert", "--abort", check=False)
            self._git("reset", "-q", "--hard", "HEAD", check=False)
            raise HistoryError("Deze wijziging kan niet meer los ongedaan worden gemaakt: een latere wijziging "
                               "veranderde dezelfde regels. Maak die eerst ongedaan.")
        self._git("commit", "-q", "-m", f"Ongedaan gemaakt: {original}\n\nDit maakt {sha[:8]} ongedaan.",
                  author=self.author_of(username, first_name))
        new = self._git("rev-parse", "HEAD").strip()
        self._push()
        return new

    def scrub(self, text: str) -> None:
        """A customer's words out of every commit (the data files and the messages, in any case), then the
        old copies git keeps (backup refs, reflog, unreachable objects) pruned. Clones, and the remote of
        EDITS_GIT_REMOTE, keep theirs until they are force-pushed and cloned again."""
        import sys

        import bot

        if len(text.strip()) < 4:
            raise HistoryError("Geef de tekst die weg moet, minstens 4 tekens (anders verdwijnt er te veel).")
        self.ensure()
        python = f"'{sys.executable}' -m bot.desk.editing.scrub"
        env = {**os.environ, **COMMITTER, "BALIE_SCRUB_TEXT": text.strip(), "FILTER_BRANCH_SQUELCH_WARNING": "1",
               "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(bot.__file__).parent.parent),
                                                           os.environ.get("PYTHONPATH")]))}
        result = subprocess.run(["git", "-C", str(self.dir), "filter-branch", "-f", "--tree-filter", f"{python} tree",
                                 "--msg-filter", f"{python} message", "--", "--all"],
                                capture_output=True, text=True, env=env, timeout=3600)
        if result.returncode != 0:
            raise HistoryError((result.stderr or result.stdout).strip()[-500:])
        for ref in self._git("for-each-ref", "--format=%(refname)", "refs/original/").split():
            self._git("update-ref", "-d", ref)
        self._git("reflog", "expire", "--expire=now", "--all")
        self._git("gc", "--prune=now", "--quiet")

    def changes(self, limit: int = 50) -> list[Change]:
        """The editors' own commits, newest first: made through the desk for an editor (not developers'
        commits, not the desk's first commit of an existing project)."""
        if not (self.dir / ".git").exists():
            return []
        out = self._git("log", f"-{limit}", f"--committer={DESK_EMAIL}", "--format=%x1e%H%x1f%an%x1f%ae%x1f%aI%x1f%B%x1f",
                        "--name-only", "--", *EDITABLE, check=False)
        changes: list[Change] = []
        reverted: dict[str, str] = {}
        for record in out.split("\x1e")[1:]:
            sha, author, email, at, body, files = (record.split("\x1f") + [""] * 6)[:6]
            if email == DESK_EMAIL or not email.endswith("@balie.invalid"):
                continue
            message = body.strip().splitlines()[0] if body.strip() else ""
            for line in body.splitlines():
                if line.startswith("Dit maakt ") and line.endswith(" ongedaan."):
                    reverted[line.split()[2]] = sha
            changes.append(Change(sha, author, email.removesuffix("@balie.invalid"), at, message,
                                  [f for f in files.split() if f]))
        return [Change(c.sha, c.author, c.username, c.at, c.message, c.files,
                       next((by for short, by in reverted.items() if c.sha.startswith(short)), None))
                for c in changes]

    def _push(self) -> None:
        if not (self.remote and self.branch):
            return
        try:
            self._git("push", "-q", self.remote, f"HEAD:refs/heads/{self.branch}")
        except HistoryError as exc:
            raise HistoryError(f"De wijziging is opgeslagen, maar niet naar {self.remote}/{self.branch} gestuurd: "
                               f"{exc}") from exc
