"""Users and their API tokens: planners, plant users and viewers.

A token is shown once, when the user is added; only its SHA-256 hash is stored, so a
stolen database does not give away access.
"""

from __future__ import annotations

import hashlib
import secrets
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import select

from xiezuo.errors import InputError, NotFoundError
from xiezuo.storage.models import UserRow

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.orm import Session


class Role(StrEnum):
    PLANNER = "planner"  # everything
    PLANT = "plant"  # reads all; writes machines, staff, stock and progress of its plant
    VIEWER = "viewer"  # reads only


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_user(session: Session, name: str, role: Role, plant_id: str | None = None) -> str:
    """Add a user and return their new token (the only time it is seen)."""
    name = name.strip()
    if not name or len(name) > 100:
        raise InputError("users", "name", "a user name is 1 to 100 characters")
    if role is Role.PLANT and not plant_id:
        raise InputError("users", "plant", "a plant user needs the plant they write for")
    if role is not Role.PLANT and plant_id:
        raise InputError("users", "plant", f"a {role.value} is not tied to a plant")
    if session.scalar(select(UserRow).where(UserRow.name == name)) is not None:
        raise InputError("users", "name", f"there is already a user {name!r}")
    token = secrets.token_urlsafe(32)
    session.add(
        UserRow(name=name, role=role.value, plant_id=plant_id, token_hash=hash_token(token))
    )
    return token


def user_by_token(session: Session, token: str) -> UserRow | None:
    return session.scalar(select(UserRow).where(UserRow.token_hash == hash_token(token)))


def list_users(session: Session) -> Sequence[UserRow]:
    """Every user, by name."""
    return session.scalars(select(UserRow).order_by(UserRow.name)).all()


def new_token(session: Session, name: str) -> str:
    """Give user ``name`` a new token and return it; the old one stops working at once.

    Raises
    ------
    NotFoundError
        There is no such user.
    """
    user = session.scalar(select(UserRow).where(UserRow.name == name))
    if user is None:
        raise NotFoundError(f"there is no user {name!r}")
    token = secrets.token_urlsafe(32)
    user.token_hash = hash_token(token)
    return token


def remove_user(session: Session, name: str) -> None:
    """Remove user ``name``; their token stops working at once.

    Raises
    ------
    NotFoundError
        There is no such user.
    """
    user = session.scalar(select(UserRow).where(UserRow.name == name))
    if user is None:
        raise NotFoundError(f"there is no user {name!r}")
    session.delete(user)
