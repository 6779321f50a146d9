from alembic import context

from api.db import run_migrations
from bot.records.models import BotBase

# The bot's tables share the database with the API's but keep their own migration history.
run_migrations(context, BotBase.metadata, version_table="bot_alembic_version")
