"""One message, one turn: the runtime and what it does around the dialog (identity, abuse
limits, re-deliveries, the first text's language, messages held during a fault)."""
