"""Wrong passwords in the console: the agent hears at her next sign-in how often they were tried, and an
admin sees who is locked out and unlocks her, in the browser against the real stack."""
from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from bot.seed import DEMO_AGENT
from tests.test_attacks import attacker, login, new_account

pytestmark = pytest.mark.browser


def sign_in(page, url, username, password):
    page.goto(url + "/console")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()


def test_the_agent_is_told_and_an_admin_unlocks_her(stack, page_factory):
    username, password = new_account(stack)
    stranger = attacker()
    codes = [login(stack, username, f"gok-{i}", address=stranger).status_code for i in range(11)]
    assert codes[-1] == 429

    agent = page_factory()
    sign_in(agent, stack.desk_url, username, password)  # from her own place: not held up
    expect(agent.get_by_test_id("login-notice")).to_contain_text("10 keer met een verkeerd wachtwoord")

    admin = page_factory()
    sign_in(admin, stack.desk_url, DEMO_AGENT["username"], DEMO_AGENT["password"])
    admin.get_by_test_id("access-admin").locator("summary").click()
    row = admin.get_by_test_id("access-list").locator("li", has_text=username)
    expect(row).to_contain_text("geblokkeerd tot")
    admin.get_by_test_id(f"unlock-{username}").click()
    expect(row).not_to_contain_text("geblokkeerd")
    assert login(stack, username, password, address=stranger).status_code == 200
