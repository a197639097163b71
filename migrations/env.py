"""Alembic environment: the models' metadata, batch mode on SQLite for ALTER TABLE."""

from alembic import context
from sqlalchemy import create_engine

import core.models  # noqa: F401  (registers every table on the metadata)
from core.db import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    engine = create_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
