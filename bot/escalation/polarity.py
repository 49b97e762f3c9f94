"""The direction of a message: negative, neutral or positive, from a Dutch polarity word list (P4).

Capitals, "!!!" and strong words say how loud a customer is, not which way: "SUPER BEDANKT!!!" is joy,
"WAAR BLIJFT MIJN PAKKET NOU" is not. The escalation check counts loudness as frustration only when the
message points the negative way.

The word list, `polarity_nl.tsv` beside this file, has two parts:
- words from the subjectivity lexicon for Dutch adjectives of the Pattern project (Tom De Smedt and Walter
  Daelemans, CLiPS, University of Antwerp, 2012; nl-sentiment.xml version 1.2, licence PDDL (public domain)):
  every form lower-cased, its polarity averaged over its senses, kept when that is at least 0.3 either way,
  rounded to one decimal. `python -m bot.escalation.polarity derive nl-sentiment.xml` writes that part again.
- the shop's own entries (source `balie`): thanks and praise that are not adjectives ("bedankt", "wauw") and
  the shop phrases of impatience ("waar blijft", "nog steeds", "geen antwoord"), with weights on the same scale.

An intensifier makes the next word stronger. A word within two words after "niet", "geen" or "nooit" counts the other way ("niet blij" is negative).
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

LEXICON = Path(__file__).with_name("polarity_nl.tsv")
NEGATIONS = {"niet", "geen", "nooit", "nergens", "allerminst", "niks", "niets"}
# Before a word with a weight these only make it stronger ("erg vriendelijk", "vreselijk mooi"); alone they
# count by their own weight ("dat is erg", "vreselijk").
INTENSIFIERS = {"erg", "heel", "zeer", "echt", "enorm", "ontzettend", "hartstikke", "vreselijk", "verschrikkelijk",
                "ongelofelijk", "ongelooflijk", "bijzonder", "uiterst", "mega", "super", "zo"}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# The sum of a message's weights from which it counts as negative or positive.
NEGATIVE = -0.3
POSITIVE = 0.3


@dataclass(frozen=True)
class Polarity:
    score: float
    evidence: tuple[str, ...]  # the words and phrases that counted, with their sign

    @property
    def negative(self) -> bool:
        return self.score <= NEGATIVE

    @property
    def positive(self) -> bool:
        return self.score >= POSITIVE

    @property
    def direction(self) -> str:
        return "negative" if self.negative else "positive" if self.positive else "neutral"


@dataclass(frozen=True)
class Lexicon:
    words: dict[str, float]
    phrases: dict[tuple[str, ...], float]


@lru_cache(maxsize=2)
def load(path: Path = LEXICON) -> Lexicon:
    words: dict[str, float] = {}
    phrases: dict[tuple[str, ...], float] = {}
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3:
            raise ValueError(f"{path.name}:{number}: expected 'entry<TAB>weight<TAB>source'")
        weight = float(parts[1])
        if not -1.0 <= weight <= 1.0:
            raise ValueError(f"{path.name}:{number}: weight {weight} outside -1..1")
        rows.append((parts[2].strip() == "balie", parts[0].strip().lower(), weight))
    for _, entry, weight in sorted(rows, key=lambda row: row[0]):  # the shop's own entries win
        tokens = tuple(entry.split())
        if len(tokens) == 1:
            words[tokens[0]] = weight
        else:
            phrases[tokens] = weight
    return Lexicon(words, phrases)


def _stems(token: str) -> list[str]:
    """Inflected adjectives back to the lexicon's base form: mooie, snelle, mooiste, mooier -> mooi, snel."""
    found = [token]
    for ending in ("ste", "st", "er", "e"):
        if token.endswith(ending) and len(token) - len(ending) >= 3:
            base = token[: -len(ending)]
            found.append(base)
            if len(base) >= 2 and base[-1] == base[-2]:
                found.append(base[:-1])  # snelle -> snell -> snel
            if base.endswith("v"):
                found.append(base[:-1] + "f")  # lieve -> lief
            if base.endswith("z"):
                found.append(base[:-1] + "s")  # boze -> boos (with the vowel below)
            if len(base) >= 3 and base[-2] in "aeiou" and base[-3] not in "aeiou":
                found.append(base[:-1] + base[-2] + base[-1])  # trage -> traag, boze -> booz
                if base.endswith("z"):
                    found.append(base[:-2] + base[-2] * 2 + "s")
    return found


def _weight(token: str, lexicon: Lexicon) -> float | None:
    for stem in _stems(token):
        if stem in lexicon.words:
            return lexicon.words[stem]
    return None


def polarity(text: str, lexicon: Lexicon | None = None) -> Polarity:
    lexicon = lexicon or load()
    tokens = [t.lower() for t in _WORD.findall(text)]
    score, evidence, used = 0.0, [], set()
    for size in sorted({len(p) for p in lexicon.phrases}, reverse=True):
        for i in range(len(tokens) - size + 1):
            key = tuple(tokens[i:i + size])
            if key in lexicon.phrases and not used & set(range(i, i + size)):
                score += lexicon.phrases[key]
                evidence.append(f"{' '.join(key)} ({lexicon.phrases[key]:+.1f})")
                used |= set(range(i, i + size))
    weights = [None if i in used else _weight(token, lexicon) for i, token in enumerate(tokens)]
    for i, token in enumerate(tokens):
        weight = weights[i]
        if weight is None:
            continue
        if token in INTENSIFIERS and i + 1 < len(tokens) and weights[i + 1] is not None:
            weights[i + 1] *= 1.5
            continue
        if any(t in NEGATIONS for t in tokens[max(0, i - 2):i]):
            weight = -weight
        score += weight
        evidence.append(f"{token} ({weight:+.1f})")
    return Polarity(round(score, 2), tuple(evidence))


# ---------------------------------------------------------------- deriving the word list from Pattern's XML

def derive(xml_path: Path, min_weight: float = 0.3) -> list[tuple[str, float]]:
    """The Pattern part of the word list from nl-sentiment.xml: form, mean polarity over its senses."""
    import xml.etree.ElementTree as ElementTree
    from collections import defaultdict

    senses: dict[str, list[float]] = defaultdict(list)
    for word in ElementTree.parse(xml_path).getroot().iter("word"):
        senses[word.get("form", "").lower()].append(float(word.get("polarity", "0")))
    rows = [(form, round(sum(p) / len(p), 1)) for form, p in senses.items() if form and " " not in form]
    return sorted((form, w) for form, w in rows if abs(w) >= min_weight)


def write_derived(xml_path: Path, path: Path = LEXICON) -> None:
    """Replaces the Pattern part of the word list, keeps the header and the shop's own entries."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    kept = [l for l in lines if l.startswith("#") or (l.strip() and l.split("\t")[-1] != "pattern")]
    derived = [f"{form}\t{weight}\tpattern" for form, weight in derive(xml_path)]
    path.write_text("\n".join(kept + derived) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "derive":
        write_derived(Path(sys.argv[2]))
    else:
        for text in sys.argv[1:]:
            found = polarity(text)
            print(f"{found.direction} {found.score:+.2f} {', '.join(found.evidence)}  | {text}")
