"""What the desk signs for the bot's processes, with the secret they share (RASA_TOKEN): every turn it
sends to Rasa's desk channel (HMAC-SHA256 over time and body), and who a logged-in customer is (over the
conversation and the shop's customer id, checked by the action server). Rasa and the action server then
act only on what the desk sent, whoever else reaches their ports.

Each use has its own key derived from the secret, so a signature made for one cannot pass for the other.
"""
from __future__ import annotations

import hashlib
import hmac
import time
from typing import Mapping

TIMESTAMP_HEADER = "X-Balie-Timestamp"
SIGNATURE_HEADER = "X-Balie-Signature"
MAX_SKEW_SECONDS = 300  # a signed turn older (or newer) than this is refused: a replay gets nowhere


def _key(secret: str, purpose: str) -> bytes:
    return hmac.new(secret.encode(), f"balie:{purpose}:v1".encode(), hashlib.sha256).digest()


def _mac(secret: str, purpose: str, data: bytes) -> str:
    return hmac.new(_key(secret, purpose), data, hashlib.sha256).hexdigest()


def sign_body(secret: str, body: bytes, *, now: float | None = None) -> dict[str, str]:
    """The headers that go with a request body the desk sends to Rasa's desk channel."""
    stamp = str(int(now if now is not None else time.time()))
    return {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: _mac(secret, "turn", stamp.encode() + b"." + body)}


def body_signed(secret: str, body: bytes, headers: Mapping[str, str], *, now: float | None = None) -> bool:
    """Whether the desk sent this body, recently. No secret configured: nothing is trusted."""
    stamp, signature = headers.get(TIMESTAMP_HEADER, ""), headers.get(SIGNATURE_HEADER, "")
    if not secret or not stamp.isdigit() or not signature:
        return False
    if abs((now if now is not None else time.time()) - int(stamp)) > MAX_SKEW_SECONDS:
        return False
    return hmac.compare_digest(_mac(secret, "turn", stamp.encode() + b"." + body), signature)


def sign_customer(secret: str, *, conversation_id: str, customer_id: str) -> str:
    return _mac(secret, "customer", f"{conversation_id}\x1f{customer_id}".encode())


def customer_signed(secret: str, *, conversation_id: str, customer_id: str, signature: object) -> bool:
    """Whether the desk vouched for this customer in this conversation (not copied from another one)."""
    if not secret or not isinstance(signature, str):
        return False
    return hmac.compare_digest(sign_customer(secret, conversation_id=conversation_id, customer_id=customer_id),
                               signature)
