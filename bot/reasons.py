"""The one registry of handover reasons: everything about a reason except its signals.

A reason is defined here once: its key, the Dutch heading people read (queue, card, charts), the phrase that
follows "omdat de klant ..." in a summary, its default priority and the sentence the customer hears first.
Everything else derives from this table: `bot.handoff` (the keys and default priorities the desk accepts),
`bot.labels` (the Dutch labels), the bot's actions (the opening sentences), `bot.escalation` (the priority of a
reason the message check finds, and the order in which reasons win), its evaluation and the desk's priority
ranks. The signals that find a reason in a message live in escalation.yml, under the same key.

Adding a reason: an entry here, its signals and threshold in escalation.yml (when the message check finds
it) and labelled examples in tests/data/escalation_eval.yml. tests/test_reasons.py checks that every other
place derives from this table.

Plain Python without Rasa imports: the action server, the Rasa process and the desk all read it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

# Most urgent first; the desk's queue sorts on this rank.
PRIORITIES: tuple[str, ...] = ("urgent", "high", "normal")
PRIORITY_RANK: Mapping[str, int] = MappingProxyType({p: rank for rank, p in enumerate(PRIORITIES)})
PRIORITY_LABELS: Mapping[str, str] = MappingProxyType({"urgent": "Urgent", "high": "Hoog", "normal": "Normaal"})


@dataclass(frozen=True)
class Reason:
    key: str
    label: str            # short Dutch heading: queue, context card, charts
    because: str          # verb-final, follows "omdat de klant ..." in the agent's summary
    priority: str         # default priority of a handover for this reason
    opening: str          # what the customer hears first when the bot hands over for this reason
    # True when escalation.yml holds signals for it: the message check can find it (bot/escalation).
    judged: bool = False
    # A more specific opening when this signal carries the reason (most specific first).
    openings_by_signal: Mapping[str, str] = field(default_factory=dict)


# In order of precedence: when a message reaches the threshold of several reasons, the first one wins.
_ALL: tuple[Reason, ...] = (
    Reason(
        "legal_threat", "Juridische dreiging", "met juridische stappen dreigt", "urgent",
        "Ik begrijp dat dit zwaar voor je weegt. Ik geef je gesprek met voorrang door aan een collega, "
        "die alles rustig met je doorneemt.", judged=True),
    Reason(
        "abuse", "Grof taalgebruik", "grof of beledigend is", "high",
        "Op deze manier kunnen we het gesprek niet voortzetten. Ik sluit dit gesprek nu af. "
        "Wil je later verder, dan kun je ons altijd opnieuw een bericht sturen.", judged=True),
    Reason(
        "sensitive", "Gevoelige kwestie", "een gevoelige kwestie heeft", "high",
        "Dank je dat je dit vertelt. Ik geef je met voorrang door aan een collega die dit zorgvuldig met je "
        "afhandelt.", judged=True,
        openings_by_signal=MappingProxyType({
            "pets": "Wat vervelend, ik begrijp dat je je zorgen maakt om je dier. Twijfel je, bel dan meteen je "
                    "dierenarts. Ik geef je met voorrang door aan een collega.",
            "bereavement": "Gecondoleerd met je verlies. Ik geef je door aan een collega die dit zorgvuldig met je "
                           "afhandelt.",
            "fraud": "Wat vervelend dat je hiermee te maken hebt. Ik geef je met voorrang door aan een collega; "
                     "deel hier geen wachtwoorden of betaalgegevens.",
            "health_harm": "Wat naar dat dit is gebeurd, ik hoop dat het goed met je gaat. Heb je acute klachten, "
                           "bel dan je huisarts of bij spoed 112. Ik geef je met voorrang door aan een collega.",
            "health_worry": "Ik begrijp dat je je zorgen maakt. Twijfel je over je gezondheid, bel dan je huisarts "
                            "of apotheek. Ik geef je met voorrang door aan een collega.",
            "personal_circumstance": "Dat klinkt als een zware tijd, dank je dat je het vertelt. Ik geef je met "
                                     "voorrang door aan een collega die met je meekijkt wat er nog kan.",
        })),
    Reason(
        "frustration", "Frustratie", "gefrustreerd is", "high",
        "Ik merk dat je hier echt klaar mee bent, en dat begrijp ik heel goed. "
        "Ik geef je meteen door aan een collega die dit voor je oppakt.", judged=True),
    Reason(
        "complexity", "Complexe vraag", "een vraag heeft die de bot niet zelf kan afhandelen", "normal",
        "Dit wil ik goed voor je laten regelen, daarom geef ik je door aan een collega.", judged=True),
    Reason(
        "repeated_question", "Herhaalde vraag", "dezelfde vraag opnieuw stelde", "normal",
        "Sorry, mijn antwoord hielp je blijkbaar niet verder. Ik geef je door aan een collega.", judged=True),
    Reason(
        "not_understood", "Niet begrepen door de bot", "door de bot niet begrepen werd", "normal",
        "Het spijt me dat ik je niet goed begrijp. Ik geef je door aan een collega die je verder helpt.",
        judged=True),
    Reason(
        "deadline_at_risk", "Deadline in gevaar", "een deadline heeft die de bezorging niet haalt", "high",
        "Omdat het op tijd bij je moet zijn, geef ik je door aan een collega die kijkt wat er nog mogelijk is."),
    Reason(
        "customer_request", "Klant vraagt om een medewerker", "zelf om een medewerker vraagt", "normal",
        "Natuurlijk, ik verbind je door met een medewerker."),
    Reason(
        "bot_unavailable", "Bot niet beschikbaar", "door een storing niet door de bot geholpen kon worden", "normal",
        "Excuses, ik kan je gegevens op dit moment niet ophalen. Ik geef je door aan een collega."),
)

REASONS: Mapping[str, Reason] = MappingProxyType({r.key: r for r in _ALL})
KEYS: tuple[str, ...] = tuple(REASONS)
# The reasons the message check (escalation.yml) finds, in order of precedence.
JUDGED: tuple[str, ...] = tuple(r.key for r in _ALL if r.judged)


def get(key: str) -> Reason:
    """The reason; a KeyError names an unknown one."""
    return REASONS[key]


def opening(key: str, signal_names: list[str] | tuple[str, ...] = ()) -> str:
    """What the customer hears first: the most specific signal's sentence, else the reason's own."""
    reason = REASONS.get(key) or REASONS["complexity"]
    for name, sentence in reason.openings_by_signal.items():
        if name in signal_names:
            return sentence
    return reason.opening


def _check() -> None:
    for reason in _ALL:
        if reason.priority not in PRIORITIES:
            raise ValueError(f"reason {reason.key}: unknown priority {reason.priority}")
    if len(REASONS) != len(_ALL):
        raise ValueError("a reason key is defined twice")


_check()
