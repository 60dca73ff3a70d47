"""``xiezuo users add|list|token|remove``: the server's users and their API tokens.

A token is printed once, when it is made; the database keeps only its hash. Adding,
renewing and removing are written to the audit log under the name of the person at
the terminal.
"""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.table import Table
from rich.text import Text

from xiezuo.cli._shared import console, guarded, reported, say
from xiezuo.cli.db import DatabaseOption, database_errors, database_url
from xiezuo.services import accounts, audit
from xiezuo.services.accounts import Role  # noqa: TC001 (Typer reads the annotations at run time)
from xiezuo.storage.database import make_engine, session_factory, upgrade

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.orm import Session

T = TypeVar("T")

app = typer.Typer(
    name="users",
    help="The server's users and their API tokens.",
    no_args_is_help=True,
    add_completion=False,
)

NameArg = Annotated[str, typer.Argument(help="The user's name, as the audit log shows it.")]


def _in_session(database: str | None, action: str, name: str, change: Callable[[Session], T]) -> T:
    """Run ``change(session)`` in one transaction, audited, on an up-to-date database."""
    url = database_url(database)
    with database_errors(url):
        upgrade(url)
        engine = make_engine(url)
        try:
            with session_factory(engine)() as session:
                result = guarded(lambda: change(session))
                audit.record(
                    session,
                    user=f"{getpass.getuser()} (command line)",
                    action=action,
                    subject=f"users/{name}",
                )
                session.commit()
        finally:
            engine.dispose()
    return result


def add(
    name: NameArg,
    role: Annotated[
        Role, typer.Option(help="planner: everything; plant: its plant; viewer: reads.")
    ],
    plant: Annotated[
        str | None, typer.Option(help="The plant a plant user writes for (its ID).")
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """Add a user and print their API token (shown this once only)."""
    token = _in_session(
        database, "add user", name, lambda s: accounts.add_user(s, name, role, plant)
    )
    say(f"Added {name.strip()!r}, a {role.value}", f" of plant {plant!r}" if plant else "", ".")
    say("API token (shown once; send it as 'Authorization: Bearer TOKEN'):")
    say((token, "bold"))


def token(name: NameArg, database: DatabaseOption = None) -> None:
    """Give a user a new API token; the old one stops working."""
    new = _in_session(database, "renew token", name, lambda s: accounts.new_token(s, name))
    say(f"New API token of {name!r} (shown once):")
    say((new, "bold"))


def remove(name: NameArg, database: DatabaseOption = None) -> None:
    """Remove a user; their token stops working."""
    _in_session(database, "remove user", name, lambda s: accounts.remove_user(s, name))
    say(f"Removed {name!r}.")


def list_command(database: DatabaseOption = None) -> None:
    """List the users, their roles and plants."""
    url = database_url(database)
    with database_errors(url):
        upgrade(url)
        engine = make_engine(url)
        try:
            with session_factory(engine)() as session:
                users = accounts.list_users(session)
        finally:
            engine.dispose()
    table = Table("name", "role", "plant", "added")
    for user in users:
        added = f"{user.created_at:%Y-%m-%d %H:%M}"
        table.add_row(Text(user.name), user.role, Text(user.plant_id or ""), added)
    console.print(table)


for _command, _name in ((add, "add"), (list_command, "list"), (token, "token"), (remove, "remove")):
    app.command(_name)(reported(_command))
