"""``xiezuo db upgrade``: bring the server's database to the newest schema.

Every server command takes ``--database URL`` (or ``XIEZUO_DATABASE``); without one it
uses the SQLite file ``xiezuo.db`` in the working folder. A URL that does not parse, a
database that cannot be reached and a schema newer than this xiezuo are bad input
(exit 2) with the reason, never a traceback.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer
from alembic.util.exc import CommandError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from xiezuo.cli._shared import fail, reported, say
from xiezuo.storage.database import default_url, upgrade

if TYPE_CHECKING:
    from collections.abc import Iterator

app = typer.Typer(
    name="db", help="The server's database.", no_args_is_help=True, add_completion=False
)

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        envvar="XIEZUO_DATABASE",
        show_default=False,
        help="Database URL: sqlite:///path/file.db or postgresql+psycopg://user@host/db. "
        "Default: the SQLite file xiezuo.db in the working folder.",
    ),
]


def database_url(option: str | None) -> str:
    """The URL to use: the option (or ``XIEZUO_DATABASE``), else ./xiezuo.db."""
    return option.strip() if option and option.strip() else default_url()


def shown(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


@contextmanager
def database_errors(url: str) -> Iterator[None]:
    """End the command with exit 2 and the reason if the database cannot be used."""
    try:
        yield
    except ArgumentError as exc:
        fail(
            f"{shown(url)!r} is not a database URL this xiezuo can use ({exc}); give "
            "sqlite:///file.db or postgresql+psycopg://user@host:port/database"
        )
    except CommandError as exc:
        fail(f"{shown(url)}: the database's schema is not one this xiezuo knows: {exc}")
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        fail(f"{shown(url)}: cannot use the database: {reason}")


def upgrade_command(database: DatabaseOption = None) -> None:
    """Create the database's tables, or bring them to the newest schema."""
    url = database_url(database)
    with database_errors(url):
        upgrade(url)
    say(f"{shown(url)}: the schema is up to date.")


app.command("upgrade")(reported(upgrade_command))
