"""Log lines without personal data: every log record made in a Balie process (desk, action server, Rasa
with Balie's channel, the `bot` command) has e-mail addresses, phone numbers, postcodes, IBANs and
introduced names masked before any handler sees it (AVG: logs are kept and shipped elsewhere). What was
filled into a line (a username someone typed) cannot start a line of its own: its control characters
are written as escapes, so nobody forges a log record."""
from __future__ import annotations

import logging
import re

from bot.privacy import mask

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _escaped(value):
    if isinstance(value, str) and _CONTROL.search(value):
        return _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode(), value)
    return value


def install() -> None:
    """Idempotent: wraps the process's log record factory once."""
    make_record = logging.getLogRecordFactory()
    if getattr(make_record, "balie_masks", False):
        return

    def masked_record(*args, **kwargs) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        if isinstance(record.args, tuple):
            record.args = tuple(_escaped(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _escaped(v) for k, v in record.args.items()}
        try:
            text = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format stays the logging module's business
            return record
        clean = mask(text)
        if clean != text:
            record.msg, record.args = clean, None
        return record

    masked_record.balie_masks = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(masked_record)
