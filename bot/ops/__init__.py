"""Keeping Parlons running: health checks, metrics, the webhooks' body limit, secrets out of
the logs, and the purge after the consultation."""
