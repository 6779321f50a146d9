"""The `parlons` subcommands, one module each: `add_parser` declares its arguments (and
`run` as what to do), `run(args, settings)` does it. Only bot/cli.py imports them."""

from __future__ import annotations

from bot.commands import (
    broadcast,
    centre,
    chat,
    demo,
    export,
    import_,
    mediator,
    notices,
    outbox,
    purge,
    report,
    serve,
    telegram_webhook,
    whatsapp_content,
    worker,
)

# In the order `parlons --help` lists them.
COMMANDS = (
    serve,
    chat,
    broadcast,
    import_,
    export,
    report,
    demo,
    worker,
    outbox,
    notices,
    centre,
    mediator,
    purge,
    telegram_webhook,
    whatsapp_content,
)
