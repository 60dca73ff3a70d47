"""Storage for the shared server: SQLAlchemy 2 rows, sessions, and Alembic migrations.

SQLite (one file, WAL mode) by default; PostgreSQL for shared use. The schema is owned
by the migrations in ``migrations/``: :func:`~xiezuo.storage.database.upgrade` brings
any database to the head revision.
"""
