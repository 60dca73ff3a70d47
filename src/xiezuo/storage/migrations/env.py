"""Alembic's entry point: runs the migrations against the URL in the config."""

from __future__ import annotations

from alembic import context

from xiezuo.storage.database import make_engine
from xiezuo.storage.models import Base

config = context.config
url = config.get_main_option("sqlalchemy.url")
assert url is not None, "xiezuo.storage.database.alembic_config sets the URL"
engine = make_engine(url)
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=url.startswith("sqlite"),  # SQLite alters tables by copying them
    )
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
