"""Dependencies every router shares: a database session per request, the user, rights.

The session commits when the route returns, *before* the response is sent (scope
``function``), so a client that gets a 2xx knows its write is stored; a route that
raises leaves nothing behind. Users authenticate with ``Authorization: Bearer TOKEN``:
no or an unknown token is 401, a role or plant without the right is 403.
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Query, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import AfterValidator, BaseModel
from sqlalchemy.orm import Session, sessionmaker

from xiezuo.services import networks
from xiezuo.services.accounts import Role, user_by_token
from xiezuo.storage.models import NetworkRow, UserRow

MAX_PAGE = 500


class Detail(BaseModel):
    """An error: what is wrong and what to do, as a sentence."""

    detail: str


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Detail, "description": "A body that cannot be read (not UTF-8 JSON text)."},
    401: {"model": Detail, "description": "No token, or one nobody has."},
    403: {"model": Detail, "description": "The user's role or plant may not do this."},
    404: {"model": Detail, "description": "No such network, entity, plan or job."},
    409: {"model": Detail, "description": "A stale If-Match, a name taken, a reference left."},
}
"""The error answers of every route that needs a token, for the OpenAPI document."""
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Detail, "description": "A body that cannot be read (not UTF-8 JSON text)."},
    **ERRORS,
    428: {"model": Detail, "description": "A change without If-Match."},
}


def _in_utc(instant: datetime) -> datetime:
    # SQLite hands back the stored UTC instants without their zone.
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant


Instant = Annotated[datetime, AfterValidator(_in_utc)]
"""A stored instant in responses: always with its zone (RFC 3339), on SQLite too."""
PRINTABLE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
"""Text without control characters (tab and newlines pass): PostgreSQL refuses NUL."""


def get_session(request: Request) -> Iterator[Session]:
    """A session for one request, committed when the route returns without an error."""
    sessions: sessionmaker[Session] = request.app.state.sessions
    with sessions() as session:
        yield session
        session.commit()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


_bearer = HTTPBearer(
    auto_error=False,  # our own 401s say what to send
    description="The API token `xiezuo users add` printed, as `Authorization: Bearer TOKEN`.",
)


def current_user(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> UserRow:
    """The user whose token the request carries.

    Raises
    ------
    HTTPException
        401 when there is no ``Authorization: Bearer`` token or nobody has it.
    """
    token = credentials.credentials if credentials is not None else ""
    if not token.strip():
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "send your API token as 'Authorization: Bearer TOKEN'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    user = user_by_token(session, token.strip())
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "the API token is unknown; ask a planner for a valid one",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


CurrentUser = Annotated[UserRow, Depends(current_user)]


def require_role(*roles: Role) -> object:
    """A dependency that passes the current user on only if their role is one of ``roles``."""
    allowed = {role.value for role in roles}

    def check(user: CurrentUser) -> UserRow:
        if user.role not in allowed:
            names = " or ".join(sorted(allowed))
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"only a {names} may do this; you are a {user.role}",
            )
        return user

    return Depends(check)


Planner = Annotated[UserRow, require_role(Role.PLANNER)]
"""A planner: may change everything."""
Writer = Annotated[UserRow, require_role(Role.PLANNER, Role.PLANT)]
"""A planner or a plant user; plant users still need :func:`check_plant` per entity."""


def check_plant(user: UserRow, plant: str | None, what: str) -> None:
    """Refuse (403) a plant user writing ``what`` of a plant not theirs; planners pass.

    ``plant`` is ``None`` for what belongs to no plant (orders, items), which only
    planners write.
    """
    if user.role == Role.PLANNER.value:
        return
    if user.role != Role.PLANT.value:
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"a {user.role} may not write {what}")
    if plant is None:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"{what} belongs to the whole network: only a planner may change it",
        )
    if plant != user.plant_id:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"{what} belongs to plant {plant!r}; you write for plant {user.plant_id!r} only",
        )


def get_network_row(key: str, session: SessionDep, _user: CurrentUser) -> NetworkRow:
    """The network named in the URL, for any signed-in user (404 if there is none)."""
    return networks.get_network(session, key)


NetworkDep = Annotated[NetworkRow, Depends(get_network_row)]


class Page:
    """``?limit=&offset=`` of a list; lists answer ``{"items": [...], "total": n}``."""

    def __init__(
        self,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
        offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
    ) -> None:
        self.limit = limit
        self.offset = offset


PageDep = Annotated[Page, Depends()]
Reason = Annotated[
    str,
    Query(
        max_length=2000,
        pattern=PRINTABLE,
        description="Why the change is made, for the audit log.",
    ),
]
