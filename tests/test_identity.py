"""The shop's signed token for a logged-in customer: trusted only when its signature matches and it has
not expired; anything else is ignored with a log line."""
from __future__ import annotations

import logging
import time

import pytest

from bot import identity
from bot.identity import Customer

SECRET = "gedeeld-geheim-van-winkel-en-balie"
EVA = Customer("K-1001", "eva.de.vries@example.nl", "Eva de Vries")


def test_a_token_signed_with_the_shared_secret_names_the_customer():
    assert identity.verify(identity.sign(EVA, SECRET), SECRET) == EVA


@pytest.mark.parametrize("spoil", [
    lambda t: t[:-1] + ("0" if t[-1] != "0" else "1"),  # signature changed
    lambda t: "v1." + identity._b64(b'{"id":"K-9999","email":"x@y.nl","exp":9999999999}') + "." + t.split(".")[2],
    lambda t: "v2" + t[2:],  # another version
    lambda t: t.replace(".", "", 1),  # malformed
    lambda t: "",
    lambda t: "x" * 5000,
], ids=["signature", "payload swapped", "version", "malformed", "empty", "huge"])
def test_a_tampered_or_malformed_token_is_ignored_and_logged(spoil, caplog):
    caplog.set_level(logging.WARNING, logger="bot.identity")
    token = spoil(identity.sign(EVA, SECRET))
    assert identity.verify(token, SECRET) is None
    if token and len(token) <= 2000:
        assert "customer identity ignored" in caplog.text


def test_an_expired_token_or_another_secret_is_not_trusted(caplog):
    caplog.set_level(logging.WARNING, logger="bot.identity")
    expired = identity.sign(EVA, SECRET, expires=int(time.time()) - 60)
    assert identity.verify(expired, SECRET) is None
    assert "expired" in caplog.text
    assert identity.verify(identity.sign(EVA, "een ander geheim"), SECRET) is None
    assert identity.verify(identity.sign(EVA, SECRET), "") is None  # no secret configured: nobody is trusted


def test_the_log_line_of_an_ignored_token_names_no_customer(caplog):
    caplog.set_level(logging.WARNING, logger="bot.identity")
    identity.verify(identity.sign(EVA, "fout"), SECRET)
    assert "eva" not in caplog.text.lower() and "K-1001" not in caplog.text
