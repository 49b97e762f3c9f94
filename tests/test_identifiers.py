"""One definition of each identifier and each small rule that several processes share: the order number and
postcode (bot/webshop/identifiers.py), the plain-text guard (bot/text.py), the topic of a message
(bot/nlu_result.py) and the team's time zone (business_hours.yml, bot/hours.py)."""
from __future__ import annotations

import ast
import re

from bot.config import ROOT
from bot.nlu_result import topic_of
from bot.privacy import mask
from bot.summary import typed_order_numbers
from bot.text import as_plain_text, without_guard
from bot.webshop.identifiers import ORDER_NUMBER, POSTCODE, normalise_order_number

OWNERS = {
    "an order-number pattern": ("bot/webshop/identifiers.py", re.compile(r"\\d\{6\}")),
    "a postcode pattern": ("bot/webshop/identifiers.py", re.compile(r"\[1-9\]\\d\{3\}")),
    "the plain-text guard": ("bot/text.py", re.compile("\u200b|\\\\u200b")),
    "a hard-coded time zone": ("bot/hours.py", re.compile(r"ZoneInfo\(\s*['\"]")),
}


def product_sources():
    for path in sorted([*ROOT.joinpath("bot").rglob("*.py"), *ROOT.joinpath("actions").rglob("*.py")]):
        if "migrations" not in path.parts:
            yield path.relative_to(ROOT).as_posix(), path.read_text()


def test_each_identifier_is_defined_in_one_module():
    copies = [f"{name} in {relative}" for relative, source in product_sources()
              for name, (owner, pattern) in OWNERS.items() if relative != owner and pattern.search(source)]
    assert copies == []


def test_the_topic_rule_is_written_once():
    """No second list of intents that are no topic (it was written three times, with different entries)."""
    lists = []
    for relative, source in product_sources():
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.Set, ast.List, ast.Tuple)):
                words = {e.value for e in node.elts if isinstance(e, ast.Constant)}
                if {"greet", "goodbye", "nlu_fallback"} <= words:
                    lists.append(relative)
    assert lists == ["bot/nlu_result.py"]


def test_what_a_message_is_about():
    assert topic_of("faq", "faq/shipping_costs") == "faq/shipping_costs"
    assert topic_of("order_status") == "order_status"
    for none in ("greet", "out_of_scope", "nlu_fallback", "bot_challenge", "EXTERNAL_handback", None):
        assert topic_of(none) is None
    assert topic_of("faq") is None  # an FAQ question without its answer key says nothing yet


def test_order_numbers_and_postcodes_are_read_alike_everywhere():
    text = "Bestelling ws - 100001 en WS100002, postcode 1234 ab (niet 1234 SS)"
    assert [f"WS-{m.group(1)}" for m in ORDER_NUMBER.finditer(text)] == ["WS-100001", "WS-100002"]
    assert typed_order_numbers([text]) == ["WS-100001", "WS-100002"]
    assert [normalise_order_number(m.group(0)) for m in ORDER_NUMBER.finditer(text)] == ["WS-100001", "WS-100002"]
    assert mask(text) == "Bestelling ws - 100001 en WS100002, postcode [postcode] (niet 1234 SS)"
    assert [m.group(0) for m in POSTCODE.finditer(text)] == ["1234 ab"]


def test_typed_text_that_looks_like_a_command_stays_text_and_comes_back_as_typed():
    guarded = as_plain_text("/restart")
    assert not guarded.startswith("/") and without_guard(guarded) == "/restart"
    assert as_plain_text("Waar is mijn pakket?") == "Waar is mijn pakket?"
