"""Telegram on the runtime: updates in, answers out, and a mediator's shared tablet."""
