"""Messages we start: senders per channel, the send-once ledger, broadcasts, idea notices,
and the delivery receipts Twilio sends back."""
