"""The editors' "Terugblik" in chromium, against the real stack (Rasa with the trained model reads the messages):
a conversation that stayed with the bot under older rules is listed as one that would now be handed over."""
from __future__ import annotations

import os
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from bot.desk.conversations.models import Conversation, Message
from bot.desk.db import make_engine, make_sessionmaker, utcnow
from tests.browser.test_editor_and_dashboard import logged_in

pytestmark = pytest.mark.browser
ANGRY = "Dit is echt BELACHELIJK <b>zo</b>, ik ben het zat!!!"  # handed over today; markup must stay text


def stayed_with_the_bot(database_url: str, text: str, days_ago: float) -> str:
    """A past conversation, as the desk stored it when the rules let it pass."""
    engine = make_engine(database_url)
    at = utcnow() - timedelta(days=days_ago)
    with make_sessionmaker(engine)() as session:
        conversation = Conversation(id=os.urandom(16).hex(), token_hash="x" * 64, state="closed", offered_payloads=[],
                                    created_at=at, last_seq=2)
        session.add(conversation)
        session.flush()
        session.add(Message(conversation_id=conversation.id, seq=1, sender="customer", text=text, created_at=at,
                            intent="order_status", confidence=0.8))
        session.add(Message(conversation_id=conversation.id, seq=2, sender="bot", text="Wat is je bestelnummer?",
                            created_at=at + timedelta(seconds=2)))
        session.commit()
    engine.dispose()
    return conversation.id


def test_an_editor_sees_in_the_terugblik_which_past_conversation_would_now_be_handed_over(stack, page_factory):
    recent = stayed_with_the_bot(stack.database_url, ANGRY, days_ago=1)
    older = stayed_with_the_bot(stack.database_url, ANGRY, days_ago=10)
    page = logged_in(page_factory(), stack)
    page.get_by_test_id("editor-link").click()
    panel = page.get_by_test_id("backtest-panel")
    expect(panel).to_contain_text("Terugblik")
    page.get_by_test_id("backtest-run").click()
    expect(page.get_by_test_id("backtest-summary")).to_contain_text(re.compile(r"\d+ zou(den)? nu anders lopen"), timeout=60_000)
    row = page.locator(f'[data-testid="backtest-table"] tr[data-conversation="{recent}"]')
    expect(row).to_be_visible()
    expect(row.locator("td.before")).to_have_text("Bleef bij de bot")
    expect(row.locator("td.after")).to_have_text("Frustratie · nu overgedragen")
    expect(row.locator("td.message")).to_have_text(ANGRY)  # the markup shown as text, not rendered
    expect(row.locator("td.message b")).to_have_count(0)
    expect(row.locator("td.why")).to_contain_text("belachelijk", ignore_case=True)
    expect(page.locator(f'tr[data-conversation="{older}"]')).to_have_count(0)  # outside the 7 days
    page.get_by_test_id("backtest-since").select_option("2w")
    page.get_by_test_id("backtest-run").click()
    expect(page.locator(f'tr[data-conversation="{older}"]')).to_be_visible(timeout=60_000)
