"""A learned "needs a person" judgement next to the rules of escalation.yml (issue 18).

The rules fit the words they were written with: on the development part they hand over every item, on sets
written by other people they miss half (docs/escalation.md). This model reads a customer message with features
that survive other registers, and says how likely it is that a person should take over, and for which reason:

- character n-grams (2-5, within words) of the message normalised for register: lower case, accents folded,
  letters repeated three times or more cut to two ("heeeel"), digits to 0, order numbers and postcodes to a
  placeholder; they carry typos, Flemish and inflections ("besteling", "onacceptabl", "goesting");
- word unigrams and bigrams of the same text;
- a few dense figures: the Dutch polarity score (bot/escalation/polarity.py), the share of capitals and the
  number of shouted words, "!" and "?" runs, the message length, and the rules' own partial scores per reason
  (signals that stayed below a threshold still count here).

One multinomial logistic regression over "calm" and the handover reasons. P(needs a person) = 1 - P(calm); the
reason is the most likely non-calm class.

Trained ONLY on the development part (tests/data/escalation_eval.yml: calm, escalate, disputes, the customer
turns of the deadline items and the ordinary and nonsense messages, which are no reason to hand over) and on the
NLU examples of data/nlu: request_human as a request for a colleague, complain and product_issue as a complaint
(the bot hands those over by rule), the other intents as calm. Never on the frozen or blind parts.

How it is combined with the rules (`combine`, used by `bot.escalation.assess`): the rules decide first. When
they hand over, warn, end or acknowledge a disagreement, that stands. When they find no reason, the model hands
over if P(needs a person) >= THRESHOLD. The threshold and C were chosen by cross-validation on the development
part (`python -m bot.escalation.learned cv`): the highest recall with at most 1 % false handoffs on calm
messages of the held-out folds (docs/escalation.md has the figures).

No artefact is stored: the model is trained in the process at first use (about a second, a few MB; it is
deterministic, so every process has the same model) from the files above.
"""
from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import numpy as np
import yaml
from scipy.sparse import csr_matrix, hstack
from sklearn.preprocessing import normalize

from bot.config import ROOT
from bot.escalation.polarity import polarity
from bot.webshop.identifiers import ORDER_NUMBER, POSTCODE

DEV_SET = ROOT / "tests" / "data" / "escalation_eval.yml"
NLU_DIR = ROOT / "data" / "nlu"
CALM = "calm"
# Chosen by 5-fold cross-validation on the development part (python -m bot.escalation.learned cv).
THRESHOLD = 0.9
C = 3.0
RULE_FEATURES = True
# Reasons the model may give. repeated_question needs the earlier turns (the rules judge it) and abuse warns
# first instead of handing over (the rules judge that too): the model is not trained on those.
NOT_LEARNED = {"repeated_question"}
# NLU intents that the bot hands over by rule, and the reason they stand for.
NLU_REASONS = {"request_human": "customer_request", "complain": "complexity", "product_issue": "complexity"}

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_REPEAT = re.compile(r"([^\W\d_])\1{2,}", re.UNICODE)
_IDENTIFIER = re.compile(f"{ORDER_NUMBER.pattern}|{POSTCODE.pattern}", re.IGNORECASE)


def normalise(text: str) -> str:
    """One register: lower case, no accents, no stretched letters, no digits, identifiers as one token."""
    text = _IDENTIFIER.sub(" nummer ", text)
    text = "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))
    text = _REPEAT.sub(r"\1\1", text)
    text = re.sub(r"\d+", "0", text)
    text = re.sub(r"[!?]{2,}", lambda m: " " + ("?!" if "?" in m.group(0) and "!" in m.group(0) else m.group(0)[:2]) + " ",
                  text)
    return " ".join(re.sub(r"[^\w\s!?]", " ", text).split())


def dense(text: str, reasons: tuple[str, ...]) -> list[float]:
    """Register-free figures of one message, each about 0..1."""
    from bot.escalation import load_rules, message_signals

    words = _WORD.findall(_IDENTIFIER.sub(" ", text))
    letters = [c for w in words for c in w]
    shouted = [w for w in words if len(w) >= 3 and w.isupper()]
    direction = polarity(text)
    rules = load_rules()
    scores: dict[str, float] = {}
    for signal in message_signals(text, rules):
        scores[signal.reason] = scores.get(signal.reason, 0.0) + signal.score
    row = [
        max(-1.0, min(1.0, direction.score / 2)),
        float(direction.negative),
        float(direction.positive),
        sum(c.isupper() for c in letters) / len(letters) if letters else 0.0,
        min(len(shouted), 5) / 5,
        min(text.count("!"), 5) / 5,
        min(text.count("?"), 5) / 5,
        float(bool(re.search(r"[!?]{2,}", text))),
        min(len(words), 40) / 40,
        float(bool(_IDENTIFIER.search(text))),
    ]
    row += [min(scores.get(r, 0.0) / rules.thresholds[r], 1.5) if r in rules.thresholds else 0.0 for r in reasons]
    return row


# ---------------------------------------------------------------- the training examples

def _customer_texts(turns: list) -> list[str]:
    return [t if isinstance(t, str) else t["text"] for t in turns if isinstance(t, str) or t.get("sender", "customer")
            == "customer"]


def dev_examples(path: Path = DEV_SET) -> list[tuple[str, str]]:
    """(text, label) from the development part: the judged customer turn and what should happen."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    found: list[tuple[str, str]] = []
    for item in data.get("calm") or []:
        found.append((_customer_texts(item.get("conversation") or [item["text"]])[-1], CALM))
    for item in data.get("escalate") or []:
        if item["expect"] in NOT_LEARNED:
            continue
        found.append((_customer_texts(item.get("conversation") or [item["text"]])[-1], item["expect"]))
    for item in data.get("disputes") or []:
        expect = item["expect"]
        if expect == "acknowledge" or expect in NOT_LEARNED:
            continue  # a first dispute is acknowledged by the rules, not judged by the model
        found.append((_customer_texts(item["conversation"])[-1], expect))
    for item in data.get("deadline") or []:
        found += [(text, CALM) for text in _customer_texts(item["conversation"])]
    for item in data.get("nonsense") or []:
        found.append((item["text"], CALM))  # not understood once is no handover; twice is the rules' work
    return found


_ANNOTATION = re.compile(r"\[([^\]]*)\](\([^)]*\)|\{[^}]*\})")


def _nlu_reason(intent: str, text: str) -> str:
    """A complaint with a negative direction is frustration; a calm one is what the bot makes of a complaint
    (complexity: "ik wil een klacht indienen" gets no "je bent er klaar mee")."""
    if intent == "complain" and polarity(text).negative:
        return "frustration"
    return NLU_REASONS.get(intent, CALM)


def nlu_examples(folder: Path = NLU_DIR) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for path in sorted(folder.glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            intent = block.get("intent")
            if not intent:
                continue
            for line in str(block.get("examples", "")).splitlines():
                line = line.strip()
                if line.startswith("- "):
                    text = _ANNOTATION.sub(r"\1", line[2:]).strip()
                    found.append((text, _nlu_reason(intent, text)))
    return found


# ---------------------------------------------------------------- the model

@dataclass
class Judgement:
    need: float  # P(a person should take over)
    reason: str | None  # the most likely reason when need >= threshold


class Model:
    def __init__(self, c: float = C, rule_features: bool = RULE_FEATURES) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        self.chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True,
                                     dtype=np.float32)
        self.words = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), min_df=1, sublinear_tf=True,
                                     token_pattern=r"[^\W\d_]+|[!?]{2}", dtype=np.float32)
        self.clf = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
        self.reasons: tuple[str, ...] = ()
        self.rule_features = rule_features

    def _matrix(self, texts: list[str], fit: bool = False) -> csr_matrix:
        normalised = [normalise(t) for t in texts]
        if fit:
            chars, words = self.chars.fit_transform(normalised), self.words.fit_transform(normalised)
        else:
            chars, words = tfidf(self.chars, normalised), tfidf(self.words, normalised)
        reasons = self.reasons if self.rule_features else ()
        extra = csr_matrix(np.array([dense(t, reasons) for t in texts], dtype=np.float32))
        return hstack([chars, words, extra]).tocsr()

    def fit(self, examples: list[tuple[str, str]]) -> "Model":
        texts, labels = [t for t, _ in examples], [label for _, label in examples]
        self.reasons = tuple(sorted(set(labels) - {CALM}))
        self.clf.fit(self._matrix(texts, fit=True), labels)
        self.chars.stop_words_ = self.words.stop_words_ = None  # the n-grams left out: not needed to judge
        return self

    def need(self, texts: list[str]) -> np.ndarray:
        """P(needs a person) and the probabilities of all classes (columns: self.clf.classes_)."""
        return self.clf.predict_proba(self._matrix(texts))

    def judge(self, text: str, threshold: float = THRESHOLD) -> Judgement:
        probabilities = self.need([text])[0]
        classes = list(self.clf.classes_)
        calm = probabilities[classes.index(CALM)]
        need = float(1 - calm)
        if need < threshold:
            return Judgement(round(need, 4), None)
        best = max((p, c) for p, c in zip(probabilities, classes) if c != CALM)[1]
        return Judgement(round(need, 4), best)


def tfidf(vectorizer, texts: list[str]) -> csr_matrix:
    """`vectorizer.transform(texts)` of a fitted TfidfVectorizer, the same steps on the same values (scikit-learn
    1.1's CountVectorizer.transform and TfidfTransformer.transform) without their checks: each check that the
    vectorizer is fitted summed the whole idf diagonal again (twice a call), a quarter of a judgement's time, and
    the learned judgement runs in nearly every customer turn."""
    _, counts = vectorizer._count_vocab(texts, fixed_vocab=True)
    transformer = vectorizer._tfidf
    counts = counts.astype(vectorizer.dtype, copy=False)
    if transformer.sublinear_tf:
        np.log(counts.data, counts.data)
        counts.data += 1
    if transformer.use_idf:
        counts = counts * transformer._idf_diag
    if transformer.norm:
        counts = normalize(counts, norm=transformer.norm, copy=False)
    return counts


def training_examples(dev: Path = DEV_SET, nlu: Path = NLU_DIR) -> list[tuple[str, str]]:
    return dev_examples(dev) + nlu_examples(nlu)


@lru_cache(maxsize=1)
def model() -> Model:
    """The model of this process, trained at first use from the development part and the NLU data."""
    return Model().fit(training_examples())


def warm_up() -> None:
    model()


# ---------------------------------------------------------------- choosing C and the threshold on dev

def _folds(labels: list[str], k: int, seed: int) -> list[np.ndarray]:
    from sklearn.model_selection import StratifiedKFold

    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    return [test for _, test in splitter.split(np.zeros(len(labels)), labels)]


def cross_validate(cs: Iterable[float] = (1, 3, 10, 30), thresholds: Iterable[float] = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8),
                   k: int = 5, seeds: Iterable[int] = (1, 2), rule_features: bool = RULE_FEATURES) -> list[dict]:
    """Held-out figures on the development part, the rules combined with the model as `assess` does: every dev
    item is judged by a model trained on the other folds (plus all NLU examples)."""
    from bot.escalation import assess
    from bot.escalation.evaluate import HANDED_OVER, load_items, predicted

    items = load_items(DEV_SET)
    rules_only = [predicted(assess(item.turns, learned=None)) for item in items]
    nlu = nlu_examples()
    dev = dev_examples()
    dev_texts = {t for t, _ in dev}
    # Which fold each dev item's judged text is held out in: by text, so an item never trains its own model.
    keys = sorted(dev_texts)
    labels = {t: label for t, label in dev}
    rows = []
    for c in cs:
        need_of: dict[tuple[int, str], float] = {}
        for seed in seeds:
            for held in _folds([labels[t] for t in keys], k, seed):
                held_out = {keys[i] for i in held}
                fitted = Model(c, rule_features).fit([e for e in dev if e[0] not in held_out] + nlu)
                texts = sorted(held_out)
                calm_column = list(fitted.clf.classes_).index(CALM)
                for text, probabilities in zip(texts, fitted.need(texts)):
                    need_of[(seed, text)] = float(1 - probabilities[calm_column])
        for threshold in thresholds:
            for seed in seeds:
                must = caught = calm = false = alone_caught = alone_false = 0
                for item, by_rules in zip(items, rules_only):
                    text = item.turns[-1].text
                    alone = need_of.get((seed, text), 0.0) >= threshold
                    handed = by_rules in HANDED_OVER or (by_rules == "calm" and alone)
                    if item.expect in HANDED_OVER:
                        must += 1
                        caught += handed
                        alone_caught += alone
                    elif item.expect in ("calm", "acknowledge"):
                        calm += 1
                        false += handed
                        alone_false += alone and by_rules != "acknowledge"
                rows.append({"C": c, "threshold": threshold, "seed": seed, "recall": caught / must,
                             "false_handoffs": false / calm, "must": must, "calm": calm,
                             "alone_recall": alone_caught / must, "alone_false": alone_false / calm})
    return rows


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] != ["cv"]:
        print("usage: python -m bot.escalation.learned cv   (held-out figures on the development part)")
        return 2
    rows = cross_validate(rule_features="--no-rule-features" not in argv)
    print("| C | threshold | model alone: recall | model alone: false handoffs | with the rules: recall | "
          "with the rules: false handoffs |\n|---|---|---|---|---|---|")
    grouped: dict[tuple[float, float], list[dict]] = {}
    for row in rows:
        grouped.setdefault((row["C"], row["threshold"]), []).append(row)
    for (c, threshold), group in grouped.items():
        mean = lambda key: sum(r[key] for r in group) / len(group)  # noqa: E731
        print(f"| {c:g} | {threshold:.2f} | {mean('alone_recall'):.3f} | {mean('alone_false'):.1%} | "
              f"{mean('recall'):.3f} | {mean('false_handoffs'):.1%} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
