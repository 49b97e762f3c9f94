"""Who a logged-in customer is, as the shop says it: a token signed with a secret that the shop and Balie
share (HMAC-SHA256 over the customer id, e-mail address and expiry), the way Chatwoot and Intercom
verify identity. The shop makes the token on its server and puts it on the page; Balie only trusts a
token whose signature matches and that has not expired. Anything else is ignored (and logged)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass

logger = logging.getLogger(__name__)
VERSION = "v1"


@dataclass(frozen=True)
class Customer:
    id: str
    email: str
    name: str | None = None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign(customer: Customer, secret: str, *, expires: int | None = None, ttl: int = 3600) -> str:
    """What the shop does on its server (see README): v1.<payload>.<signature>."""
    payload = _b64(json.dumps({"id": customer.id, "email": customer.email, "name": customer.name,
                               "exp": expires if expires is not None else int(time.time()) + ttl},
                              separators=(",", ":")).encode())
    signature = hmac.new(secret.encode(), f"{VERSION}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"{VERSION}.{payload}.{signature}"


def verify(token: str | None, secret: str, *, now: float | None = None) -> Customer | None:
    """The customer the token names, or None: no secret configured, malformed, tampered or expired."""
    if not token or not secret or len(token) > 2000:
        return None
    try:
        version, payload, signature = token.split(".")
        expected = hmac.new(secret.encode(), f"{version}.{payload}".encode(), hashlib.sha256).hexdigest()
        if version != VERSION or not hmac.compare_digest(expected, signature):
            logger.warning("customer identity ignored: the signature does not match")
            return None
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        if float(data["exp"]) < (now if now is not None else time.time()):
            logger.warning("customer identity ignored: the token has expired")
            return None
        if not isinstance(data.get("id"), str) or not isinstance(data.get("email"), str):
            raise ValueError("id and email must be text")
        return Customer(id=data["id"][:64], email=data["email"][:254], name=(data.get("name") or None))
    except (ValueError, KeyError, TypeError) as exc:
        logger.warning("customer identity ignored: %s", exc.__class__.__name__)
        return None
