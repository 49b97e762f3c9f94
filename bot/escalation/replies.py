"""What the bot just asked, and whether the customer's reply answers it.

Every question the bot asks expects a kind of answer: a yes or a no, an order number, a postcode. A reply that
does not fit — a continued dispute, a new problem, a new question — is understood on its own, never taken as
the "no" the NLU may have guessed (issue 18). Plain Python without Rasa imports.
"""
from __future__ import annotations

import re
from typing import Iterable

from bot.webshop.identifiers import ORDER_NUMBER, POSTCODE

YES_NO, ORDER_NUMBER_KIND, POSTCODE_KIND = "yes_no", "order_number", "postcode"

# The bot's questions (response names) and the kind of answer each expects.
EXPECTED: dict[str, str] = {
    "utter_bot_challenge": YES_NO,            # "Zal ik je doorverbinden?"
    "utter_return_term_passed": YES_NO,       # the term passed; "Zal ik je doorverbinden met een collega?"
    "utter_acknowledge_disagreement": YES_NO,  # after a disputed no: "Zal ik je doorverbinden?"
    "utter_thank": YES_NO,                    # "Kan ik je nog ergens anders mee helpen?"
    "utter_handback": YES_NO,
    "utter_ask_order_number": ORDER_NUMBER_KIND,
    "utter_invalid_order_number": ORDER_NUMBER_KIND,
    "utter_order_not_found": ORDER_NUMBER_KIND,
    "utter_ask_postcode": POSTCODE_KIND,
    "utter_invalid_postcode": POSTCODE_KIND,
}

# A plain yes or no, with the few polite words around it that people add.
_YES_NO_WORDS = {
    "ja", "jaa", "jawel", "jazeker", "yes", "graag", "ok", "oke", "oké", "okay", "okee", "prima", "goed", "top",
    "zeker", "natuurlijk", "duidelijk", "helder", "begrepen", "akkoord", "nee", "neen", "nope", "no", "neuh",
    "hoeft", "niet", "nodig", "laat", "maar", "dank", "je", "jij", "u", "wel", "bedankt", "dankjewel", "dankje",
    "hoor", "jammer", "dan", "is", "het", "dat", "ik", "hou", "houd", "hem", "haar", "zo", "alles", "verder",
    "nu", "even", "eerst", "fijn", "thanks", "doe", "maar", "mag", "please", "alsjeblieft", "alstublieft",
}
# Words that bring a reason or an objection along: a reply with them says more than yes or no.
_OBJECTION = {"toch", "want", "omdat", "daarom", "daardoor", "waarom", "oneerlijk", "onterecht", "eerlijk",
              "redelijk", "schuld", "ziek", "ziekenhuis"}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
MAX_YES_NO_WORDS = 8


def expected_kind(responses: Iterable[str]) -> str | None:
    """The kind of answer the bot's latest turn asked for (its responses), or None when it asked nothing."""
    kinds = [EXPECTED[r] for r in responses if r in EXPECTED]
    return kinds[-1] if kinds else None


def fits(kind: str | None, text: str) -> bool:
    """Does this reply answer a question of this kind? (No question: anything fits.)"""
    if kind is None:
        return True
    if kind == ORDER_NUMBER_KIND:
        return bool(ORDER_NUMBER.search(text))
    if kind == POSTCODE_KIND:
        return bool(POSTCODE.search(text))
    words = [w.lower() for w in _WORD.findall(text)]
    if not words or len(words) > MAX_YES_NO_WORDS or _OBJECTION & set(words):
        return False
    return words[0] in _YES_NO_WORDS and sum(w in _YES_NO_WORDS for w in words) >= len(words) - 2
