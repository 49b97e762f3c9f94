"""Is this a message the bot could understand at all? Gibberish, keyboard mashes, another language
than Dutch or English, only emoji or punctuation, or real words that have nothing to do with a webshop.

Why: the intent classifier gives every message one of its intents, often with high confidence (DIET
made "asdfgh jkl" a greeting at 1.0), so the FallbackClassifier's threshold alone cannot catch these.
Word frequencies per language come from `wordfreq` (shipped with its data, nothing downloaded); what
belongs to the shop comes from the bot's own training data, so an editor's new examples widen it at the
next training.

Plain Python: the NLU component (bot/rasa/nlu_guard.py), the evaluation and the tests use it.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from bot.text import without_guard
from bot.webshop.identifiers import ORDER_NUMBER, POSTCODE

_TOKEN = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*", re.UNICODE)
_ENTITY = re.compile(rf"{ORDER_NUMBER.pattern}|{POSTCODE.pattern}|\S+@\S+|\b\d+([.,]\d+)?\b", re.IGNORECASE)
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "azertyuiop", "qsdfghjklm", "wxcvbn", "1234567890")
OTHER_LANGUAGES = ("de", "fr", "es", "it", "pt", "pl", "tr", "sv", "da", "id", "fi", "hu", "cs", "ro")
# Small words that carry no topic: a message of only these is not judged on topic.
STOP_WORDS = frozenset("""
de het een en of maar dat die dit deze is zijn was waren ben bent wordt worden word heb hebt heeft hebben had
ik je jij u we wij ze zij hij mij me mijn jouw jou uw ons onze hun hen zijn haar er hier daar waar wat wie hoe
waarom wanneer welk welke niet geen wel ook nog al toch dan als omdat want dus zo heel erg veel meer minder
in op aan bij met van voor na naar om uit over onder tot door tegen zonder sinds tussen per
kan kun kunt kunnen moet moeten mag mogen wil wilt willen zal zou zouden ga gaat gaan doe doet doen
te toe nu even eens graag alstublieft aub pls please ja nee oke ok hoi hallo hey hi dag
the a an is are was be to of and or in on at for with my your i you it this that what where when how why
hello thanks thank yes no help sorry
""".split())


def fold(word: str) -> str:
    """Lowercase without accents: "Oké" and "oke" are the same word."""
    return "".join(c for c in unicodedata.normalize("NFKD", word.lower()) if not unicodedata.combining(c))


def tokens(text: str) -> list[str]:
    return [fold(t) for t in _TOKEN.findall(_ENTITY.sub(" ", text))]


class Vocabulary:
    """The words of the shop's own conversations (training examples and answers)."""

    def __init__(self, words: Iterable[str]) -> None:
        self.words = frozenset(words)
        self._prefix: dict[str, list[str]] = {}
        for word in self.words:
            if len(word) >= 4:
                self._prefix.setdefault(word[:4], []).append(word)
        self._edges: dict[str, list[str]] = {}  # first two or last two letters -> words, for typos
        for word in self.words:
            if len(word) >= 4:
                self._edges.setdefault("<" + word[:2], []).append(word)
                self._edges.setdefault(word[-2:] + ">", []).append(word)

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> "Vocabulary":
        return cls(t for text in texts for t in tokens(text))

    def knows(self, word: str) -> bool:
        if word in self.words or word in STOP_WORDS:
            return True
        if len(word) < 5:
            return False
        # An inflection or a compound of a known word ("bestellingen", "retourlabel") ...
        if any(abs(len(w) - len(word)) <= 3 and (word.startswith(w[:5]) or w.startswith(word[:5]))
               for w in self._prefix.get(word[:4], ())):
            return True
        # ... or a typo of one ("pakkt", "bestelingen"); not of a short word ("dolor" is no "door").
        near = self._edges.get("<" + word[:2], []) + self._edges.get(word[-2:] + ">", [])
        return any(len(w) >= 6 and abs(len(w) - len(word)) <= 1 and _one_edit(word, w) for w in near)


def _one_edit(a: str, b: str) -> bool:
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
                                  and a[diff[1]] == b[diff[0]])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


@lru_cache(maxsize=50_000)
def frequency(word: str, language: str) -> float:
    """How common the word is in the language (Zipf scale, 0 = unknown). Dutch and English with the
    large lists (rare words count), the others with the small ones: ~110 MB in all."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word, language, wordlist="large" if language in ("nl", "en") else "small")


def warm_up() -> None:
    """Loads the word lists now instead of in the first customer's turn."""
    for language in ("nl", "en", *OTHER_LANGUAGES):
        frequency("balie", language)


def _keyboard_mash(word: str) -> bool:
    """Four or more neighbouring keys in one direction on one keyboard row ("asdf", "qwerty", "uiop"),
    or one or two keys held down ("aaaaaa", "jkjkjk"). "medewerker" walks e-w-e-r: no mash."""
    if len(word) < 4:
        return False
    if len(set(word)) <= 2 and len(word) >= 5:
        return True
    for row in KEYBOARD_ROWS:
        run, step = 1, 0
        for left, right in zip(word, word[1:]):
            if left in row and right in row and abs(row.index(left) - row.index(right)) == 1:
                direction = row.index(right) - row.index(left)
                run = run + 1 if direction == step or run == 1 else 2
                step = direction
                if run >= 4:
                    return True
            else:
                run, step = 1, 0
    return False


# Words that start a Dutch question, and the words that follow a verb put first ("verkopen jullie ...").
QUESTION_WORDS = frozenset("""
wat wie waar waarom wanneer hoe hoeveel hoelang hoelaat welke welk waarmee waarover waarvoor kan kun kunt kunnen
mag mogen is zijn ben bent heb hebt heeft hebben wil wilt willen moet moeten zal zullen zou zouden doe doen doet
gaat gaan weet weten krijg krijgt krijgen komt komen zit zitten ligt staat klopt wordt worden
""".split())
INVERTED_SUBJECTS = frozenset("jullie je jij u ik we wij het er die dat deze dit hij zij ze".split())


def question_shaped(text: str, words: list[str] | None = None) -> bool:
    """A "?", a question word or verb first, or a verb with its subject after it ("verkopen jullie ...")."""
    words = tokens(text) if words is None else words
    if not words:
        return "?" in text
    return "?" in text or words[0] in QUESTION_WORDS or (
        len(words) > 1 and words[0] not in STOP_WORDS and words[1] in INVERTED_SUBJECTS)


def _says_nothing_to_a_shop(text: str, words: list[str], content: list[str], shop: Vocabulary) -> bool:
    """Real Dutch words strung into a statement that means nothing in a shop ("de tafel zingt groen onder de
    vrolijke maan"): no question, and most of its content words never occur in what the shop's customers
    say (the training examples of every intent but out_of_scope) or in its answers, not even inflected."""
    if len(words) < 4 or len(content) < 3 or question_shaped(text, words):
        return False
    shop_words = sum(1 for w in content if w in shop.words or any(
        abs(len(s) - len(w)) <= 3 and (w.startswith(s[:5]) or s.startswith(w[:5])) for s in shop._prefix.get(w[:4], ())))
    return shop_words / len(content) < 0.5


def judge(text: str, vocabulary: Vocabulary, shop: Vocabulary | None = None) -> str | None:
    """Why the bot cannot understand this message, or None when it might: `command` (a typed "/..."),
    `no_words` (emoji, punctuation), `keyboard`, `other_language`, `gibberish`, `unrelated` (words that
    have nothing to do with the shop, not even in a sentence), `no_meaning` (a statement of real words that
    means nothing in a shop; only with `shop`, the vocabulary of the shop's own intents)."""
    stripped = without_guard(text).strip()
    if not stripped:
        return None
    if stripped.startswith("/"):
        return "command"  # a typed "/restart": never an intent for the bot
    words = tokens(stripped)
    if not words:
        return None if _ENTITY.search(stripped) else "no_words"
    if not _LETTER.search(stripped):
        return "no_words"
    if any(_keyboard_mash(w) for w in words) and not any(vocabulary.knows(w) for w in words if not _keyboard_mash(w)):
        return "keyboard"
    real = {lang: [frequency(w, lang) for w in words] for lang in ("nl", "en", *OTHER_LANGUAGES)}
    mean = {lang: sum(values) / len(values) for lang, values in real.items()}
    home = max(mean["nl"], mean["en"])
    foreign = max(OTHER_LANGUAGES, key=lambda lang: mean[lang])
    if len(words) >= 2 and mean[foreign] >= home + 0.5 and \
            not any(w in vocabulary.words for w in words if w not in STOP_WORDS):
        return "other_language"
    known_words = sum(1 for w in words if max(frequency(w, "nl"), frequency(w, "en")) >= 1.0 or vocabulary.knows(w))
    if known_words / len(words) < 0.5:
        return "gibberish"
    content = [w for w in words if w not in STOP_WORDS and len(w) > 1]
    english = mean["en"] > mean["nl"] + 0.5  # English is welcome; the shop's vocabulary is Dutch
    if shop is not None and not english and not all(w in vocabulary.words for w in content) and \
            _says_nothing_to_a_shop(stripped, words, content, shop):  # (a sentence the bot was taught is left)
        return "no_meaning"
    known = sum(1 for w in content if vocabulary.knows(w))
    if len(words) <= 2 and all(max(frequency(w, "nl"), frequency(w, "en")) >= 4.0 for w in words):
        return None  # a short everyday reply ("tot straks", "absoluut"): the classifier knows these better
    if not content or (english and len(words) > 1) or known:
        return None
    if len(words) == 1 and max(frequency(words[0], "nl"), frequency(words[0], "en")) >= 2.5:
        return None  # one everyday word ("slaapwel", "thx", "refund"): the classifier may well know it
    # A real sentence ("ben je een virtuele assistent", "wat moet ik vanavond eten") is left to the
    # classifier, which knows the shop's intents and out_of_scope; words strung together are not.
    return None if sum(1 for w in words if w in STOP_WORDS) >= 2 else "unrelated"


def vocabulary_of(data_dir: Path, domain_file: Path | None = None) -> Vocabulary:
    """The vocabulary the NLU component learns at training, read straight from the data files."""
    import yaml

    from bot.nlu.files import parse

    data = parse(data_dir)
    texts = [e.plain for e in data.examples] + [a.text for a in data.answers]
    if domain_file is not None and domain_file.exists():
        responses = (yaml.safe_load(domain_file.read_text(encoding="utf-8")) or {}).get("responses") or {}
        texts += [variant.get("text") or "" for variants in responses.values() for variant in variants or []]
    return Vocabulary.from_texts(texts)
