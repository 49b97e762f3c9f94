"""The blind (frozen) test sets of issue 18 stay well-formed: schema, allowed labels, minimum sizes, no
duplicates, and no text shared with the development set or the NLU training examples (a shared text would
let a rule tuned on those sets pass the blind set for free).

The sets themselves are tests/data/blind/escalation_blind.yml and tests/data/blind/coverage_blind.yml; they
are written without reading the rules and are never tuned on (see their header comments)."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.webshop.demo import DEMO_CUSTOMER, demo_orders
from bot.webshop.identifiers import ORDER_NUMBER, POSTCODE, normalise_postcode

ROOT = Path(__file__).resolve().parents[1]
BLIND = ROOT / "tests" / "data" / "blind"
ESCALATION_BLIND = BLIND / "escalation_blind.yml"
COVERAGE_BLIND = BLIND / "coverage_blind.yml"
DEV_SET = ROOT / "tests" / "data" / "escalation_eval.yml"

REASONS = {"customer_request", "frustration", "abuse", "complexity", "legal_threat", "sensitive",
           "repeated_question"}
DEADLINE_EXPECT = {"deadline_at_risk", "on_time"}
DISPUTE_EXPECT = {"acknowledge", "calm", "escalate"} | REASONS
STYLES = {"formal", "informal", "flemish", "typos", "no_punct", "english_mix", "long", "short", "emoji",
          "caps", "elderly", "slang"}
NO_MEANING_STYLES = {"words", "gibberish"}
MINIMUM = {"calm": 120, "escalate": 120, "deadline": 40, "disputes": 25,
           "uncovered": 90, "covered": 80, "no_meaning": 15}
MINIMUM_PER_REASON = 10
MINIMUM_PER_TOPIC = 5
TAG = re.compile(r"^[a-z][a-z0-9_]*$")
# A deadline named by weekday or date depends on the day it is judged: such items must fix `today`.
CALENDAR_WORD = re.compile(
    r"\b(maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|januari|februari|maart|april|mei|juni|"
    r"juli|augustus|september|oktober|november|december|\d{1,2}e)", re.IGNORECASE)


def load(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def normal(text: str) -> str:
    """Compare texts as a reader would: case, punctuation and spacing do not make a new message."""
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())


def faq_topics() -> set[str]:
    responses = load(ROOT / "data" / "nlu" / "faq.yml")["responses"]
    return {key.removeprefix("utter_") for key in responses if key.startswith("utter_faq/")}


def domain() -> dict:
    return load(ROOT / "domain.yml")


# --- the checks: each returns a list of readable problems ---------------------------------------------------

def _check_keys(where: str, item: object, required: set[str], optional: set[str]) -> list[str]:
    if not isinstance(item, dict):
        return [f"{where}: not a mapping"]
    problems = [f"{where}: missing {key!r}" for key in sorted(required - item.keys())]
    problems += [f"{where}: unknown key {key!r}" for key in sorted(item.keys() - required - optional)]
    return problems


def _check_text_or_conversation(where: str, item: dict) -> list[str]:
    has_text, has_conversation = "text" in item, "conversation" in item
    if has_text == has_conversation:
        return [f"{where}: needs exactly one of 'text' and 'conversation'"]
    if has_text:
        return [] if isinstance(item["text"], str) and item["text"].strip() else [f"{where}: empty text"]
    turns = item["conversation"]
    if not isinstance(turns, list) or not turns or not all(isinstance(t, str) and t.strip() for t in turns):
        return [f"{where}: a conversation is a non-empty list of customer texts"]
    return []


def check_escalation_set(data: dict, intents: set[str], responses: set[str]) -> list[str]:
    problems: list[str] = []
    if not isinstance(data, dict) or set(data) != {"calm", "escalate", "deadline", "disputes"}:
        return ["top level: the sections are calm, escalate, deadline, disputes"]
    for number, item in enumerate(data["calm"]):
        where = f"calm[{number}]"
        problems += _check_keys(where, item, {"trap"}, {"text", "conversation", "note"})
        if isinstance(item, dict):
            problems += _check_text_or_conversation(where, item)
            if not TAG.match(str(item.get("trap", ""))):
                problems.append(f"{where}: trap is a short tag")
    for number, item in enumerate(data["escalate"]):
        where = f"escalate[{number}]"
        problems += _check_keys(where, item, {"expect"}, {"text", "conversation", "note", "priority"})
        if isinstance(item, dict):
            problems += _check_text_or_conversation(where, item)
            if item.get("expect") not in REASONS:
                problems.append(f"{where}: expect {item.get('expect')!r} is no handover reason")
            if item.get("expect") == "repeated_question" and len(item.get("conversation") or []) < 2:
                problems.append(f"{where}: a repeated question is a conversation of two or more turns")
    problems += _check_deadlines(data["deadline"])
    problems += _check_disputes(data["disputes"], intents, responses)
    return problems


def _check_deadlines(items: list) -> list[str]:
    problems: list[str] = []
    orders = {order.number: order for order in demo_orders()}
    for number, item in enumerate(items):
        where = f"deadline[{number}]"
        problems += _check_keys(where, item, {"conversation", "order", "expect"}, {"today", "customer", "note"})
        if not isinstance(item, dict):
            continue
        turns = item.get("conversation")
        if not isinstance(turns, list) or not turns or not all(isinstance(t, str) and t.strip() for t in turns):
            problems.append(f"{where}: a conversation is a non-empty list of customer texts")
            continue
        if item.get("expect") not in DEADLINE_EXPECT:
            problems.append(f"{where}: expect is deadline_at_risk or on_time")
        order = orders.get(item.get("order"))
        if order is None:
            problems.append(f"{where}: {item.get('order')!r} is no demo order")
            continue
        named = {f"WS-{digits}" for turn in turns for digits in ORDER_NUMBER.findall(turn)}
        postcodes = {normalise_postcode(found) for turn in turns for found in POSTCODE.findall(turn)}
        if "customer" in item:
            if item["customer"] != DEMO_CUSTOMER.id or order.customer_id != DEMO_CUSTOMER.id:
                problems.append(f"{where}: {order.number} is not an order of the logged-in customer")
            if named:
                problems.append(f"{where}: a logged-in customer's item names no order number")
            if order.delivered_at is not None:
                problems.append(f"{where}: a deadline is judged against an open order")
        elif named != {order.number} or order.postcode not in postcodes:
            problems.append(f"{where}: the turns name {order.number} and its postcode {order.postcode}")
        if "today" in item:
            try:
                date.fromisoformat(str(item["today"]))
            except ValueError:
                problems.append(f"{where}: today is an ISO date")
        elif any(CALENDAR_WORD.search(turn) for turn in turns):
            problems.append(f"{where}: a weekday or date needs a fixed `today`")
    return problems


def _check_disputes(items: list, intents: set[str], responses: set[str]) -> list[str]:
    problems: list[str] = []
    for number, item in enumerate(items):
        where = f"disputes[{number}]"
        problems += _check_keys(where, item, {"conversation", "expect"}, {"note"})
        if not isinstance(item, dict):
            continue
        if item.get("expect") not in DISPUTE_EXPECT:
            problems.append(f"{where}: expect {item.get('expect')!r} is not allowed")
        turns = item.get("conversation")
        if not isinstance(turns, list) or not all(isinstance(t, dict) for t in turns):
            problems.append(f"{where}: a conversation is a list of turns")
            continue
        for turn in turns:
            if turn.get("sender") == "bot":
                problems += _check_keys(where, turn, {"sender", "response", "text"}, set())
                if turn.get("response") not in responses:
                    problems.append(f"{where}: {turn.get('response')!r} is no response of the domain")
            else:
                problems += _check_keys(where, turn, {"text", "intent"}, set())
                if turn.get("intent") not in intents:
                    problems.append(f"{where}: {turn.get('intent')!r} is no intent of the domain")
            if not isinstance(turn.get("text"), str) or not turn.get("text", "").strip():
                problems.append(f"{where}: every turn has a text")
        if not turns or turns[-1].get("sender") == "bot" or not any(t.get("sender") == "bot" for t in turns):
            problems.append(f"{where}: the bot refuses first and a customer turn is judged last")
    return problems


def check_coverage_set(data: dict, topics: set[str]) -> list[str]:
    problems: list[str] = []
    if not isinstance(data, dict) or set(data) != {"uncovered", "covered", "no_meaning"}:
        return ["top level: the sections are uncovered, covered, no_meaning"]
    for section, required, styles in (("uncovered", {"text", "style"}, STYLES),
                                      ("covered", {"text", "topic", "style"}, STYLES),
                                      ("no_meaning", {"text", "style"}, NO_MEANING_STYLES)):
        for number, item in enumerate(data[section]):
            where = f"{section}[{number}]"
            problems += _check_keys(where, item, required, {"note"})
            if not isinstance(item, dict):
                continue
            if not isinstance(item.get("text"), str) or not item.get("text", "").strip():
                problems.append(f"{where}: empty text")
            if item.get("style") not in styles:
                problems.append(f"{where}: style {item.get('style')!r} is not one of {sorted(styles)}")
            if section == "covered" and item.get("topic") not in topics:
                problems.append(f"{where}: topic {item.get('topic')!r} is no FAQ topic")
    return problems


def _customer_turns(item: dict) -> list[str]:
    return [t if isinstance(t, str) else t["text"] for t in item["conversation"]
            if isinstance(t, str) or t.get("sender") != "bot"]


def _without_identifiers(text: str) -> str:
    return POSTCODE.sub(" ", ORDER_NUMBER.sub(" ", text))


def judged_texts(escalation: dict, coverage: dict) -> list[tuple[str, str]]:
    """(where, text) of every judged message: a standalone text, the last customer turn of a conversation, and
    for a deadline (named in any turn, before or after the order) every turn that says more than the order
    number and postcode."""
    found: list[tuple[str, str]] = []
    for section, items in [*escalation.items(), *coverage.items()]:
        for number, item in enumerate(items):
            where = f"{section}[{number}]"
            if "text" in item:
                found.append((where, item["text"]))
            elif section == "deadline":
                found += [(where, turn) for turn in _customer_turns(item)
                          if len(normal(_without_identifiers(turn)).split()) >= 2]
            else:
                found.append((where, _customer_turns(item)[-1]))
    return found


def check_duplicates(texts: list[tuple[str, str]]) -> list[str]:
    seen: dict[str, str] = {}
    problems = []
    for where, text in texts:
        key = normal(text)
        if key in seen and seen[key] != where:
            problems.append(f"{where} repeats {seen[key]}: {text!r}")
        seen.setdefault(key, where)
    return problems


def _strings(node: object):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key in ("text", "conversation"):
            if key in node:
                yield from _strings(node[key])
    elif isinstance(node, list):
        for child in node:
            yield from _strings(child)


def development_texts() -> set[str]:
    """Every customer text of the development set and every NLU training example, normalised."""
    texts = {normal(text) for section in load(DEV_SET).values() for text in _strings(section)}
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for block in load(path).get("nlu") or []:
            for line in str(block.get("examples", "")).splitlines():
                line = line.strip()
                if line.startswith("- "):
                    example = re.sub(r"\[([^\]]*)\](\([^)]*\)|\{[^}]*\})", r"\1", line[2:])
                    texts.add(normal(example))
    texts.discard("")
    return texts


def check_no_overlap(texts: list[tuple[str, str]], development: set[str]) -> list[str]:
    return [f"{where} is in the development set or the NLU examples: {text!r}"
            for where, text in texts if normal(text) in development]


# --- the sets as they are in the repository ---------------------------------------------------------------

@pytest.fixture(scope="module")
def escalation() -> dict:
    return load(ESCALATION_BLIND)


@pytest.fixture(scope="module")
def coverage() -> dict:
    return load(COVERAGE_BLIND)


def test_the_escalation_set_follows_the_schema(escalation):
    spec = domain()
    assert check_escalation_set(escalation, set(spec["intents"]), set(spec["responses"])) == []


def test_the_coverage_set_follows_the_schema(coverage):
    assert check_coverage_set(coverage, faq_topics()) == []


def test_each_section_has_its_minimum_size(escalation, coverage):
    sizes = {section: len(items) for section, items in [*escalation.items(), *coverage.items()]}
    assert {section: sizes[section] for section in MINIMUM if sizes[section] < MINIMUM[section]} == {}
    assert sum(len(items) for items in escalation.values()) >= 300


def test_the_labels_are_spread(escalation, coverage):
    reasons = [item["expect"] for item in escalation["escalate"]]
    assert {reason: reasons.count(reason) for reason in REASONS if reasons.count(reason) < MINIMUM_PER_REASON} == {}
    topics = [item["topic"] for item in coverage["covered"]]
    assert {t: topics.count(t) for t in faq_topics() if topics.count(t) < MINIMUM_PER_TOPIC} == {}
    deadlines = [item["expect"] for item in escalation["deadline"]]
    assert min(deadlines.count(label) for label in DEADLINE_EXPECT) >= 15
    # the cases issue 18 names: a second dispute after the offer of a colleague, a personal circumstance
    second = [item for item in escalation["disputes"] if item["expect"] == "escalate"
              and any(t.get("response") == "utter_acknowledge_disagreement" for t in item["conversation"])]
    assert len(second) >= 3
    assert sum(item["expect"] == "sensitive" for item in escalation["disputes"]) >= 3


def test_no_message_is_judged_twice(escalation, coverage):
    assert check_duplicates(judged_texts(escalation, coverage)) == []


def test_no_message_comes_from_the_development_set_or_the_training_data(escalation, coverage):
    assert check_no_overlap(judged_texts(escalation, coverage), development_texts()) == []


# --- the checks catch what they are for -------------------------------------------------------------------

def _small_escalation_set() -> dict:
    refusal = {"sender": "bot", "response": "utter_return_term_passed", "text": "De termijn is voorbij."}
    return {
        "calm": [{"text": "TOP GEHOLPEN", "trap": "caps_praise"}],
        "escalate": [{"text": "Ik stap naar de rechter", "expect": "legal_threat"}],
        "deadline": [{"conversation": ["WS-100001 1234 AB", "morgen om 8 uur"], "order": "WS-100001",
                      "expect": "deadline_at_risk"}],
        "disputes": [{"conversation": [{"text": "retour WS-100003 5678 CD", "intent": "return_request"}, refusal,
                                       {"text": "maar ik lag in het ziekenhuis", "intent": "inform"}],
                      "expect": "sensitive"}],
    }


def _check_small(data: dict) -> list[str]:
    spec = domain()
    return check_escalation_set(data, set(spec["intents"]), set(spec["responses"]))


def test_a_well_formed_small_set_passes():
    assert _check_small(_small_escalation_set()) == []


@pytest.mark.parametrize("section, change, expected", [
    ("escalate", {"expect": "angry"}, "is no handover reason"),
    ("escalate", {"expect": "repeated_question"}, "a repeated question is a conversation"),
    ("calm", {"trap": "Looks Like Caps!"}, "trap is a short tag"),
    ("calm", {"conversation": ["a", "b"]}, "exactly one of 'text' and 'conversation'"),
    ("deadline", {"order": "WS-100009"}, "is no demo order"),
    ("deadline", {"order": "WS-100004"}, "the turns name WS-100004"),
    ("deadline", {"conversation": ["WS-100001 1234 AB", "woensdag"]}, "needs a fixed `today`"),
    ("deadline", {"today": "volgende week"}, "today is an ISO date"),
    ("deadline", {"customer": "K-1001"}, "not an order of the logged-in customer"),
    ("deadline", {"expect": "soon"}, "expect is deadline_at_risk or on_time"),
    ("disputes", {"expect": "maybe"}, "is not allowed"),
])
def test_a_malformed_item_is_reported(section, change, expected):
    data = _small_escalation_set()
    data[section][0].update(change)
    assert any(expected in problem for problem in _check_small(data)), _check_small(data)


def test_a_dispute_needs_a_bot_refusal_and_known_names():
    data = _small_escalation_set()
    data["disputes"][0]["conversation"] = [{"text": "maar waarom niet", "intent": "grumble"}]
    problems = _check_small(data)
    assert any("'grumble' is no intent" in p for p in problems)
    assert any("the bot refuses first" in p for p in problems)


def test_the_coverage_checks_report_a_wrong_topic_and_style():
    data = {"uncovered": [{"text": "Hebben jullie sokken?", "style": "shouting"}],
            "covered": [{"text": "Wat kost verzenden?", "topic": "faq/socks", "style": "informal"}],
            "no_meaning": [{"text": "blorp", "style": "gibberish"}]}
    problems = check_coverage_set(data, faq_topics())
    assert any("style 'shouting'" in p for p in problems)
    assert any("'faq/socks' is no FAQ topic" in p for p in problems)


def test_duplicates_and_overlap_are_found_whatever_the_case_and_punctuation():
    texts = [("calm[0]", "Waar blijft mijn pakket?"), ("escalate[3]", "waar blijft  mijn PAKKET")]
    assert check_duplicates(texts) == ["escalate[3] repeats calm[0]: 'waar blijft  mijn PAKKET'"]
    assert check_no_overlap(texts[:1], {"waar blijft mijn pakket"}) != []
