"""`GET /metrics` counts each webhook's latency by channel, and nothing else's."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.conftest import Phone


def webhook_count(client: TestClient, channel: str) -> float:
    text = client.get("/metrics").text
    found = re.search(rf'^parlons_webhook_seconds_count{{channel="{channel}"}} (\S+)$', text, re.M)
    return float(found.group(1)) if found else 0.0


def test_an_sms_webhook_is_timed_and_other_routes_are_not(client: TestClient) -> None:
    before = webhook_count(client, "twilio/sms")
    Phone(client, "+33639980199").send("Bonjour")
    client.get("/healthz")
    assert webhook_count(client, "twilio/sms") == before + 1
    assert "/healthz" not in client.get("/metrics").text
