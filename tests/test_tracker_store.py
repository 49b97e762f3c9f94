"""The windowed tracker store (bot/rasa/tracker_store.py) against Rasa's own SQL tracker store on the same SQLite
database: a long conversation comes back with the same slots, form, customer and bot messages and the same
recent dialogue states, the escalation check sees the same turns, and saving stores each new event once."""
from __future__ import annotations

import asyncio

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (ActionExecuted, ActiveLoop, BotUttered, Restarted, SessionStarted, SlotSet,
                                     UserUttered, UserUtteranceReverted)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.config import ROOT
from bot.rasa.escalation_policy import turns_from_tracker
from bot.rasa.tracker_store import WindowedSQLTrackerStore

TURNS = 40


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


def user(text: str, intent: str, at: float) -> UserUttered:
    return UserUttered(text, intent={"name": intent, "confidence": 0.9}, timestamp=at,
                       parse_data={"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []})


def conversation(domain: Domain, sender: str) -> DialogueStateTracker:
    """A long session: an order number early on, an abuse warning, a reverted misunderstanding, a form that is
    still active at the end, FAQ turns in between."""
    tracker = DialogueStateTracker(sender, domain.slots)
    at = 1000.0
    events = [ActionExecuted("action_session_start", timestamp=at), SessionStarted(timestamp=at),
              ActionExecuted("action_listen", timestamp=at)]
    for i in range(TURNS):
        at += 10
        if i == 1:
            events += [user("Waar is WS-100001?", "order_status", at),
                       SlotSet("order_number", "WS-100001", timestamp=at),
                       ActionExecuted("utter_ask_postcode", timestamp=at),
                       BotUttered("Wat is je postcode?", metadata={"utter_action": "utter_ask_postcode"}, timestamp=at)]
        elif i == 2:
            events += [user("jij bent een idioot", "insult", at), ActionExecuted("utter_abuse_warning", timestamp=at),
                       BotUttered("Laten we het netjes houden.", metadata={"utter_action": "utter_abuse_warning"},
                                  timestamp=at)]
        elif i == 3:
            events += [user("asdfgh", "nlu_fallback", at), ActionExecuted("action_default_fallback", timestamp=at),
                       UserUtteranceReverted(timestamp=at)]
        elif i == TURNS - 2:
            events += [user("Ik wil retourneren", "return_request", at),
                       ActionExecuted("return_form", timestamp=at), ActiveLoop("return_form", timestamp=at),
                       SlotSet("requested_slot", "order_number", timestamp=at)]
        else:
            events += [user(f"Wat kost verzenden? ({i})", "faq", at), ActionExecuted("utter_faq", timestamp=at),
                       BotUttered("Verzenden kost 4,95.", metadata={"utter_action": "utter_faq"}, timestamp=at)]
        events.append(ActionExecuted("action_listen", timestamp=at + 1))
    for event in events:
        tracker.update(event)
    return tracker


def stores(domain: Domain, tmp_path):
    db = str(tmp_path / "trackers.db")
    return SQLTrackerStore(domain, dialect="sqlite", db=db), WindowedSQLTrackerStore(domain, dialect="sqlite", db=db,
                                                                                      window=30)


def test_a_long_conversation_comes_back_with_all_its_messages_slots_form_and_recent_states(domain, tmp_path):
    plain, windowed = stores(domain, tmp_path)
    asyncio.run(plain.save(conversation(domain, "long")))
    full = asyncio.run(plain.retrieve("long"))
    short = asyncio.run(windowed.retrieve("long"))
    assert len(short.events) < len(full.events)  # the actions before the window are left out
    messages = [(type(e).__name__, e.text) for e in full.events if isinstance(e, (UserUttered, BotUttered))]
    assert [(type(e).__name__, e.text) for e in short.events if isinstance(e, (UserUttered, BotUttered))] == messages
    assert short.current_slot_values() == full.current_slot_values()
    assert short.get_slot("order_number") == "WS-100001"  # set in the second turn, long before the window
    assert short.active_loop_name == full.active_loop_name == "return_form"
    assert short.latest_message.text == full.latest_message.text
    assert short.latest_action_name == full.latest_action_name
    # What the policies read: the last states are the same (MemoizationPolicy reads 4).
    assert short.past_states(domain)[-8:] == full.past_states(domain)[-8:]
    # What the escalation check reads: the same turns and the same abuse warning from turn 3.
    assert turns_from_tracker(short) == turns_from_tracker(full)
    assert turns_from_tracker(short)[1] == 1


def test_saving_a_windowed_tracker_stores_each_new_event_once(domain, tmp_path):
    plain, windowed = stores(domain, tmp_path)
    asyncio.run(plain.save(conversation(domain, "long")))
    stored = len(asyncio.run(plain.retrieve_full_tracker("long")).events)
    tracker = asyncio.run(windowed.retrieve("long"))
    new = [user("Hoe lang duurt de levering?", "faq", 5000.0), ActionExecuted("utter_faq", timestamp=5000.0),
           BotUttered("Meestal morgen.", metadata={"utter_action": "utter_faq"}, timestamp=5000.0),
           ActionExecuted("action_listen", timestamp=5001.0)]
    for event in new[:2]:
        tracker.update(event)
    asyncio.run(windowed.save(tracker))
    for event in new[2:]:
        tracker.update(event)
    asyncio.run(windowed.save(tracker))  # saved twice in one turn: only what came after the first save
    asyncio.run(windowed.save(tracker))
    again = asyncio.run(plain.retrieve_full_tracker("long"))
    assert len(again.events) == stored + len(new)
    assert [e.as_dict() for e in list(again.events)[-len(new):]] == [e.as_dict() for e in new]


def test_a_short_conversation_is_read_whole(domain, tmp_path):
    plain, windowed = stores(domain, tmp_path)
    tracker = DialogueStateTracker("short", domain.slots)
    for event in [ActionExecuted("action_listen"), user("hoi", "greet", 1.0), ActionExecuted("utter_greet"),
                  BotUttered("Hoi!"), ActionExecuted("action_listen")]:
        tracker.update(event)
    asyncio.run(plain.save(tracker))
    read = asyncio.run(windowed.retrieve("short"))
    assert [e.as_dict() for e in read.events] == [e.as_dict() for e in tracker.events]
    # Saved without Rasa's count query: each new event once, also when a turn saves twice.
    new = [user("dank je", "thank", 2.0), ActionExecuted("utter_thanks", timestamp=2.0)]
    read.update(new[0])
    asyncio.run(windowed.save(read))
    read.update(new[1])
    asyncio.run(windowed.save(read))
    asyncio.run(windowed.save(read))
    again = asyncio.run(plain.retrieve_full_tracker("short"))
    assert [e.as_dict() for e in again.events] == [e.as_dict() for e in list(tracker.events) + new]


def test_a_kept_session_reads_only_new_rows_and_is_read_again_after_an_erasure(domain, tmp_path):
    plain, windowed = stores(domain, tmp_path)
    asyncio.run(plain.save(conversation(domain, "long")))
    first = asyncio.run(windowed.retrieve("long"))
    # Another Rasa replica answers the next turn (Rasa's own store writes it).
    other = asyncio.run(plain.retrieve("long"))
    for event in [user("Hoe lang duurt de levering?", "faq", 6000.0), ActionExecuted("action_listen", timestamp=6001.0)]:
        other.update(event)
    asyncio.run(plain.save(other))
    second = asyncio.run(windowed.retrieve("long"))
    assert second.latest_message.text == "Hoe lang duurt de levering?" != first.latest_message.text
    assert turns_from_tracker(second) == turns_from_tracker(asyncio.run(plain.retrieve("long")))
    # The desk erases the customer's conversation in the tracker store (bot privacy erase).
    with plain.session_scope() as session:
        session.query(plain.SQLEvent).filter(plain.SQLEvent.sender_id == "long").delete()
        session.commit()
    assert asyncio.run(windowed.retrieve("long")) is None


def _replays(tracker: DialogueStateTracker, domain: Domain) -> list:
    """Everything the policies read from a replay of the tracker: applied events, and the dialogue states in
    each way RulePolicy and MemoizationPolicy ask for them."""
    rule_only = {"slots": ["requested_slot"], "loops": ["return_form"]}
    copy = tracker.copy()  # Rasa runs every action on a copy
    return [[e.as_dict() for e in tracker.applied_events()], tracker.past_states(domain),
            tracker.past_states(domain, omit_unset_slots=True),
            tracker.past_states(domain, ignore_rule_only_turns=True, rule_only_data=rule_only),
            [e.as_dict() for e in copy.events], copy.current_slot_values(), copy.past_states(domain),
            copy.active_loop_name, copy.latest_message.text, copy.latest_bot_utterance.text,
            tracker.travel_back_in_time(7000.5).past_states(domain)]


def test_the_windowed_tracker_replays_as_rasa_replays_the_same_events(domain, tmp_path):
    plain, windowed = stores(domain, tmp_path)
    asyncio.run(plain.save(conversation(domain, "long")))
    short = asyncio.run(windowed.retrieve("long"))
    assert short.earlier > 20  # the earlier messages are there, and skipped when replaying
    same = DialogueStateTracker.from_events("long", list(short.events), domain.slots)
    assert _replays(short, domain) == _replays(same, domain)
    # A turn goes on: the form's turn is reverted, then the session restarts. Rasa's replay forgets what came
    # before a restart, the earlier messages too; the windowed tracker's replay must agree after each event.
    for event in [user("hmm", "nlu_fallback", 7000.0), ActionExecuted("action_default_fallback", timestamp=7000.0),
                  UserUtteranceReverted(timestamp=7000.0), ActionExecuted("action_listen", timestamp=7001.0),
                  user("opnieuw", "restart", 7002.0), ActionExecuted("action_restart", timestamp=7002.0),
                  Restarted(timestamp=7002.0), ActionExecuted("action_listen", timestamp=7003.0)]:
        short.update(event)
        same.update(event)
        assert _replays(short, domain) == _replays(same, domain)
        assert short.current_slot_values() == same.current_slot_values()
    assert len(short.applied_events()) == 1  # after the restart only its action_listen


def test_the_state_at_the_cut_is_carried_forward_turn_by_turn(domain, tmp_path):
    """Turn after turn on one store (the cut moves, the state at the cut is kept), against a fresh store reading
    the same rows whole each time."""
    plain, windowed = stores(domain, tmp_path)
    asyncio.run(plain.save(conversation(domain, "long")))
    at = 8000.0
    for i in range(12):
        tracker = asyncio.run(windowed.retrieve("long"))
        fresh = asyncio.run(WindowedSQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "trackers.db"),
                                                    window=30).retrieve("long"))
        assert [e.as_dict() for e in tracker.events] == [e.as_dict() for e in fresh.events]
        assert _replays(tracker, domain) == _replays(fresh, domain)
        assert tracker.get_slot("order_number") == ("WS-100002" if i > 5 else "WS-100001")
        at += 10
        turn = [user(f"Hoe lang duurt de levering? ({i})", "faq", at), ActionExecuted("utter_faq", timestamp=at),
                BotUttered("Meestal morgen.", metadata={"utter_action": "utter_faq"}, timestamp=at)]
        if i == 5:  # a slot set in the window that later falls before the cut
            turn.append(SlotSet("order_number", "WS-100002", timestamp=at))
        for event in turn + [ActionExecuted("action_listen", timestamp=at + 1)]:
            tracker.update(event)
        asyncio.run(windowed.save(tracker))
    assert asyncio.run(windowed.retrieve("long")).get_slot("order_number") == "WS-100002"


def test_a_new_conversation_is_stored_in_the_same_rows_as_rasa_stores_it(domain, tmp_path):
    """A tracker the store did not read (a new conversation): saved twice in its first turn, each event once,
    in rows with the same columns Rasa's own store writes, so that Rasa's store and the desk read them alike."""
    plain, windowed = stores(domain, tmp_path)
    events = list(conversation(domain, "x").events)[:12]
    for store, sender in ((plain, "by-rasa"), (windowed, "by-window")):
        tracker = DialogueStateTracker(sender, domain.slots)
        for event in events[:5]:
            tracker.update(event)
        asyncio.run(store.save(tracker))
        for event in events[5:]:
            tracker.update(event)
        asyncio.run(store.save(tracker))
        asyncio.run(store.save(tracker))
    columns = ("type_name", "timestamp", "intent_name", "action_name", "data")

    def rows(sender: str) -> list:
        with plain.session_scope() as session:
            found = session.query(plain.SQLEvent).filter(plain.SQLEvent.sender_id == sender).order_by(
                plain.SQLEvent.id).all()
            return [tuple(getattr(row, c) for c in columns) for row in found]

    assert len(rows("by-window")) == len(events)
    assert rows("by-window") == rows("by-rasa")
    assert [e.as_dict() for e in asyncio.run(windowed.retrieve("by-window")).events] == [e.as_dict() for e in events]


def test_a_new_session_is_read_without_the_one_before(domain, tmp_path):
    plain, windowed = stores(domain, tmp_path)
    asyncio.run(plain.save(conversation(domain, "long")))
    assert len(asyncio.run(windowed.retrieve("long")).events) > 20
    tracker = asyncio.run(plain.retrieve("long"))
    for event in [ActionExecuted("action_session_start", timestamp=9000.0), SessionStarted(timestamp=9000.0),
                  ActionExecuted("action_listen", timestamp=9000.0), user("hoi", "greet", 9001.0)]:
        tracker.update(event)
    asyncio.run(plain.save(tracker))
    again = asyncio.run(windowed.retrieve("long"))
    assert [e.as_dict() for e in again.events] == [e.as_dict() for e in asyncio.run(plain.retrieve("long")).events]
    assert len(again.events) == 4 and again.get_slot("order_number") is None


def test_states_asked_again_are_the_same_and_each_callers_own(domain, tmp_path):
    """Rasa's featurizer edits the states it gets (it drops the text of a message it has the intent of): a second
    policy asking for the states of the same tracker must get them as they were."""
    plain, windowed = stores(domain, tmp_path)
    asyncio.run(plain.save(conversation(domain, "long")))
    tracker = asyncio.run(windowed.retrieve("long"))
    first = tracker.past_states(domain)
    expected = DialogueStateTracker.from_events("long", list(tracker.events), domain.slots).past_states(domain)
    for state in first:
        state.pop("user", None)
    assert tracker.past_states(domain) == expected != first
    tracker.update(user("nog een vraag", "faq", 9500.0))  # a new event: the states are made again
    assert tracker.past_states(domain) == DialogueStateTracker.from_events(
        "long", list(tracker.events), domain.slots).past_states(domain)
