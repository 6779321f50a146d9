from alembic import context

from api.db import run_migrations
from api.models import Base

run_migrations(context, Base.metadata, version_table="alembic_version")
