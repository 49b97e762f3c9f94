"""Log lines without personal data: every log record made in a Balie process (desk, action server, Rasa
with Balie's channel, the `bot` command) has e-mail addresses, phone numbers, postcodes, IBANs and
introduced names masked before any handler sees it (AVG: logs are kept and shipped elsewhere)."""
from __future__ import annotations

import logging

from bot.privacy import mask


def install() -> None:
    """Idempotent: wraps the process's log record factory once."""
    make_record = logging.getLogRecordFactory()
    if getattr(make_record, "balie_masks", False):
        return

    def masked_record(*args, **kwargs) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
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
