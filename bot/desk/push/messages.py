"""The push messages the desk sends over its WebSockets, defined once: the desk builds its envelopes with these
names, and the widget and the console read the same table from push.js, which the desk serves with it filled
in (`script`). To the customer: message, state, heartbeat, resync; to agents also the list changes."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

MESSAGE = "message"  # a new message, with its sequence number
STATE = "state"  # who has the conversation now (the widget's status line; the console's lists)
HEARTBEAT = "heartbeat"  # the newest sequence number: a client that is behind fetches what it missed
RESYNC = "resync"  # pushes may have been lost (Redis was away): fetch after your last number
NEW_HANDOFF = "new_handoff"  # agents: a customer joined the queue
ASSIGNED = "assigned"  # agents: a handoff got its agent (claimed, routed or transferred)
QUEUE_CHANGED = "queue_changed"  # agents: reload the lists
CALLBACKS_CHANGED = "callbacks_changed"  # agents: a callback was booked, done, or became overdue
AGENTS_CHANGED = "agents_changed"  # agents: a colleague's status changed
CONTEXT_CHANGED = "context_changed"  # agents: a handoff's card got facts the customer gave while waiting

TYPES = {name: value for name, value in globals().items() if name.isupper() and isinstance(value, str)}
SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


@lru_cache(maxsize=None)
def script(name: str) -> str:
    """push.js with the types filled in; `widget.js` comes with it, both in one function scope."""
    push = (SCRIPTS / "push.js").read_text(encoding="utf-8").replace("/*PUSH_TYPES*/{}", json.dumps(TYPES, sort_keys=True))
    if name == "push.js":
        return push
    return f"(function () {{\n{push}\n{(SCRIPTS / name).read_text(encoding='utf-8')}\n}})();\n"
