"""What the desk channel returns about a message: intent, confidence and, for FAQ, the chosen answer key. The
channel parses the message once and hands that parse to Rasa with the message, so the result the desk
stores is the one the dialogue ran on, and it never travels to another conversation."""
from __future__ import annotations

import asyncio

from bot.nlu_result import nlu_of
from bot.rasa.channel import DeskInput


def test_faq_messages_carry_the_selected_answer_and_its_confidence():
    parsed = {"intent": {"name": "faq", "confidence": 0.99871},
              "response_selector": {"faq": {"response": {"intent_response_key": "faq/shipping_costs", "confidence": 0.4231}}}}
    assert nlu_of(parsed) == {"intent": "faq", "confidence": 0.9987, "response_key": "faq/shipping_costs",
                              "response_confidence": 0.4231}
    assert nlu_of({"intent": {"name": "order_status", "confidence": 0.7}}) == {"intent": "order_status", "confidence": 0.7}


class Agent:
    """Rasa's agent as the channel uses it: parse_message. Parsing takes a while, so turns interleave."""

    def __init__(self) -> None:
        self.parsed: list[str] = []

    async def parse_message(self, text: str) -> dict:
        self.parsed.append(text)
        await asyncio.sleep(0.01 if text == "slow" else 0)
        return {"text": text, "intent": {"name": "greet" if text == "slow" else "order_status", "confidence": 0.9}}


def test_rasa_gets_the_parse_the_desk_gets_and_two_conversations_never_swap_them():
    agent, seen = Agent(), {}

    async def rasa(message) -> None:  # what Rasa's processor does with a message that carries its parse
        seen[message.sender_id] = message.parse_data
        message.output_channel.messages.append({"recipient_id": message.sender_id, "text": "antwoord"})

    async def both():
        channel = DeskInput()
        return await asyncio.gather(channel.turn(agent, rasa, sender_id="a", text="slow", metadata=None),
                                    channel.turn(agent, rasa, sender_id="b", text="fast", metadata=None))

    (status_a, body_a), (status_b, body_b) = asyncio.run(both())
    assert status_a == status_b == 200 and sorted(agent.parsed) == ["fast", "slow"]  # one NLU pass each
    assert body_a["nlu"]["intent"] == "greet" == seen["a"]["intent"]["name"]
    assert body_b["nlu"]["intent"] == "order_status" == seen["b"]["intent"]["name"]
    assert body_a["messages"] == [{"recipient_id": "a", "text": "antwoord"}]


def test_a_turn_rasa_could_not_finish_is_reported_to_the_desk():
    async def failing(message) -> None:
        raise RuntimeError("lock store away")

    status, body = asyncio.run(DeskInput().turn(Agent(), failing, sender_id="a", text="hoi", metadata=None))
    assert status == 500 and "lock store away" in body["error"]
