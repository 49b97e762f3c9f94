"""Every sentence the desk itself says to a customer, in one place (informal Dutch, "je").

The bot's own answers live in domain.yml and the actions; what happens around a person (who helps,
the place in line, callbacks, the satisfaction check) is worded here and nowhere else, also the
widget's status line.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.hours import BusinessHours, clock, day_phrase

NOTHING_TO_REPEAT = "Je hoeft niets te herhalen: mijn collega ziet ons hele gesprek."
STORING = "Excuses, ik kan je op dit moment niet automatisch helpen door een storing."


# --- who helps, and how long it takes -------------------------------------------------------------------
def place_and_wait(position: int | None, minutes: int | None, rough: bool = False) -> str:
    """Place in line and expected wait, honestly worded (P2); empty when not waiting."""
    if not position:
        return ""
    place = "Je bent als eerste aan de beurt" if position == 1 else f"Je bent nummer {position} in de rij"
    wait = f"ongeveer {minutes} minuten" if minutes and minutes > 1 else "minder dan een minuut"
    caveat = " (een ruwe schatting: we hebben nog weinig gegevens)" if rough else ""
    return f"{place}; de verwachte wachttijd is {wait}{caveat}."


def agent_joins(first_name: str) -> str:
    return f"{first_name} van de klantenservice helpt je nu verder."


def handoff(outcome: str, *, first_name: str | None = None, info: dict[str, Any] | None = None,
            bot_down: bool = False) -> str:
    """What happens next after a handoff, once the desk knows: `assigned` (a person is here now),
    `waiting` (a truthful place in line and wait) or `offer` (a callback offer follows)."""
    info = info or {}
    if bot_down:
        lead = f"{STORING} Je bericht is bewaard"
        if outcome == "assigned":
            return f"{lead}. {agent_joins(first_name or 'Een collega')} Je hoeft niets te herhalen."
        if outcome == "offer":
            return f"{lead} en je hoeft niets te herhalen."
        return (f"{lead} en een collega neemt het gesprek van me over; je hoeft niets te herhalen. "
                + place_and_wait(info.get("queue_position"), info.get("estimated_wait_minutes"),
                                 bool(info.get("estimate_is_rough")))).strip()
    if outcome == "assigned":
        return f"{agent_joins(first_name or 'Een collega')} Je hoeft niets te herhalen: {first_name} ziet ons hele gesprek."
    if outcome == "offer":
        return NOTHING_TO_REPEAT
    return (f"{NOTHING_TO_REPEAT} " + place_and_wait(info.get("queue_position"), info.get("estimated_wait_minutes"),
                                                     bool(info.get("estimate_is_rough")))).strip()


def transfer(to_name: str, from_name: str) -> str:
    return f"{to_name} neemt je gesprek over van {from_name}; je hoeft niets te herhalen."


def released(*, from_name: str, to_name: str | None, info: dict[str, Any], gone: bool) -> str:
    """The agent went offline (`gone` False) or her console was gone too long (`gone` True): the chat is back in
    line at the place it had, or a colleague took it over at once."""
    lead = f"{from_name} is even niet bereikbaar" if gone else f"{from_name} is niet meer beschikbaar in de chat"
    if to_name:
        return f"{lead}, daarom neemt {to_name} van de klantenservice je gesprek over. {NOTHING_TO_REPEAT}"
    text = f"{lead}. Je staat weer in de rij, op je oude plek. {NOTHING_TO_REPEAT}"
    if info.get("agents_available") is False:
        return f"{text} Er is nu geen andere collega beschikbaar; je vraag blijft bewaard."
    return f"{text} " + place_and_wait(info.get("queue_position"), info.get("estimated_wait_minutes"),
                                       bool(info.get("estimate_is_rough")))


def status_line(state: str, info: dict[str, Any]) -> str | None:
    """The widget's line above the chat while a person is involved."""
    if state == "queued":
        text = "Je wacht op een medewerker."
        position = info.get("queue_position")
        if position:
            text += " Je bent als eerste aan de beurt." if position == 1 else f" Je bent nummer {position} in de rij."
        if info.get("agents_available") is False:
            text += " Er is nu geen medewerker beschikbaar; je vraag blijft bewaard."
        elif info.get("estimated_wait_minutes"):
            minutes = info["estimated_wait_minutes"]
            text += f" Verwachte wachttijd: ongeveer {minutes} min" + (" (ruwe schatting)." if info.get("estimate_is_rough") else ".")
        return text
    if state == "agent":
        name = info.get("agent_name")
        return f"Je chat met {name} van de klantenservice." if name else "Je chat met een medewerker."
    return None


def subtitle(state: str) -> str | None:
    """Under the widget's title while a person is involved (the widget says "Digitale assistent" otherwise)."""
    return {"queued": "Je wordt doorverbonden met een medewerker", "agent": "Je chat met een medewerker"}.get(state)


def ended() -> str:
    return "Dit gesprek is beëindigd. Je bericht is bewaard; wil je verder, begin dan later een nieuw gesprek."


# --- the satisfaction check (P10) -------------------------------------------------------------------------
def ask_if_solved(agent_name: str) -> str:
    return f"{agent_name} heeft je vraag afgerond. Is je probleem hiermee opgelost?"


ASK_SCORE = "Fijn dat je geholpen bent! Hoe tevreden ben je over de hulp? (1 = slecht, 5 = uitstekend)"
ASK_COMMENT = "Dank je! Wil je nog iets toelichten? Typ het hieronder, of kies 'Nee, dank je'."
THANKS = "Bedankt voor je reactie, daar leren we van. Nog een fijne dag!"


def not_solved(*, first_name: str | None, info: dict[str, Any]) -> str:
    if first_name:
        return f"Wat vervelend dat het nog niet is opgelost. {first_name} helpt je meteen verder."
    return ("Wat vervelend dat het nog niet is opgelost. Ik zet je terug in de rij, een collega helpt je zo verder. "
            + place_and_wait(info.get("queue_position"), info.get("estimated_wait_minutes"),
                             bool(info.get("estimate_is_rough")))).strip()


# --- callbacks (P8) ---------------------------------------------------------------------------------------
_ASK_CALLBACK = "Wil je dat we je terugbellen of mailen op een moment dat jou past?"


def callback_offer(reason: str, *, minutes: int | None, hours: BusinessHours, now: datetime) -> str:
    if reason == "closed":
        return f"{hours.back_sentence(now)} {_ASK_CALLBACK} Je vraag en ons hele gesprek gaan mee."
    if reason == "no_agents":
        return f"Er is op dit moment helaas geen collega beschikbaar in de chat. {_ASK_CALLBACK}"
    if reason == "long_wait":
        return f"Het is nu erg druk: de wachttijd is ongeveer {minutes} minuten. {_ASK_CALLBACK} Je mag ook blijven wachten."
    return f"Sorry dat je zo lang moet wachten. {_ASK_CALLBACK} Je mag ook blijven wachten."


def ask_contact(channel: str) -> str:
    return "Op welk telefoonnummer kunnen we je bellen?" if channel == "phone" \
        else "Op welk e-mailadres kunnen we je antwoorden?"


def ask_window(channel: str) -> str:
    verb = "bellen" if channel == "phone" else "mailen"
    return f"Dank je. Wanneer komt het je uit? Kies een moment, dan {verb} we je in dat tijdvak."


ALREADY_PICKED_UP = "Een collega heeft je gesprek inmiddels opgepakt; die helpt je hier verder."
CHOOSE_CHANNEL_FIRST = "Kies eerst of we je bellen of mailen."
WINDOW_GONE = "Dat moment is net vol geraakt of voorbij. Kies een ander moment:"
WINDOWS_FULL = "Het spijt me, de komende dagen zijn alle terugbelmomenten vol."


def still_waiting(*, open_now: bool, agents_online: bool, hours: BusinessHours, now: datetime,
                  info: dict[str, Any] | None, cancelled: bool = False) -> str:
    prefix = "Geen probleem. " if cancelled else ""
    if info is None:
        return prefix + "Prima."
    if not open_now:
        return f"{prefix}Prima. Je vraag blijft bewaard voor het team. {hours.back_sentence(now)}"
    if not agents_online:
        return prefix + "Prima. Je vraag blijft bewaard; zodra er een collega beschikbaar is, gaat die hier verder."
    return (f"{prefix}Prima, je blijft in de rij. " + place_and_wait(
        info.get("queue_position"), info.get("estimated_wait_minutes"), bool(info.get("estimate_is_rough")))).strip()


def callback_confirmation(*, channel: str, contact: str, start: datetime, end: datetime, today) -> str:
    when = f"{day_phrase(start.date(), today)} tussen {clock(start)} en {clock(end)}"
    how = f"we bellen je {when} op {contact}" if channel == "phone" else f"we mailen je {when} naar {contact}"
    return (f"Afgesproken: {how}. Onze collega heeft ons hele gesprek erbij, dus je hoeft niets opnieuw uit te "
            "leggen. Je kunt dit venster gerust sluiten.")


# --- a button pressed after the conversation moved on (conversations/offers.py) ----------------------------
def late_click(*, agent_name: str | None = None) -> str:
    lead = "Die keuze geldt niet meer, want ons gesprek is intussen verder gegaan."
    if agent_name:
        return f"{lead} {agent_name} helpt je hier verder; typ gerust je bericht."
    return f"{lead} Typ gerust wat je wilt weten, dan help ik je verder."


def late_rating(*, solved: bool | None = None, score: int | None = None, kept: bool) -> str:
    """A satisfaction button pressed after another turn: kept when that chat had no such answer yet."""
    if not kept:
        return "Die vraag had je al beantwoord. Dank je!"
    if score is not None:
        return "Dank je voor je beoordeling, die hebben we alsnog bewaard."
    if solved:
        return "Fijn dat je geholpen bent, dank je! Je antwoord is bewaard."
    return ("Wat vervelend dat het nog niet is opgelost. Je antwoord is bewaard; typ hieronder wat er nog speelt, "
            "dan helpen we je verder.")


# --- the widget on a site that may not use it (conversations/views.py, /api/site) ---------------------------
SITE_NOT_ALLOWED = "De chat is op deze website niet beschikbaar. Neem op een andere manier contact op met de winkel."
