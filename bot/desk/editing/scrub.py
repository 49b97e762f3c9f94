"""What `git filter-branch` runs for each commit when a customer's words must leave the editors' history
(`bot privacy scrub-history`, History.scrub): replaces the text, in any case, with a mark.

    python -m bot.desk.editing.scrub tree      the commit's data files (in the folder git checked it out to)
    python -m bot.desk.editing.scrub message   the commit message (stdin to stdout)

The text comes in BALIE_SCRUB_TEXT, never on a command line."""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from bot.desk.editing.history import EDITABLE

MARK = "[gewist]"


def scrubbed(text: str, secret: str) -> str:
    return re.sub(re.escape(secret), MARK, text, flags=re.IGNORECASE)


def scrub_tree(folder: Path, secret: str) -> None:
    for name in EDITABLE:
        root = folder / name
        for path in ([root] if root.is_file() else sorted(root.rglob("*")) if root.is_dir() else []):
            if path.is_file():
                text = path.read_text(encoding="utf-8", errors="surrogateescape")
                if re.search(re.escape(secret), text, flags=re.IGNORECASE):
                    path.write_text(scrubbed(text, secret), encoding="utf-8", errors="surrogateescape")


def main(argv: list[str]) -> int:
    secret = os.environ["BALIE_SCRUB_TEXT"]
    if argv == ["tree"]:
        scrub_tree(Path.cwd(), secret)
    elif argv == ["message"]:
        sys.stdout.write(scrubbed(sys.stdin.read(), secret))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
