"""Phone numbers and e-mail addresses for callbacks: accepted forms and the Dutch errors."""
from __future__ import annotations

import re

import pytest

from bot.contact import ContactError, display_phone, normalise_email, normalise_phone


@pytest.mark.parametrize("typed", ["0612345678", "06-12345678", "06 12 34 56 78", "+31 6 12345678", "0031612345678",
                                   "+31 (0)6 1234 5678"])
def test_dutch_mobile_numbers_in_every_common_form(typed):
    assert normalise_phone(typed) == "+31612345678"
    assert display_phone(normalise_phone(typed)) == "06 12 34 56 78"


def test_landlines_and_foreign_numbers():
    assert display_phone(normalise_phone("020-1234567")) == "020 1234567"
    assert normalise_phone("+32 470 12 34 56") == "+32470123456"


@pytest.mark.parametrize("typed, says", [
    ("", "Ik zie nog geen telefoonnummer"),
    ("bel me maar", "alleen uit cijfers"),
    ("<script>", "alleen uit cijfers"),
    ("0612", "heeft 10 cijfers, bijvoorbeeld 06 12345678 of 020 1234567. Ik tel er 4"),
    ("061234567890", "Ik tel er 12"),
    ("0900-1234567", "servicenummer"),
    ("612345678", "begint met 0 of +31"),
    ("+1 23", "buitenlandse nummer"),
])
def test_wrong_phone_numbers_get_a_clear_dutch_error(typed, says):
    with pytest.raises(ContactError, match=re.escape(says)):
        normalise_phone(typed)


def test_email_addresses_are_trimmed_and_the_domain_lower_cased():
    assert normalise_email("  Jan.de.Vries@Voorbeeld.NL ") == "Jan.de.Vries@voorbeeld.nl"


@pytest.mark.parametrize("typed, says", [
    ("", "Ik zie nog geen e-mailadres"),
    ("jan@", "lijkt niet te kloppen"),
    ("jan@@voorbeeld.nl", "precies één @"),
    ("jan voorbeeld.nl", "geen spaties"),
    ("jan@gmail.con", "Bedoel je jan@gmail.com"),
    ("jan@voorbeeld", "lijkt niet te kloppen"),
    ("' OR 1=1 --@x.nl", "geen spaties"),
])
def test_wrong_email_addresses_get_a_clear_dutch_error(typed, says):
    with pytest.raises(ContactError, match=re.escape(says)):
        normalise_email(typed)
