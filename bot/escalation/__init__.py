"""Does this conversation need a person? A scored, explainable judgement of the latest customer
message in the light of the conversation so far (P1, P4, P5, P7, P9).

Plain Python without Rasa imports: the Rasa policy, the tests and `python -m bot.escalation` use it.
Word lists and thresholds live in escalation.yml at the repository root.
"""
from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import yaml

from bot import reasons as registry
from bot.config import ROOT
from bot.escalation import replies
from bot.escalation.polarity import Polarity, polarity
from bot.text import clause_around
from bot.webshop.identifiers import ORDER_NUMBER, POSTCODE

RULES_FILE = ROOT / "escalation.yml"
_ORDER_OR_POSTCODE = re.compile(f"{ORDER_NUMBER.pattern}|{POSTCODE.pattern}", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*", re.UNICODE)
_NON_WORD = re.compile(r"[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class Turn:
    """One message in the conversation. Customer turns may carry the NLU result."""

    text: str
    sender: str = "customer"  # customer | bot | agent | system
    intent: str | None = None
    confidence: float | None = None
    response: str | None = None  # for bot turns: the response name (utter_...)


@dataclass(frozen=True)
class Signal:
    name: str
    reason: str
    evidence: str
    score: float


@dataclass
class Assessment:
    action: str = "none"  # none | handoff | warn | end | acknowledge (a disagreement, once)
    reason: str | None = None
    priority: str | None = None
    signals: list[Signal] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def escalate(self) -> bool:
        return self.action in ("handoff", "end")

    def explanation(self) -> str:
        if self.reason is None:
            return "Geen reden om over te dragen."
        parts = [f"{s.name} (+{s.score:.1f}): \u201c{s.evidence}\u201d" for s in self.signals if s.reason == self.reason]
        return f"{self.reason} {self.scores[self.reason]:.1f}: " + "; ".join(parts)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["escalate"] = self.escalate
        data["explanation"] = self.explanation()
        return data


# ---------------------------------------------------------------- matching helpers

def _normalise(text: str) -> str:
    return " " + " ".join(_NON_WORD.sub(" ", text.lower()).split()) + " "


def _evidence(text: str, start: int, end: int, limit: int = 140) -> str:
    """The clause around a match: what the agent should read."""
    clause = clause_around(text, start, end) or text[start:end]
    return clause if len(clause) <= limit else text[max(0, start - 50):end + 50].strip()


class _Lexicon:
    """Words (with * for any ending) and phrases, matched case-insensitively on whole words."""

    def __init__(self, words: Iterable[str] = (), phrases: Iterable[str] = ()) -> None:
        exact, prefixes, multi = set(), [], list(phrases)
        for word in words:
            word = word.lower()
            if " " in word:
                multi.append(word)
            elif word.endswith("*"):
                prefixes.append(word[:-1])
            else:
                exact.add(word)
        self.exact, self.prefixes = exact, tuple(prefixes)
        self.phrases = [_normalise(p) for p in multi]

    def find(self, text: str, skip: tuple[int, int] | None = None) -> tuple[int, int] | None:
        """Span of the first match in `text`, optionally ignoring the span `skip`."""
        for match in _WORD.finditer(text):
            if skip and match.span() == skip:
                continue
            token = match.group(0).lower()
            if token in self.exact or (self.prefixes and token.startswith(self.prefixes)):
                return match.span()
        if self.phrases:
            normalised = _normalise(text)
            for phrase in self.phrases:
                if phrase in normalised:
                    first = phrase.strip().split()[0]
                    found = re.search(re.escape(first), text, re.IGNORECASE)
                    return found.span() if found else (0, len(text))
        return None


@dataclass
class Rules:
    raw: dict[str, Any]

    def __post_init__(self) -> None:
        self.thresholds: dict[str, float] = self.raw["thresholds"]
        # Priorities and the order in which reasons win come from the one registry (bot/reasons.py).
        self.priorities: dict[str, str] = {key: registry.get(key).priority for key in registry.JUDGED}
        self.precedence: list[str] = list(registry.JUDGED)
        unknown = (set(self.thresholds) | set(self.raw["signals"])) - set(registry.JUDGED)
        missing = set(registry.JUDGED) - set(self.thresholds)
        if unknown or missing:
            raise ValueError(f"escalation.yml: reasons not in bot/reasons.py: {sorted(unknown)}; "
                             f"judged reasons without a threshold: {sorted(missing)}")
        self.strong_anger: float = self.raw["strong_anger"]
        self.caps = self.raw["caps"]
        self.caps_allowed = {w.lower() for w in self.caps["allowed"]}
        self.burst = self.raw["punctuation_burst"]
        signals = self.raw["signals"]
        self.lexicons: dict[str, _Lexicon] = {}
        self.needs: dict[str, _Lexicon] = {}
        self.unless: dict[str, _Lexicon] = {}
        self.patterns: dict[str, re.Pattern] = {}
        for reason, group in signals.items():
            for name, spec in group.items():
                key = f"{reason}.{name}"
                if "words" in spec or "phrases" in spec:
                    self.lexicons[key] = _Lexicon(spec.get("words", ()), spec.get("phrases", ()))
                if "needs_any" in spec:
                    self.needs[key] = _Lexicon(spec["needs_any"])
                if "unless_any" in spec:
                    self.unless[key] = _Lexicon(spec["unless_any"])
                if "pattern" in spec:
                    self.patterns[key] = re.compile(spec["pattern"], re.IGNORECASE)
        self.signals = signals
        self.calm_review = _Lexicon(signals["legal_threat"]["public"].get("calm_words", ()))
        self.problem_patterns = [re.compile(p, re.IGNORECASE)
                                 for p in signals["complexity"]["several_problems"]["problems"]]
        self.emotion = _Lexicon(signals["complexity"]["long_emotional"]["emotion_words"])
        self.disagreement = self.raw.get("disagreement") or {}
        self.disagreeing = _Lexicon(self.disagreement.get("words", ()), self.disagreement.get("phrases", ()))
        circumstance = self.disagreement.get("personal_circumstance") or {}
        self.circumstance = _Lexicon(circumstance.get("words", ()), circumstance.get("phrases", ()))
        self.signals_of: OrderedDict[str, tuple[Signal, ...]] = OrderedDict()  # see message_signals


@lru_cache(maxsize=4)
def load_rules(path: Path = RULES_FILE) -> Rules:
    with open(path, encoding="utf-8") as handle:
        return Rules(yaml.safe_load(handle))


# ---------------------------------------------------------------- signals of one message

def _caps(text: str, rules: Rules, direction: Polarity) -> Signal | None:
    cleaned = _ORDER_OR_POSTCODE.sub(" ", text)
    if len(_WORD.findall(cleaned)) < rules.caps["min_message_words"]:
        return None
    words = [w for w in _WORD.findall(cleaned) if w.lower() not in rules.caps_allowed]
    shouted = [w for w in words if len(w) >= 2 and w.isupper()]
    letters = [c for w in words for c in w if c.isalpha()]
    if len(shouted) < rules.caps["min_words"] or not letters:
        return None
    if sum(len(w) >= 3 for w in shouted) < rules.caps["min_long_words"]:
        return None
    if sum(c.isupper() for c in letters) / len(letters) < rules.caps["min_share"]:
        return None
    # Capitals are loud, not angry: only a message that points the negative way is shouting (P4). Praise and
    # thanks in capitals, a product name, a brand or a calm "I need it only after the holiday" are not.
    if not direction.negative:
        return None
    return Signal("caps_lock", "frustration", text.strip()[:140], rules.caps["score"])


def _lexicon_signal(text: str, rules: Rules, reason: str, name: str, score: float) -> Signal | None:
    key = f"{reason}.{name}"
    lexicon = rules.lexicons.get(key)
    span = lexicon.find(text) if lexicon else None
    if span is None and key in rules.patterns:
        match = rules.patterns[key].search(text)
        span = match.span() if match else None
    if span is None:
        return None
    if key in rules.needs and rules.needs[key].find(text, skip=span) is None:
        return None
    if key in rules.unless and rules.unless[key].find(text) is not None:
        return None
    return Signal(name, reason, _evidence(text, *span), score)


def message_signals(text: str, rules: Rules) -> list[Signal]:
    """The signals of one message. Kept for the messages judged last: a turn asks for the latest message (the rules,
    then the learned judgement's features) and for the one before it (anger lingers), which the previous turn
    judged already."""
    cache = rules.signals_of
    with _SIGNALS_LOCK:  # the desk asks from several threads
        found = cache.get(text)
        if found is not None:
            cache.move_to_end(text)
    if found is None:
        found = tuple(_message_signals(text, rules))
        with _SIGNALS_LOCK:
            cache[text] = found
            if len(cache) > SIGNALS_KEPT:
                cache.popitem(last=False)
    return list(found)


SIGNALS_KEPT = 1024
_SIGNALS_LOCK = threading.Lock()


def _message_signals(text: str, rules: Rules) -> list[Signal]:
    found: list[Signal] = []
    direction = polarity(text)
    caps = _caps(text, rules, direction)
    if caps:
        found.append(caps)
    burst = re.search(r"[!?]{%d,}" % rules.burst["min_run"], text)
    if burst and not direction.positive:  # "Wat snel geleverd!!!" is excitement
        found.append(Signal("punctuation_burst", "frustration", _evidence(text, *burst.span()), rules.burst["score"]))
    for reason, group in rules.signals.items():
        for name, spec in group.items():
            if name in ("several_problems", "long_emotional", "same_question", "rephrase_after_fallback"):
                continue
            signal = _lexicon_signal(text, rules, reason, name, spec["score"])
            if signal is None:
                continue
            if name == "swearing" and direction.positive:
                continue  # "verdorie, wat een mooie jas!" is delight
            if name == "public" and (rules.calm_review.find(text) or direction.positive) \
                    and not re.search(r"slecht|negatie", text, re.I):
                continue  # "ik schrijf graag een goede review", "jullie zijn geweldig": praise, not a threat
            found.append(signal)
    several = rules.signals["complexity"]["several_problems"]
    hits = [m for m in (p.search(text) for p in rules.problem_patterns) if m]
    if len(hits) >= several["min_problems"]:
        evidence = "; ".join(m.group(0) for m in hits)
        found.append(Signal("several_problems", "complexity", evidence, several["score"]))
    long_spec = rules.signals["complexity"]["long_emotional"]
    if len(text) >= long_spec["min_chars"]:
        span = rules.emotion.find(text)
        if span:
            found.append(Signal("long_emotional", "complexity", _evidence(text, *span), long_spec["score"]))
    return found


# ---------------------------------------------------------------- the conversation

@lru_cache(maxsize=4096)  # every earlier customer message is compared with the latest, every turn
def _words(text: str) -> frozenset[str]:
    return frozenset(w.lower() for w in _WORD.findall(text) if len(w) > 2)


def _context_signals(turns: list[Turn], rules: Rules) -> list[Signal]:
    """Signals that need the earlier turns: a repeated question, a rephrase after a miss."""
    customer = [t for t in turns if t.sender == "customer"]
    if len(customer) < 2:
        return []
    latest, earlier = customer[-1], customer[:-1]
    found: list[Signal] = []
    spec = rules.signals["repeated_question"]["same_question"]
    latest_words = _words(latest.text)
    if len(latest_words) >= spec["min_words"]:
        for turn in earlier:
            if turn.intent == "nlu_fallback":
                continue  # the bot did not answer it, so asking again is not repeating
            other = _words(turn.text)
            if other and len(latest_words & other) / len(latest_words | other) >= spec["min_similarity"]:
                found.append(Signal("same_question", "repeated_question", latest.text.strip()[:140], spec["score"]))
                break
    if earlier[-1].intent == "nlu_fallback":
        score = rules.signals["not_understood"]["rephrase_after_fallback"]["score"]
        found.append(Signal("rephrase_after_fallback", "not_understood", latest.text.strip()[:140], score))
    return found


def _last_bot_responses(turns: list[Turn]) -> set[str]:
    """The responses of the bot's turn just before the latest customer message."""
    responses: set[str] = set()
    for turn in reversed(turns[:-1] if turns and turns[-1].sender == "customer" else turns):
        if turn.sender == "customer":
            break
        if turn.sender == "bot" and turn.response:
            responses.add(turn.response)
    return responses


# Intents that make a reply after a refusal a new question or a new problem, understood on its own.
NEW_TOPIC_INTENTS = {"faq", "order_status", "return_request", "request_human", "greet", "goodbye", "thank",
                     "bot_challenge", "product_issue"}  # not "complain": after a no, that is the dispute going on
NEW_QUESTION_INTENTS = {"faq", "order_status"}


def _disagreement(turns: list[Turn], rules: Rules) -> tuple[Signal | None, bool]:
    """A customer who does not accept the bot's no: the signal, and whether it was acknowledged already.

    After a refusal the bot asks a yes/no question (a colleague?). A reply that is no plain yes or no (see
    bot/escalation/replies.py) and no new question or problem is the dispute going on, whatever the NLU guessed;
    the dispute words of escalation.yml find a dispute also in a short reply ("onredelijk")."""
    spec = rules.disagreement
    if not spec:
        return None, False
    before = _last_bot_responses(turns)
    acknowledged = spec.get("acknowledgement") in before
    if not acknowledged and not before & set(spec.get("after", ())):
        return None, False
    latest = turns[-1]
    text = latest.text
    if latest.intent in NEW_QUESTION_INTENTS and text.rstrip().endswith("?"):
        return None, False  # a new question ("hoe lang duurt het voor ik mijn geld terug heb?") on its own
    span = rules.disagreeing.find(text)
    if span is not None:
        return Signal("disputes_refusal", "complexity", _evidence(text, *span), spec.get("score", 0.6)), acknowledged
    if latest.intent in NEW_TOPIC_INTENTS or replies.fits(replies.expected_kind(before), text):
        return None, False
    return Signal("disputes_refusal", "complexity", text.strip()[:140], spec.get("score", 0.6)), acknowledged


def _circumstance(text: str, rules: Rules) -> Signal | None:
    """A personal circumstance given as the reason of a dispute: illness, a hospital stay, a death."""
    spec = rules.disagreement.get("personal_circumstance") or {}
    span = rules.circumstance.find(text) if spec else None
    if span is None:
        return None
    return Signal("personal_circumstance", "sensitive", _evidence(text, *span), spec.get("score", 1.0))


_LEARNED = object()  # the default: the learned judgement of bot/escalation/learned.py


def _learned_reason(text: str, learned: Any) -> Signal | None:
    """The learned judgement of a message the rules found no reason in (bot/escalation/learned.py)."""
    if learned is _LEARNED:
        from bot.escalation import learned as module

        learned = module.model()
    judgement = learned.judge(text)
    if judgement.reason is None:
        return None
    return Signal("learned", judgement.reason, text.strip()[:140], judgement.need)


def assess(turns: list[Turn], *, previous_warnings: int = 0, rules: Rules | None = None,
           learned: Any = _LEARNED) -> Assessment:
    """Judge the latest customer turn. `previous_warnings`: abuse warnings already given. The rules decide
    first; when they find no reason, the learned judgement may (`learned=None`: the rules alone)."""
    rules = rules or load_rules()
    customer = [t for t in turns if t.sender == "customer"]
    if not customer or not customer[-1].text.strip():
        return Assessment()
    latest = customer[-1].text
    signals = message_signals(latest, rules) + _context_signals(turns, rules)
    scores: dict[str, float] = {}
    for signal in signals:
        scores[signal.reason] = round(scores.get(signal.reason, 0.0) + signal.score, 2)
    # Anger lingers: half of the previous message's frustration still counts.
    if len(customer) >= 2:
        before = [s for s in message_signals(customer[-2].text, rules) if s.reason == "frustration"]
        carried = round(sum(s.score for s in before) / 2, 2)
        if carried and "frustration" in scores:
            scores["frustration"] = round(scores["frustration"] + carried, 2)
    reached = [r for r in rules.precedence if scores.get(r, 0.0) >= rules.thresholds[r]]
    if not reached and turns[-1].sender == "customer":
        disputed, acknowledged = _disagreement(turns, rules)
        circumstance = _circumstance(turns[-1].text, rules) if disputed is not None else None
        if circumstance is not None:  # illness, a hospital stay, a death: a person at once, with care
            scores["sensitive"] = round(scores.get("sensitive", 0.0) + circumstance.score, 2)
            return Assessment(action="handoff", reason="sensitive", priority=rules.priorities["sensitive"],
                              signals=[circumstance, disputed] + signals, scores=scores)
        if disputed is not None and acknowledged:  # the second time: a colleague takes over
            scores["complexity"] = round(scores.get("complexity", 0.0) + disputed.score, 2)
            return Assessment(action="handoff", reason="complexity", priority=rules.priorities["complexity"],
                              signals=[disputed] + signals, scores=scores)
        if disputed is not None:
            return Assessment(action="acknowledge", signals=[disputed] + signals, scores=scores)
    if not reached and turns[-1].sender == "customer" and learned is not None:
        found = _learned_reason(latest, learned)
        if found is not None:
            scores[found.reason] = round(max(scores.get(found.reason, 0.0), found.score), 2)
            signals = [found] + signals
            reached = [found.reason]
    if not reached:
        return Assessment(signals=signals, scores=scores)
    reason = reached[0]
    priority = rules.priorities.get(reason) or registry.get(reason).priority
    if reason == "frustration" and scores[reason] >= rules.strong_anger:
        priority = "urgent"
    if reason == "abuse":
        action = "warn" if previous_warnings == 0 else "end"
    else:
        action = "handoff"
    ordered = sorted(signals, key=lambda s: (s.reason != reason, -s.score))
    return Assessment(action=action, reason=reason, priority=priority, signals=ordered, scores=scores)


def left_to_the_intent(result: Assessment, intent: str | None, handed_over_by_rule: Iterable[str]) -> bool:
    """A handover the intent's own rule makes anyway (a request for a person, a complaint): the escalation check
    steps aside when it knows no more specific reason — complexity that is no dispute going on, or only the
    learned judgement agreeing with the intent. The Rasa policy and the backtest both ask this."""
    if result.action != "handoff" or intent not in set(handed_over_by_rule):
        return False
    first = result.signals[0].name if result.signals else None
    return first == "learned" or (result.reason == "complexity" and first != "disputes_refusal")


def turns_from_json(data: Any) -> list[Turn]:
    """Accepts a list of strings (customer turns) or of objects with text/sender/intent/confidence."""
    if isinstance(data, dict):
        data = data.get("turns") or data.get("conversation") or [data]
    turns = []
    for item in data:
        if isinstance(item, str):
            turns.append(Turn(text=item))
        else:
            turns.append(Turn(text=str(item.get("text", "")), sender=item.get("sender", "customer"),
                              intent=item.get("intent"), confidence=item.get("confidence"),
                              response=item.get("response")))
    return turns
