"""python -m bot.escalation [FILE]: read a conversation as JSON (stdin or FILE), print the assessment.

Input: ["customer turn", ...] or [{"text", "sender"?, "intent"?, "confidence"?}, ...].
"""
from __future__ import annotations

import argparse
import json
import sys

from bot.escalation import assess, turns_from_json


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.escalation", description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", help="JSON file (default: standard input)")
    parser.add_argument("--warnings", type=int, default=0, help="abuse warnings already given")
    args = parser.parse_args(argv)
    raw = open(args.file, encoding="utf-8").read() if args.file else sys.stdin.read()
    try:
        turns = turns_from_json(json.loads(raw))
    except (ValueError, TypeError, AttributeError) as exc:
        print(f"Not a conversation in JSON: {exc}", file=sys.stderr)
        return 2
    result = assess(turns, previous_warnings=args.warnings)
    print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
