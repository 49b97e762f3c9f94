"""Two agents, three customers, capacity 1: the third waits with an honest place in line, then is served."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def add_agent(stack, username, first_name):
    env = {**os.environ, "DATABASE_URL": stack.database_url, "BALIE_AGENT_PASSWORD": f"wachtwoord-{username}"}
    subprocess.run([sys.executable, "-m", "bot", "agents", "add", username, "--first-name", first_name],
                   env=env, check=True, capture_output=True)


def console_for(page, stack, username):
    page.goto(stack.desk_url + "/console")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(f"wachtwoord-{username}")
    page.get_by_test_id("login-submit").click()
    expect(page.locator("#me-name")).to_be_visible()
    page.get_by_test_id("status").select_option("online")
    return page


def customer_asks_for_a_person(page, stack):
    page.goto(stack.desk_url + "/")
    page.get_by_test_id("balie-launcher").click()
    page.get_by_test_id("balie-input").fill("ik wil een medewerker spreken")
    page.get_by_test_id("balie-send").click()
    return page


def test_the_third_customer_waits_first_in_line_and_is_served_when_a_chat_ends(stack, page_factory, agent):
    agent.serve_everyone_waiting()  # customers earlier tests left in line would come first
    add_agent(stack, "lotte", "Lotte")
    add_agent(stack, "youssef", "Youssef")
    consoles = [console_for(page_factory(), stack, name) for name in ("lotte", "youssef")]
    try:
        customers = [customer_asks_for_a_person(page_factory(), stack) for _ in range(3)]
        for served in customers[:2]:
            expect(served.get_by_test_id("balie-log")).to_contain_text("van de klantenservice helpt je nu verder")
        third = customers[2]
        status = third.get_by_test_id("balie-status")
        expect(status).to_contain_text("Je bent als eerste aan de beurt")
        expect(status).to_contain_text("Verwachte wachttijd: ongeveer")

        # One agent finishes: the third customer is assigned without anyone clicking.
        finishing = consoles[0]
        finishing.get_by_test_id("mine").locator("li").first.click()
        finishing.get_by_test_id("resolve").click()
        expect(third.get_by_test_id("balie-log")).to_contain_text("Lotte van de klantenservice helpt je nu verder")
        expect(status).to_have_text("Je chat met Lotte van de klantenservice.")
    finally:
        for console in consoles:  # later tests expect nobody online
            console.get_by_test_id("status").select_option("offline")


def test_a_callback_offer_overtaken_by_an_agent_leaves_no_button_to_press(stack, page_factory, agent):
    """Nobody is online: the customer is offered a callback. Then Noor comes online and takes the chat: the
    offer's buttons go with the line that says so (pressing one would only be refused)."""
    agent.serve_everyone_waiting()
    add_agent(stack, "noor", "Noor")
    customer = customer_asks_for_a_person(page_factory(), stack)
    log = customer.get_by_test_id("balie-log")
    expect(log.get_by_role("button", name="Bel me terug")).to_be_visible()
    console = console_for(page_factory(), stack, "noor")
    try:
        expect(log).to_contain_text("Noor van de klantenservice helpt je nu verder")
        expect(log.get_by_role("button", name="Bel me terug")).to_have_count(0)
    finally:
        console.get_by_test_id("status").select_option("offline")
