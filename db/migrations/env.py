"""Alembic environment: batch mode for SQLite, the models' metadata for autogenerate.

The app passes an open connection in ``config.attributes["connection"]``; the
command line (``alembic -c db/alembic.ini``) falls back to the URL in the ini file.
"""

from alembic import context
from sqlalchemy import engine_from_config, pool

from app.core.models import Base

config = context.config
target_metadata = Base.metadata


def run_with(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_with(connection)
else:
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as conn:
        run_with(conn)
