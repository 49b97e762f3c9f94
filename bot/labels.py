"""Every Dutch label people read for reasons, priorities, signals, topics, senders and facts: one source
for the summary, the console, the dashboard and the report (served to the staff pages at /api/labels)."""
from __future__ import annotations

from bot import reasons as _reasons

# Handoff reasons as a short heading (queue, context card, charts), and the same verb-final, to follow
# "omdat de klant ..." in a summary: both from the one registry of reasons (bot/reasons.py).
REASONS = {r.key: r.label for r in _reasons.REASONS.values()}
REASONS_BECAUSE = {r.key: r.because for r in _reasons.REASONS.values()}

PRIORITIES = dict(_reasons.PRIORITY_LABELS)

# Signal names of the escalation check (escalation.yml) and of the actions.
SIGNALS = {
    "asks_for_person": "Vraagt om een medewerker",
    "caps_lock": "Hoofdletters",
    "punctuation_burst": "Veel uitroeptekens",
    "negative_judgement": "Negatief oordeel",
    "fed_up": "Is het zat",
    "earlier_contacts": "Eerder contact gehad",
    "swearing": "Vloeken",
    "insult": "Belediging",
    "direct_insult": "Persoonlijke belediging",
    "legal": "Juridische stappen",
    "public": "Dreigt met publiciteit",
    "health_harm": "Gezondheid: letsel",
    "health_worry": "Gezondheid: zorgen",
    "pets": "Huisdier",
    "bereavement": "Overlijden",
    "fraud": "Fraude of gehackt account",
    "compensation": "Wil compensatie",
    "damaged_goods": "Beschadigd of verkeerd artikel",
    "refused_return": "Retour geweigerd",
    "refund_overdue": "Terugbetaling te laat",
    "several_problems": "Meerdere problemen",
    "long_emotional": "Lang, emotioneel bericht",
    "says_so": "Zegt niet begrepen te worden",
    "rephrase_after_fallback": "Herhaalt na een misverstand",
    "not_understood": "Niet begrepen",
    "same_question": "Stelt dezelfde vraag opnieuw",
    "deadline": "Deadline",
    "order_not_found": "Bestelling niet gevonden",
    "shop_unavailable": "Webshop niet bereikbaar",
    "bot_unavailable": "Bot niet bereikbaar",
    "complain": "Klacht",
    "product_issue": "Probleem met een product",
    "disputes_refusal": "Accepteert het nee niet",
    "personal_circumstance": "Persoonlijke omstandigheid",
}

TOPICS = {
    "order_status": "Waar is mijn pakket",
    "return_request": "Retour aanmelden",
    "complain": "Klacht",
    "product_issue": "Probleem met een product",
    "request_human": "Wil een medewerker",
    "faq/return_policy": "FAQ retourneren",
    "faq/refund_time": "FAQ terugbetaling",
    "faq/shipping_costs": "FAQ verzendkosten",
    "faq/delivery_time": "FAQ levertijd",
    "faq/payment_methods": "FAQ betalen",
    "faq/opening_hours": "FAQ openingstijden",
    "faq/warranty": "FAQ garantie",
    "faq/change_address": "FAQ adres wijzigen",
    "faq/cancel_order": "FAQ annuleren",
    "faq/invoice": "FAQ factuur",
    # Intents that are no reason to come (bot.nlu_result.NOT_A_TOPIC), named for the editors' page.
    "greet": "Begroeting",
    "goodbye": "Afscheid",
    "thank": "Bedankje",
    "affirm": "Ja / bevestiging",
    "deny": "Nee / ontkenning",
    "inform": "Geeft gegevens (bestelnummer, postcode)",
    "bot_challenge": "Vraagt of het een bot is",
    "out_of_scope": "Hoort niet bij de winkel",
    "nlu_fallback": "Niet begrepen",
    "faq": "Algemene vraag",
    "EXTERNAL_handback": "Teruggegeven aan de bot",
}

# What an FAQ topic is about, to follow "had een vraag over ..." in a summary.
TOPIC_SUBJECTS = {
    "faq/return_policy": "retourneren",
    "faq/refund_time": "wanneer het geld terugkomt",
    "faq/shipping_costs": "de verzendkosten",
    "faq/delivery_time": "de levertijd",
    "faq/payment_methods": "betalen",
    "faq/opening_hours": "de openingstijden",
    "faq/warranty": "de garantie",
    "faq/change_address": "een adreswijziging",
    "faq/cancel_order": "annuleren",
    "faq/invoice": "de factuur",
}

SENDERS = {"customer": "Klant", "bot": "Bot", "agent": "Medewerker", "system": "Systeem", "note": "Notitie"}

FACTS = {
    "customer": "Ingelogde klant (door de winkel bevestigd)",
    "order_number": "Bestelnummer",
    "postcode_verified": "Postcode gecontroleerd",
    "order_lookup_failed": "Niet gevonden met de opgegeven postcode",
    "deadline": "Deadline",
    "deadline_words": "Woorden van de klant",
    "deadline_reason": "Waarom het ertoe doet",
    "return_code": "Retourcode",
    "order_status": "Status",
    "deadline_met": "Haalt de deadline",
    "later_problem": "Later gemeld (tijdens het wachten)",
}

AGENT_STATUSES = {"online": "online", "away": "afwezig", "offline": "offline"}


def reason(key: str) -> str:
    return REASONS.get(key, key)


def signal(key: str) -> str:
    return SIGNALS.get(key, key.replace("_", " "))


def topics() -> dict[str, str]:
    """Built-in topic names, with the editors' names from topics.yml on top."""
    from bot.nlu import topics as edited

    return {**TOPICS, **{f"faq/{k}" if not k.startswith("faq/") else k: v
                         for k, v in edited.load(edited.project_dir()).items()}}


def topic(key: str) -> str:
    """The Dutch name; a key nobody named yet is shown as words ("faq/gift_wrap" -> "gift wrap")."""
    return topics().get(key) or key.removeprefix("faq/").replace("_", " ")


def topic_for_customer(key: str) -> str:
    """A topic's name on a button for the customer: "FAQ levertijd" becomes "Levertijd"."""
    name = topic(key)
    name = name[4:] if name.lower().startswith("faq ") else name
    return name[:1].upper() + name[1:]


def all_labels() -> dict[str, dict[str, str]]:
    return {"reasons": REASONS, "priorities": PRIORITIES, "signals": SIGNALS, "topics": topics(),
            "senders": SENDERS, "facts": FACTS, "agent_statuses": AGENT_STATUSES}
