"""Alembic environment: always run from code with a connection handed in (see migrations_runner)."""

from alembic import context

from fieldapp.db.migrations_runner import include_name
from fieldapp.db.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection, target_metadata=Base.metadata, render_as_batch=True, include_name=include_name
)
with context.begin_transaction():
    context.run_migrations()
