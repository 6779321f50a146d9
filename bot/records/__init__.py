"""The bot's own tables (what must outlive a session and never goes to the API): opt-outs,
contacts, social centres, open questions, their models and migrations."""
