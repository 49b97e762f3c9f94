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

The actions executed before the window are left out: they make dialogue states, and no policy reads states that far
back. The earlier messages stay in `tracker.events`, but Rasa need not replay them: the tracker is a
`WindowedTracker`, whose `applied_events` and `generate_all_prior_trackers` (`past_states`, several times a turn)
give what Rasa's would give for the same events, without walking the earlier messages one by one (they only set the
latest message and the latest bot utterance). The state at the cut is kept per cached session and carried forward,
instead of replaying the session up to the cut every turn. So a turn replays about `window` events, at turn 10 as
at turn 100. The sessions read last stay parsed in memory (`cached_conversations`), so a turn reads from the
database only the rows added since, after checking with a count that nothing before them changed (a new session, an
erasure: then the whole session is read again). Nothing is removed from the database; `save` appends exactly the
events added since `retrieve` (counted in memory, without Rasa's count query per save), and `retrieve_full_tracker`
(the desk's exports, Rasa's HTTP API) still returns everything.

On SQLite (one stack on one machine; production uses PostgreSQL) the store writes ahead (WAL) and syncs at
checkpoints only (`synchronous=NORMAL`), as the desk does with its own database: Rasa saves the tracker inside
its event loop, and a full sync per save held the loop 2.4 ms a turn in a busy-hour profile. It also keeps its
SQLite connections open in a pool, and reads and saves with Core statements built once (see `__init__`).
"""
from __future__ import annotations

import itertools
import json
import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional, Text

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.constants import DEFAULT_SENDER_ID
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import (ActionExecuted, ActionReverted, ActiveLoop, BotUttered, Event, Restarted,
                                     SessionStarted, SlotSet, UserUttered, UserUtteranceReverted)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy import event
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

logger = logging.getLogger(__name__)

WINDOW_EVENTS = 60  # about ten FAQ turns; MemoizationPolicy reads 4 states, the longest rule fewer than 10
CACHED_CONVERSATIONS = 128  # sessions kept parsed in memory (a long one is a few MB at most)
LOADED = "_balie_events_loaded"  # on a windowed tracker: how many of its events came from `retrieve`


@dataclass
class _Read:
    """A conversation's current session as read before: the last row id, how many rows, their events; and, once
    it is long, the state at the cut so far (`before`: the events up to `cut` replayed) and the messages before
    it, carried forward as the cut moves."""

    max_id: int
    rows: int
    events: List[Event]
    before: Optional[DialogueStateTracker] = None
    cut: int = 0
    messages: List[Event] = field(default_factory=list)


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
            # SQLAlchemy opens a file database anew for every session (NullPool): a connect, the pragmas and a
            # close per read and per save were a tenth of Rasa's CPU in a busy-hour profile. Rasa's lock store
            # keeps one turn per conversation at a time; a connection is checked out for one read or save.
            url = self.engine.url
            self.engine.dispose()
            self.engine = sa.create_engine(url, poolclass=QueuePool, pool_size=4, max_overflow=8,
                                           connect_args={"check_same_thread": False})
            event.listen(self.engine, "connect", _sqlite_pragmas)
            self.sessionmaker = sessionmaker(bind=self.engine)
        self._statements()

    def _statements(self) -> None:
        """The reads and the insert of a turn as Core statements, built once: SQLAlchemy computes an ORM query's
        cache key at every execution (a twelfth of Rasa's CPU in the profile), a built statement's once. The
        current session is what Rasa's `_event_query` selects: the events from the latest `session_started` on."""
        table = self.SQLEvent.__table__
        sender = sa.bindparam("sender")
        start = (sa.select(sa.func.max(table.c.timestamp))
                 .where(table.c.sender_id == sender, table.c.type_name == SessionStarted.type_name)
                 .scalar_subquery())
        current = sa.and_(table.c.sender_id == sender, sa.or_(table.c.timestamp >= start, start.is_(None)))
        self._rows_after = (sa.select(table.c.id, table.c.data).where(current, table.c.id > sa.bindparam("after"))
                            .order_by(table.c.id))
        self._count_upto = sa.select(sa.func.count()).select_from(table).where(current,
                                                                              table.c.id <= sa.bindparam("upto"))
        self._count_all = sa.select(sa.func.count()).select_from(table).where(current)
        self._insert = table.insert()

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        read = self._session(sender_id)
        if read is None or not self.domain:
            return None
        cut = window_start(read.events, self.window)
        if cut == 0:
            tracker = WindowedTracker.from_events(sender_id, read.events, self.domain.slots)
        else:
            tracker = windowed(sender_id, read, cut, self.domain)
        setattr(tracker, LOADED, len(tracker.events))
        return tracker

    def _session(self, sender_id: Text) -> Optional[_Read]:
        """The current session's events: from the cache plus the rows added since, or all rows when the cache
        does not match the database any more (a new session, an erasure)."""
        with self.engine.connect() as connection:
            known = self._read.pop(sender_id, None)
            if known is not None and connection.execute(
                    self._count_upto, {"sender": sender_id, "upto": known.max_id}).scalar() == known.rows:
                added = connection.execute(self._rows_after, {"sender": sender_id, "after": known.max_id}).all()
                known.events.extend(deserialise([json.loads(data) for _, data in added]))
                read = known
                read.max_id, read.rows = (added[-1][0] if added else known.max_id), known.rows + len(added)
            else:
                rows = connection.execute(self._rows_after, {"sender": sender_id, "after": -1}).all()
                read = _Read(rows[-1][0] if rows else 0, len(rows), deserialise([json.loads(d) for _, d in rows]))
        if not read.rows:
            return None
        self._read[sender_id] = read
        while len(self._read) > self.cached_conversations:
            self._read.popitem(last=False)
        return read

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's `save` (the same rows), as one Core insert of the events added since the tracker was read."""
        await self.stream_events(tracker)
        with self.engine.begin() as connection:
            loaded = getattr(tracker, LOADED, None)
            if loaded is None:  # a tracker this store did not read (a new one): count what is stored, as Rasa does
                loaded = connection.execute(self._count_all, {"sender": tracker.sender_id}).scalar()
            # Rasa's lock store keeps one turn per conversation at a time, so what the tracker gained since it
            # was read (or last saved) is what the database lacks.
            rows = [_row(tracker.sender_id, event) for event in itertools.islice(tracker.events, loaded, None)]
            if rows:
                connection.execute(self._insert, rows)
        setattr(tracker, LOADED, len(tracker.events))


def _row(sender_id: Text, event: Event) -> Dict[str, Any]:
    data = event.as_dict()
    return {"sender_id": sender_id, "type_name": event.type_name, "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"), "data": json.dumps(data)}


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
    `window` events from the end, so that the window starts with a whole turn. The cut moves every turn (the state
    at the cut is carried forward), so the window stays about `window` events long."""
    if len(events) <= window:
        return 0
    for i in range(len(events) - window, 0, -1):
        event = events[i]
        if isinstance(event, ActionExecuted) and event.action_name == ACTION_LISTEN_NAME:
            return i
    return 0


def windowed(sender_id: Text, read: _Read, cut: int, domain: Any) -> "WindowedTracker":
    events = read.events
    if read.before is None or read.cut > cut:
        read.before, read.cut, read.messages = DialogueStateTracker(sender_id, domain.slots), 0, []
    # The slots and the form at the cut, replayed the way Rasa does (reverted turns included), from where the
    # previous turn's cut was.
    state = read.before
    for event in itertools.islice(events, read.cut, cut):
        state.update(event)
        if isinstance(event, (UserUttered, BotUttered)):
            read.messages.append(event)
    read.cut = cut
    at = events[cut].timestamp
    restored: List[Event] = [SlotSet(slot.name, slot.value, timestamp=at) for slot in state.slots.values()
                             if slot.value != slot.initial_value]
    if state.active_loop_name:
        restored.append(ActiveLoop(state.active_loop_name, timestamp=at))
    tracker = WindowedTracker(sender_id, domain.slots)
    tracker.add_earlier_messages(read.messages)
    for event in itertools.chain(restored, itertools.islice(events, cut, None)):
        tracker.update(event)
    return tracker


class WindowedTracker(DialogueStateTracker):
    """A tracker that begins with the earlier messages of a long session (only `UserUttered` and `BotUttered`
    events, see `windowed`). Rasa replays a tracker's events several times a turn (`applied_events`, and
    `generate_all_prior_trackers` under `past_states`); of the earlier messages only the last customer message and
    the last bot utterance change the replayed state, so these two methods return what Rasa's return for the same
    events without walking the earlier messages one by one. Written against Rasa 3.6's methods of the same name."""

    earlier = 0  # how many of the first events are earlier messages
    _states: Optional[tuple] = None  # (where the tracker was, {the arguments: states}) of `past_states`

    def past_states(self, domain: Any, omit_unset_slots: bool = False, ignore_rule_only_turns: bool = False,
                    rule_only_data: Optional[Dict[Text, Any]] = None) -> List[Dict]:
        """Rasa's, kept until the tracker gains an event: in one prediction the rule and memoization policies ask
        for the same states up to three times (a replay of the window each). Every caller gets its own copy, as
        Rasa's featurizer edits the states it is given (two levels deep: a state's sub-states)."""
        events = self.events
        at = (id(domain), len(events), id(events[-1]) if events else None)
        if self._states is None or self._states[0] != at:
            self._states = (at, {})
        asked = (omit_unset_slots, ignore_rule_only_turns, repr(rule_only_data))
        states = self._states[1].get(asked)
        if states is None:
            states = self._states[1][asked] = super().past_states(
                domain, omit_unset_slots=omit_unset_slots, ignore_rule_only_turns=ignore_rule_only_turns,
                rule_only_data=rule_only_data)
        return [{name: dict(sub) for name, sub in state.items()} for state in states]

    def add_earlier_messages(self, messages: List[Event]) -> None:
        """Begins the (empty) tracker with `messages`: all in `events`, the state as after replaying them."""
        self.events.extend(messages)
        self.earlier = len(messages)
        for kind in (UserUttered, BotUttered):
            last = next((e for e in reversed(messages) if isinstance(e, kind)), None)
            if last is not None:
                last.apply_to(self)

    def applied_events(self) -> List[Event]:
        if not self.earlier:
            return super().applied_events()
        # Rasa's loop over the events after the earlier messages, starting from those as applied: they hold no
        # restart, revert or form event, so Rasa's loop would have appended each of them unchanged.
        later = list(itertools.islice(self.events, self.earlier, None))
        loop_names = [event.name for event in later if isinstance(event, ActiveLoop) and event.name]
        applied_events: List[Event] = list(itertools.islice(self.events, self.earlier))
        for event in later:
            if isinstance(event, (Restarted, SessionStarted)):
                applied_events = []
            elif isinstance(event, ActionReverted):
                self._undo_till_previous(ActionExecuted, applied_events)
            elif isinstance(event, UserUtteranceReverted):
                self._undo_till_previous(UserUttered, applied_events)
                self._undo_till_previous(ActionExecuted, applied_events)
            elif (isinstance(event, ActionExecuted) and event.action_name in loop_names
                  and not self._first_loop_execution_or_unhappy_path(event.action_name, applied_events)):
                self._undo_till_previous_loop_execution(event.action_name, applied_events)
            else:
                applied_events.append(event)
        return applied_events

    def travel_back_in_time(self, target_time: float) -> DialogueStateTracker:
        """Rasa's, for `copy()` too (Rasa copies the tracker for every action it runs): the earlier messages are
        put in without replaying each, when all of them come before `target_time`."""
        k = self.earlier
        earlier = list(itertools.islice(self.events, k))
        if not k or any(e.timestamp > target_time for e in earlier):
            return super().travel_back_in_time(target_time)
        tracker = WindowedTracker(self.sender_id or DEFAULT_SENDER_ID, self.slots.values(), self._max_event_history,
                                  is_rule_tracker=self.is_rule_tracker)
        tracker.add_earlier_messages(earlier)
        for event in itertools.islice(self.events, k, None):
            if event.timestamp <= target_time:
                tracker.update(event)
            else:
                break
        return tracker

    def generate_all_prior_trackers(self) -> Iterator:
        applied = self.applied_events()
        tracker = self.init_copy()
        start = 0
        k = self.earlier
        # The earlier messages are still the first applied events (no restart or revert reached back into them):
        # no action among them, so no prior tracker to yield; apply only what they leave behind.
        if k and len(applied) >= k and applied[k - 1] is self.events[k - 1]:
            for kind in (UserUttered, BotUttered):
                last = next((e for e in reversed(applied[:k]) if isinstance(e, kind)), None)
                if last is not None:
                    tracker.update(last)
            start = k
        for event in itertools.islice(applied, start, None):
            if isinstance(event, ActionExecuted):
                yield tracker, event.hide_rule_turn
            tracker.update(event)
        yield tracker, False
