"""Masks personal data in what editors and team leads see: the inbox, reports and exports.

Order numbers stay (they identify a case, not a person). What is masked, and what replaces it:
e-mail addresses [e-mail], IBANs [iban], phone numbers [telefoon], postcodes [postcode], and
names after "ik ben" / "mijn naam is" / "met" (at the start) [naam].
"""
from __future__ import annotations

import re

from bot.webshop.identifiers import ORDER_NUMBER, POSTCODE

EMAIL = re.compile(r"\b[\w.+'-]+@[\w-]+(?:\.[\w-]+)+\b")
IBAN = re.compile(r"\b[A-Z]{2}\d{2}[ ]?(?:[A-Z0-9]{4}[ ]?){2,7}[A-Z0-9]{1,4}\b", re.IGNORECASE)
PHONE = re.compile(r"(?<![\w-])(?:\+|00)?\d[\d\s\-()]{7,}\d\b")
# A name: one or more capitalised words (with Dutch particles) after a self-introduction.
NAME = re.compile(
    r"\b((?i:ik ben|mijn naam is|ik heet|met))\s+((?:(?:van|de|der|den|ter|ten|'t)\s+)*[A-Z][a-zà-ÿ'-]+"
    r"(?:\s+(?:(?:van|de|der|den|ter|ten|'t)\s+)*[A-Z][a-zà-ÿ'-]+)*)")
NOT_NAMES = {"niet", "er", "erg", "heel", "zo", "al", "nog", "boos", "blij", "benieuwd", "bang", "klaar", "ziek"}


def _name(match: re.Match) -> str:
    words = match.group(2).split()
    if words[0].lower() in NOT_NAMES:
        return match.group(0)
    return f"{match.group(1)} [naam]"


def mask(text: str) -> str:
    """The text with personal data replaced by placeholders; order numbers are kept."""
    orders: list[str] = []

    def keep_order(match: re.Match) -> str:
        orders.append(match.group(0))
        return f"\x00{len(orders) - 1}\x00"

    masked = ORDER_NUMBER.sub(keep_order, text)
    masked = EMAIL.sub("[e-mail]", masked)
    masked = IBAN.sub("[iban]", masked)
    masked = PHONE.sub("[telefoon]", masked)
    masked = POSTCODE.sub("[postcode]", masked)
    masked = NAME.sub(_name, masked)
    return re.sub("\x00(\\d+)\x00", lambda m: orders[int(m.group(1))], masked)
