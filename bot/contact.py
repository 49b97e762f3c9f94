"""Phone numbers and e-mail addresses for callbacks, checked with errors a customer understands."""
from __future__ import annotations

import re

EXAMPLE_PHONE = "06 12345678"
EXAMPLE_EMAIL = "naam@voorbeeld.nl"
EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
# Frequent slips in the big mail domains; suggested, never silently changed.
DOMAIN_SLIPS = {"gmail.con": "gmail.com", "gmial.com": "gmail.com", "gmail.nl": "gmail.com", "gmai.com": "gmail.com",
                "hotmail.con": "hotmail.com", "hotmial.com": "hotmail.com", "outlook.con": "outlook.com",
                "hotmail.nll": "hotmail.nl", "ziggo.con": "ziggo.nl"}


class ContactError(ValueError):
    """The customer's input is not usable; str() is the Dutch explanation."""


def normalise_phone(text: str) -> str:
    """'+31612345678' for Dutch numbers, '+<digits>' for other countries. Raises ContactError."""
    raw = text.strip()
    if not raw:
        raise ContactError(f"Ik zie nog geen telefoonnummer. Typ je nummer, bijvoorbeeld {EXAMPLE_PHONE}.")
    compact = re.sub(r"[\s\-./()]", "", raw)
    if not re.fullmatch(r"\+?\d+", compact):
        raise ContactError("Een telefoonnummer bestaat alleen uit cijfers (eventueel met een + ervoor). "
                           f"Probeer het nog eens, bijvoorbeeld {EXAMPLE_PHONE}.")
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if compact.startswith("+31"):
        compact = "0" + compact[3:].removeprefix("0")
    if compact.startswith("+"):
        if not 9 <= len(compact) - 1 <= 15:
            raise ContactError("Dat buitenlandse nummer heeft niet het juiste aantal cijfers. "
                               "Controleer het even, met de landcode erbij (bijvoorbeeld +32 470 12 34 56).")
        return compact
    if not compact.startswith("0"):
        raise ContactError(f"Een Nederlands telefoonnummer begint met 0 of +31, bijvoorbeeld {EXAMPLE_PHONE}.")
    if compact.startswith(("0800", "0900", "0906", "0909", "084", "087")):
        raise ContactError("Op een 0800-, 0900- of servicenummer kunnen we je niet terugbellen. "
                           "Geef een vast of mobiel nummer.")
    if len(compact) != 10:
        raise ContactError(f"Een Nederlands telefoonnummer heeft 10 cijfers, bijvoorbeeld {EXAMPLE_PHONE} of "
                           f"020 1234567. Ik tel er {len(compact)}.")
    return "+31" + compact[1:]


def display_phone(number: str) -> str:
    """'+31612345678' -> '06 12 34 56 78'; foreign numbers as stored."""
    if number.startswith("+31") and len(number) == 12:
        local = "0" + number[3:]
        if local.startswith("06"):
            return f"{local[:2]} {local[2:4]} {local[4:6]} {local[6:8]} {local[8:]}"
        return f"{local[:3]} {local[3:]}"
    return number


def normalise_email(text: str) -> str:
    """Lower-cased domain, trimmed. Raises ContactError."""
    raw = text.strip().strip("<>").strip()
    if not raw:
        raise ContactError(f"Ik zie nog geen e-mailadres. Typ je adres, bijvoorbeeld {EXAMPLE_EMAIL}.")
    if len(raw) > 254 or " " in raw:
        raise ContactError(f"Een e-mailadres bevat geen spaties. Controleer het even, bijvoorbeeld {EXAMPLE_EMAIL}.")
    if raw.count("@") != 1:
        raise ContactError(f"Een e-mailadres heeft precies één @, bijvoorbeeld {EXAMPLE_EMAIL}.")
    local, domain = raw.split("@")
    domain = domain.lower()
    if domain in DOMAIN_SLIPS:
        raise ContactError(f"Bedoel je {local}@{DOMAIN_SLIPS[domain]}? Typ je adres nog een keer.")
    address = f"{local}@{domain}"
    if not EMAIL.match(address) or ".." in address:
        raise ContactError(f"Dat e-mailadres lijkt niet te kloppen. Controleer het even, bijvoorbeeld {EXAMPLE_EMAIL}.")
    return address
