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
that far back. The sessions read last stay parsed in memory (`cached_conversations`), so a turn reads from the
database only the rows added since, after checking with a count that nothing before them changed (a new
session, an erasure: then the whole session is read again). Nothing is removed from the database; `save` appends exactly the events added since `retrieve`
(counted in memory, without Rasa's count query per save), and `retrieve_full_tracker` (the desk's exports, Rasa's
HTTP API) still returns everything.

On SQLite (one stack on one machine; production uses PostgreSQL) the store writes ahead (WAL) and syncs at
checkpoints only (`synchronous=NORMAL`), as the desk does with its own database: Rasa saves the tracker inside
its event loop, and a full sync per save held the loop 2.4 ms a turn in a busy-hour profile.
"""
from __future__ import annotations

import itertools
import json
import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Optional, Text

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import event

logger = logging.getLogger(__name__)

WINDOW_EVENTS = 60  # about ten FAQ turns; MemoizationPolicy reads 4 states, the longest rule fewer than 10
CACHED_CONVERSATIONS = 128  # sessions kept parsed in memory (a long one is a few MB at most)
LOADED = "_balie_events_loaded"  # on a windowed tracker: how many of its events came from `retrieve`


@dataclass
class _Read:
    """A conversation's current session as read before: the last row id, how many rows, their events."""

    max_id: int
    rows: int
    events: List[Event]


class WindowedSQLTrackerStore(SQLTrackerStore):
    """endpoints.yml: `tracker_store: {type: bot.rasa.tracker_store.WindowedSQLTrackerStore, ...}` with the
    options of Rasa's SQL tracker store, plus `window` (events kept whole, default 60) and `cached_conversations`
    (default 128: the sessions read last are kept, so that a turn reads only the rows added since)."""

    def __init__(self, *args: Any, window: int = WINDOW_EVENTS, cached_conversations: int = CACHED_CONVERSATIONS,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.window = int(window)
        self.cached_conversations = int(cached_conversations)
        self._read: "OrderedDict[str, _Read]" = OrderedDict()
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
            self.engine.dispose()  # connections opened before (creating the table) are opened again with them

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        events = self._session_events(sender_id)
        if not events or not self.domain:
            return None
        cut = window_start(events, self.window)
        if cut == 0:
            tracker = DialogueStateTracker.from_events(sender_id, events, self.domain.slots)
        else:
            tracker = windowed(sender_id, events, cut, self.domain)
        setattr(tracker, LOADED, len(tracker.events))
        return tracker

    def _session_events(self, sender_id: Text) -> List[Event]:
        """The current session's events: from the cache plus the rows added since, or all rows when the cache
        does not match the database any more (a new session, an erasure)."""
        row = self.SQLEvent
        with self.session_scope() as session:
            query = self._event_query(session, sender_id, fetch_events_from_all_sessions=False)
            known = self._read.pop(sender_id, None)
            if known is not None and query.filter(row.id <= known.max_id).count() == known.rows:
                added = query.filter(row.id > known.max_id).with_entities(row.id, row.data).all()
                read = _Read(added[-1][0] if added else known.max_id, known.rows + len(added),
                             known.events + deserialise([json.loads(data) for _, data in added]))
            else:
                rows = query.with_entities(row.id, row.data).all()
                read = _Read(rows[-1][0] if rows else 0, len(rows), deserialise([json.loads(d) for _, d in rows]))
        if read.rows:
            self._read[sender_id] = read
            while len(self._read) > self.cached_conversations:
                self._read.popitem(last=False)
        return list(read.events)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        loaded = getattr(tracker, LOADED, None)
        if loaded is None:  # a tracker this store did not read (a new one): Rasa's own count of what is stored
            return super()._additional_events(session, tracker)
        # Rasa's lock store keeps one turn per conversation at a time, so what the tracker gained since it was
        # read is what the database lacks.
        setattr(tracker, LOADED, len(tracker.events))
        return itertools.islice(tracker.events, loaded, len(tracker.events))


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # a crash loses nothing committed, a power cut the last commits
    cursor.close()


_TYPES: Dict[str, type] = {}


def deserialise(dumped: List[dict]) -> List[Event]:
    """Rasa's `deserialise_events`, without looking up every event's class among all of Event's subclasses
    (80 µs an event, most of a long conversation's read)."""
    from rasa.shared.utils.common import all_subclasses

    if not _TYPES:
        for cls in all_subclasses(Event):
            _TYPES.setdefault(cls.type_name, cls)
    events = []
    for data in dumped:
        cls = _TYPES.get(data.get("event"))
        event = cls._from_parameters(data) if cls is not None else Event.from_parameters(data)
        if event is not None:
            events.append(event)
    return events


def window_start(events: List[Event], window: int) -> int:
    """Where the window begins: 0 (the whole session) when it is short, else the last `action_listen` at least
    `window` events from the end, so that the window starts with a whole turn."""
    if len(events) <= window + window // 2:
        return 0
    for i in range(len(events) - window, 0, -1):
        event = events[i]
        if isinstance(event, ActionExecuted) and event.action_name == ACTION_LISTEN_NAME:
            return i
    return 0


def windowed(sender_id: Text, events: List[Event], cut: int, domain: Any) -> DialogueStateTracker:
    before = events[:cut]
    # The slots and the form at the cut, replayed the way Rasa does (reverted turns included).
    state = DialogueStateTracker.from_events(sender_id, before, domain.slots)
    at = events[cut].timestamp
    history: List[Event] = [e for e in before if isinstance(e, (UserUttered, BotUttered))]
    restored: List[Event] = [SlotSet(slot.name, slot.value, timestamp=at) for slot in state.slots.values()
                             if slot.value != slot.initial_value]
    if state.active_loop_name:
        restored.append(ActiveLoop(state.active_loop_name, timestamp=at))
    return DialogueStateTracker.from_events(sender_id, history + restored + events[cut:], domain.slots)
