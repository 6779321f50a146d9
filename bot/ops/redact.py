"""Secrets never reach a log line: every record is checked as it is made.

Libraries log what they were given: httpx logs each request's URL, and the Telegram Bot API
puts the bot's token in the URL; an exception's message may quote a URL or a header too. A
record factory sees every record of every logger, whatever handlers are configured later.
"""

from __future__ import annotations

import logging
import traceback

MASK = "[secret]"
_secrets: set[str] = set()
_base_factory = logging.getLogRecordFactory()


def _redact(text: str) -> str:
    for value in _secrets:
        text = text.replace(value, MASK)
    return text


def _record(*args: object, **kwargs: object) -> logging.LogRecord:
    record = _base_factory(*args, **kwargs)
    message = record.getMessage()
    if any(value in message for value in _secrets):
        record.msg, record.args = _redact(message), ()
    if record.exc_info and record.exc_info[1] is not None:
        # Formatters print exc_text when it is set: set it, redacted.
        record.exc_text = _redact("".join(traceback.format_exception(*record.exc_info)).rstrip())
    return record


def redact_secrets(*values: str | None) -> None:
    """Mask these values in every log record from now on (short ones would mask words)."""
    _secrets.update(v for v in values if v and len(v) >= 8)
    if logging.getLogRecordFactory() is not _record:
        logging.setLogRecordFactory(_record)
