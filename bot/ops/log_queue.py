"""The server's log lines written by a thread of their own: a turn queues its line and goes
on, the write to stderr happens beside it (logging's QueueHandler and QueueListener)."""

from __future__ import annotations

import atexit
import logging
import queue
from logging.handlers import QueueHandler, QueueListener


def log_in_background() -> None:
    root = logging.getLogger()
    handlers = [h for h in root.handlers if not isinstance(h, QueueHandler)]
    if not handlers:
        return
    lines: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    listener = QueueListener(lines, *handlers, respect_handler_level=True)
    root.handlers = [QueueHandler(lines)]
    listener.start()
    atexit.register(listener.stop)  # what is queued is written before the process ends
