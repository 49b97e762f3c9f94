"""Rasa's SQL tracker store with a bounded dialogue window, so that turn 100 costs about what turn 1 costs.

Why: Rasa rebuilds the dialogue states of the whole conversation several times per turn (the memoization and
rule policies call `tracker.past_states`, which replays every event and computes a state at every action), so a
turn's cost grew with the conversation: turn 100 took 3.1x turn 1 (docs/benchmarks.md). The policies look at a
few turns only (MemoizationPolicy `max_history: 4`, the longest rule a handful of actions), so the rest of the
replay was waste.

What the tracker holds after `retrieve` when the current session is longer than `window` events:

- every customer message (`UserUttered`) and every bot message (`BotUttered`) of the session, in order: the
  escalation check judges the whole conversation (a repeated question, the abuse warnings given, the deadline
  named in any turn), and the action server reads the customer's texts and topics for the handoff's summary;
- the slots and the active form as they were at the cut, as `SlotSet` / `ActiveLoop` events;
- the last `window` events (or more: the window starts where the bot listened for a message) unchanged.

The actions executed before the window are left out: they make dialogue states, and no policy reads states
that far back. Nothing is removed from the database; `save` appends exactly the events added since `retrieve`,
and `retrieve_full_tracker` (the desk's exports, Rasa's HTTP API) still returns everything.
"""
from __future__ import annotations

import itertools
import json
import logging
from typing import Any, Iterator, List, Optional, Text

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActiveLoop, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)

WINDOW_EVENTS = 60  # about ten FAQ turns; MemoizationPolicy reads 4 states, the longest rule fewer than 10
LOADED = "_balie_events_loaded"  # on a windowed tracker: how many of its events came from `retrieve`


class WindowedSQLTrackerStore(SQLTrackerStore):
    """endpoints.yml: `tracker_store: {type: bot.rasa.tracker_store.WindowedSQLTrackerStore, ...}` with the
    options of Rasa's SQL tracker store, plus `window` (events kept whole, default 60)."""

    def __init__(self, *args: Any, window: int = WINDOW_EVENTS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.window = int(window)

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        with self.session_scope() as session:
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).all()
            dumped = [json.loads(row.data) for row in rows]
        if not dumped or not self.domain:
            return None
        cut = window_start(dumped, self.window)
        if cut == 0:
            return DialogueStateTracker.from_dict(sender_id, dumped, self.domain.slots)
        tracker = windowed(sender_id, dumped, cut, self.domain)
        setattr(tracker, LOADED, len(tracker.events))
        return tracker

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        loaded = getattr(tracker, LOADED, None)
        if loaded is None:  # a tracker read whole (or new): Rasa's own count of what is stored
            return super()._additional_events(session, tracker)
        # Rasa's lock store keeps one turn per conversation at a time, so what the tracker gained since it was
        # read is what the database lacks.
        setattr(tracker, LOADED, len(tracker.events))
        return itertools.islice(tracker.events, loaded, len(tracker.events))


def window_start(dumped: List[dict], window: int) -> int:
    """Where the window begins: 0 (the whole session) when it is short, else the last `action_listen` at least
    `window` events from the end, so that the window starts with a whole turn."""
    if len(dumped) <= window + window // 2:
        return 0
    for i in range(len(dumped) - window, 0, -1):
        event = dumped[i]
        if event.get("event") == "action" and event.get("name") == ACTION_LISTEN_NAME:
            return i
    return 0


def windowed(sender_id: Text, dumped: List[dict], cut: int, domain: Any) -> DialogueStateTracker:
    from rasa.shared.core import events as rasa_events

    before = rasa_events.deserialise_events(dumped[:cut])
    # The slots and the form at the cut, replayed the way Rasa does (reverted turns included).
    state = DialogueStateTracker.from_events(sender_id, before, domain.slots)
    at = dumped[cut].get("timestamp")
    history: List[Event] = [e for e in before if isinstance(e, (UserUttered, BotUttered))]
    restored: List[Event] = [SlotSet(slot.name, slot.value, timestamp=at) for slot in state.slots.values()
                             if slot.value != slot.initial_value]
    if state.active_loop_name:
        restored.append(ActiveLoop(state.active_loop_name, timestamp=at))
    return DialogueStateTracker.from_events(sender_id, history + restored + rasa_events.deserialise_events(dumped[cut:]),
                                            domain.slots)

