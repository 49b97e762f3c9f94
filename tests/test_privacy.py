"""Personal data is masked in what editors and team leads see; order numbers and ordinary words stay."""
from __future__ import annotations

import pytest

from bot.privacy import mask


@pytest.mark.parametrize("text, masked", [
    ("mail me op jan.de.vries@voorbeeld.nl", "mail me op [e-mail]"),
    ("bel 06-12345678 of +31 20 123 4567", "bel [telefoon] of [telefoon]"),
    ("postcode 1234 AB en 5678cd", "postcode [postcode] en [postcode]"),
    ("IBAN NL91 ABNA 0417 1643 00 graag", "IBAN [iban] graag"),
    ("Ik ben Jan de Vries en ik wacht", "Ik ben [naam] en ik wacht"),
    ("mijn naam is Priya, waar is WS-100001?", "mijn naam is [naam], waar is WS-100001?"),
    ("Met Fatima El Amrani, over mijn retour", "Met [naam], over mijn retour"),
])
def test_personal_data_is_replaced_by_a_placeholder(text, masked):
    assert mask(text) == masked


@pytest.mark.parametrize("text", ["ik ben boos", "ik ben er klaar mee", "waar blijft WS-100001", "ik heb 3 dagen gewacht",
                                  "ik wil retourneren met mijn retourcode"])
def test_ordinary_sentences_and_order_numbers_stay(text):
    assert mask(text) == text
