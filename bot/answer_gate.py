"""When is the bot sure enough to give an FAQ answer? The thresholds, in one place, and the decision.

A classifier always picks one of the topics it knows, also for a question no topic answers ("pakken jullie
het ook in als cadeau?" got the delivery-time answer, issue 18). So an answer is given only when three
figures are all high enough: the intent classifier's confidence that this is an FAQ question, the answer
selector's confidence in the chosen answer (bot/rasa/answer_selector.py), and its margin over the next
answer. An intent that starts a flow (an order-number question, a handover with an apology) needs its own
confidence and the customer's own case (speaks_of_own_case). Otherwise the bot says it does not know this
one and offers the nearest topics and a colleague (actions/fallback.py), and the message lands in the
editors' inbox.

The values were chosen on the development coverage set (tests/data/coverage_dev.yml); docs/nlu.md has
the figures for each value tried. The Rasa component (bot/rasa/answer_gate.py), `bot nlu coverage` and
the editors' page read them from here.

Plain Python: no Rasa import, so the desk can show the thresholds."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.webshop.identifiers import ORDER_NUMBER

# The three thresholds (docs/nlu.md: how they were chosen).
INTENT_MIN = 0.50  # the intent classifier's confidence that the message is an FAQ question
ANSWER_MIN = 0.60  # the answer selector's confidence in the chosen answer
MARGIN_MIN = 0.20  # the chosen answer's confidence minus the next answer's
# Intents that would start a flow for the customer (an order-number question, a handover with an apology):
# below this confidence the message is not understood rather than taken for one of them.
FLOW_MIN = 0.80
FLOW_INTENTS = ("order_status", "return_request", "complain", "product_issue")
# A flow also needs evidence that the customer speaks of her own case (speaks_of_own_case): an order number, a
# possessive or first-person subject (OWN_CASE_WORDS), or a statement somewhere in the message ("de rits is stuk",
# "wanneer komt het, het is voor een verjaardag"). The classifier reads a shop question by its topic words ("zit
# er een oplader bij de koptelefoon" -> product_issue 0.87): no confidence, margin or entropy threshold separates
# those from real flows (docs/nlu.md, figures per value), but their shape does: a general question about a product
# or the shop. An order question is a question by nature, so for order_status a question about the delivery counts
# too (DELIVERY_WORDS: "is het pakket er morgen al"), unless it is put generally (GENERIC_WORDS, or "een bestelling":
# "wanneer komt een bestelling gewoonlijk aan"). One registry, grammar words and the few words for a delivery, not a
# list of topics: it holds for products and questions nobody listed. Object pronouns (me, mij) are left out on
# purpose: a general question has a recipient too ("hoe snel is het bij mij"). Chosen on the dev coverage set and
# checked by 5-fold cross-validation over data/nlu for what it costs real flows (docs/nlu.md).
OWN_CASE = True
# A complaint or a product problem read from praise ("Dit is de beste webshop ooit!!!", "ze passen perfect!!"):
# capitals and "!!" make the classifier say complain, but a message whose direction is clearly positive
# (bot/escalation/polarity.py, the Dutch word list with weights) makes no complaint (P4). It is read as thanks,
# never answered with an apology and a handover. Praise without a question read as an FAQ question is thanks too. 0.5 lies above every complain and product_issue example in
# data/nlu (the highest scored 0.4: "ik ben er helemaal klaar mee", where "klaar" counts as positive).
PRAISE_MIN = 0.5
COMPLAINT_INTENTS = ("complain", "product_issue")
PRAISE_READ_AS = "thank"
OWN_CASE_WORDS = frozenset("ik k mijn m'n mn mijne we wij ons onze".split())
DELIVERY_NOUNS = frozenset("pakket pakketje pakje bestelling order zending levering".split())
DELIVERY_WORDS = DELIVERY_NOUNS | frozenset("bezorger bezorging bezorgstatus postbode track trace geleverd bezorgd "
                                            "verstuurd verzonden".split())
ARTICLES = frozenset("de het een die dat deze dit".split())
GENERIC_WORDS = frozenset("meestal gewoonlijk normaal normaliter doorgaans gemiddeld standaard altijd".split())
# Small talk that answers nothing ("is shipping gratis" read as a yes): below this confidence a small-talk intent
# is not understood, and a greeting, goodbye or thanks that asks something (a question of four words or more:
# "ligt dat ding nog ergens op stock" read as a goodbye) is not understood either. Yes and no are exempt from the
# second check: they answer the bot's own questions ("is goed hoor").
SMALL_TALK_MIN = 0.50  # 0.5, 0.6 and 0.7 score the same on the dev coverage set: the least intrusive
SMALL_TALK_INTENTS = ("affirm", "deny", "greet", "goodbye", "thank")
NEVER_A_QUESTION = ("greet", "goodbye", "thank")
QUESTION_MIN_WORDS = 4
# The nearest topics offered as buttons when the bot is not sure: the best one always, the second when
# the selector gives it at least this much.
SECOND_OPTION_MIN = 0.10
MAX_OPTIONS = 2

RETRIEVAL_INTENT = "faq"
FALLBACK = "nlu_fallback"
# A button with a topic sends this as the message: "faq/delivery_time" (the key as Rasa writes it).
CHOSEN_TOPIC = re.compile(r"^faq/([a-z][a-z0-9_]{2,40})$")


@dataclass(frozen=True)
class Thresholds:
    intent: float = INTENT_MIN
    answer: float = ANSWER_MIN
    margin: float = MARGIN_MIN
    flow: float = FLOW_MIN
    small_talk: float = SMALL_TALK_MIN
    own_case: bool = OWN_CASE


DEFAULT = Thresholds()


@dataclass(frozen=True)
class Judgement:
    sure: bool
    why: str | None  # what was too low: "intent", "answer", "margin", "flow", "own_case", "small_talk"; None when sure;
    # "praise": a complaint intent on a clearly positive message, read as thanks (PRAISE_READ_AS)
    options: tuple[str, ...]  # FAQ keys to offer ("faq/delivery_time"), nearest first


def chosen_topic(text: str) -> str | None:
    """The FAQ key a topic button sent ("faq/delivery_time"), or None for anything else."""
    match = CHOSEN_TOPIC.match((text or "").strip())
    return match.group(0) if match else None


def answer_ranking(parse: dict[str, Any]) -> list[tuple[str, float]]:
    """The selector's answers with their confidence, best first."""
    selected = ((parse.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {})
    return [(r.get("intent_response_key"), float(r.get("confidence") or 0)) for r in selected.get("ranking") or []
            if r.get("intent_response_key")]


def intent_confidence(parse: dict[str, Any], name: str) -> float:
    for entry in parse.get("intent_ranking") or []:
        if entry.get("name") == name:
            return float(entry.get("confidence") or 0)
    intent = parse.get("intent") or {}
    return float(intent.get("confidence") or 0) if intent.get("name") == name else 0.0


def options(ranking: list[tuple[str, float]]) -> tuple[str, ...]:
    chosen = [key for i, (key, confidence) in enumerate(ranking[:MAX_OPTIONS])
              if i == 0 or confidence >= SECOND_OPTION_MIN]
    return tuple(chosen)


def asks_something(text: str) -> bool:
    """A question of at least QUESTION_MIN_WORDS words: a "?", or a question word or verb first ("ligt ...")."""
    from bot.understanding import QUESTION_WORDS, tokens

    words = tokens(text or "")
    return len(words) >= QUESTION_MIN_WORDS and ("?" in text or words[0] in QUESTION_WORDS)


def speaks_of_own_case(text: str, intent: str | None = None) -> bool:
    """Does the customer speak of her own order or problem rather than ask a general question? An order number,
    "mijn"/"ik"/"we" and the like, or a statement (a problem is reported: "het werkt niet"); for order_status also
    a question about the delivery that is not put generally."""
    from bot.understanding import tokens

    text = text or ""
    if ORDER_NUMBER.search(text):
        return True
    words = tokens(text)
    if OWN_CASE_WORDS.intersection(words) or _has_a_statement(text):
        return True
    generic = GENERIC_WORDS.intersection(words) or any(
        a == "een" and b in DELIVERY_NOUNS for a, b in zip(words, words[1:]))
    return intent == "order_status" and bool(DELIVERY_WORDS.intersection(words)) and not generic


def asks_anything(text: str) -> bool:
    """A question in any clause ("super blij, maar hoe lang duurt het naar België?")."""
    from bot.understanding import question_shaped

    return any(question_shaped(clause) for clause in re.split(r"[,.;!]+", text) if clause.strip())


def praises(text: str) -> bool:
    """Is the message's direction clearly positive (PRAISE_MIN)? Negated words count with the other sign."""
    from bot.escalation.polarity import polarity

    return polarity(text).score >= PRAISE_MIN


def _has_a_statement(text: str) -> bool:
    """A clause that is not a question: "het werkt niet", "wat een slechte service" (an exclamation), or the
    reason after a question ("wanneer komt het, het is voor een verjaardag")."""
    from bot.understanding import STOP_WORDS, question_shaped, tokens

    for clause in re.split(r"[,.;!]+", text):
        words = tokens(clause)
        if not words:
            continue
        if words[:2] == ["wat", "een"] and "?" not in clause:
            return True
        # A verb first with its subject after it is a yes/no question also when the subject is a noun ("past de
        # regenjas ook over een trui"); bot.understanding only knows the common verbs and pronoun subjects.
        verb_first = len(words) > 2 and words[0] not in STOP_WORDS and words[1] in ARTICLES
        if not question_shaped(clause, words) and not verb_first:
            return True
    return False


def judge(intent: str | None, intent_conf: float, ranking: list[tuple[str, float]],
          thresholds: Thresholds = DEFAULT, text: str = "") -> Judgement:
    """Is the classifiers' reading of a message sure enough to act on? `intent` and `intent_conf` are the
    intent classifier's top intent; `ranking` the answer selector's (key, confidence), best first; `text` the
    message (for small talk that asks something)."""
    if intent == RETRIEVAL_INTENT and text and praises(text) and not asks_anything(text):
        return Judgement(False, "praise", ())  # "BLIJ MET DE SNELLE LEVERING" asks for no delivery times
    if intent == RETRIEVAL_INTENT:
        if not ranking:
            return Judgement(False, "answer", ())
        best = ranking[0][1]
        margin = best - (ranking[1][1] if len(ranking) > 1 else 0.0)
        why = ("intent" if intent_conf < thresholds.intent else "answer" if best < thresholds.answer
               else "margin" if margin < thresholds.margin else None)
        return Judgement(why is None, why, options(ranking) if why else ())
    if intent in FLOW_INTENTS and intent_conf < thresholds.flow:
        return Judgement(False, "flow", options(ranking))
    if intent in COMPLAINT_INTENTS and text and praises(text):
        return Judgement(False, "praise", ())
    if intent in FLOW_INTENTS and thresholds.own_case and text and not speaks_of_own_case(text, intent):
        return Judgement(False, "own_case", options(ranking))
    if intent in SMALL_TALK_INTENTS and (intent_conf < thresholds.small_talk
                                         or (intent in NEVER_A_QUESTION and asks_something(text))):
        return Judgement(False, "small_talk", options(ranking))
    return Judgement(True, None, ())


def describe(thresholds: Thresholds = DEFAULT) -> list[dict[str, Any]]:
    """The thresholds for people (the editors' page, in Dutch)."""
    return [
        {"name": "intent", "value": thresholds.intent,
         "label": "Zekerheid dat het een algemene vraag (FAQ) is"},
        {"name": "answer", "value": thresholds.answer, "label": "Zekerheid over het gekozen antwoord"},
        {"name": "margin", "value": thresholds.margin,
         "label": "Voorsprong van het gekozen antwoord op het op één na beste"},
        {"name": "flow", "value": thresholds.flow,
         "label": "Zekerheid voordat de bot om een bestelnummer vraagt of doorverbindt om een klacht "
                  "(en alleen als de klant over een eigen bestelling of probleem spreekt, niet bij een algemene "
                  "vraag)"},
        {"name": "praise", "value": PRAISE_MIN,
         "label": "Zo positief (woordenlijst met gewichten) dat een bericht dat als klacht wordt gelezen een "
                  "compliment of bedankje is: geen excuses en geen doorverbinding"},
        {"name": "small_talk", "value": thresholds.small_talk,
         "label": "Zekerheid dat een bericht een ja, nee, groet of bedankje is (een vraag is dat nooit)"},
    ]
