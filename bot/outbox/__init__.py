"""The outbox (Redis mode): the API writes a turn queues, and the worker that posts them."""
