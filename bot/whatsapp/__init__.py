"""WhatsApp on the runtime: the webhook's answer (buttons by the Content API or text), voice
notes measured before the turn, and the Content API's buttons created once."""
