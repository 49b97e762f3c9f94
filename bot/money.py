"""Euro amounts written the Dutch way."""


def euros(cents: int) -> str:
    """8995 -> '€ 89,95'; 120000 -> '€ 1.200,00'."""
    whole, rest = divmod(abs(cents), 100)
    grouped = f"{whole:,}".replace(",", ".")
    sign = "-" if cents < 0 else ""
    return f"{sign}€ {grouped},{rest:02d}"
