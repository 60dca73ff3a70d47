"""Networks: list, import (create), read, export, replace and delete a whole scenario.

A network's version is its ETag (``"3"``): replacing or deleting it needs
``If-Match`` with the version read, so two planners never overwrite each other. Its
settings (the scenario's ``network`` section) are read and changed on their own at
``/networks/{key}/settings``, with an ETag of their content like an entity's.
"""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, HTTPException, Query, Response, status
from pydantic import BaseModel, Field

from xiezuo.api.deps import (
    PRINTABLE,
    WRITE_ERRORS,
    CurrentUser,
    Instant,
    NetworkDep,
    PageDep,
    Planner,
    Reason,
    SessionDep,
)
from xiezuo.io.scenario_data import dump_scenario
from xiezuo.services import networks
from xiezuo.storage.models import NetworkRow

router = APIRouter(tags=["networks"], responses=WRITE_ERRORS)


class NetworkCreate(BaseModel):
    """A new network: its key in URLs and its scenario in the scenario file's form."""

    key: str = Field(min_length=1, max_length=100, examples=["chongqing-1958"])
    name: str | None = Field(default=None, max_length=300, pattern=PRINTABLE)
    """A title; the scenario's ``network.name`` when left out."""
    scenario: dict[str, Any]
    """The scenario file's data (``docs/scenario-format.md``), as JSON."""
    reason: str = Field(default="", max_length=2000, pattern=PRINTABLE)


class NetworkRead(BaseModel):
    """A network's summary: what it is called, its version and plan in force."""

    key: str
    name: str
    version: int
    created_at: Instant
    updated_at: Instant
    current_plan: int | None
    """Number of the plan version in force, if any."""
    plants: int
    items: int
    orders: int


class NetworkPage(BaseModel):
    items: list[NetworkRead]
    total: int


def network_read(row: NetworkRow) -> NetworkRead:
    spec = row.spec
    return NetworkRead(
        key=row.key,
        name=row.name,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        current_plan=row.current_plan,
        plants=len(spec.get("plants", [])),
        items=len(spec.get("items", [])),
        orders=len(spec.get("orders", [])),
    )


def expected_version(if_match: str | None, row: NetworkRow) -> int:
    """The network version an ``If-Match`` header names (428 without one, 409 if not a number);
    ``*`` means whatever version is stored."""
    if if_match is None:
        raise HTTPException(
            status.HTTP_428_PRECONDITION_REQUIRED,
            f'send If-Match with the network\'s version (its ETag, now "{row.version}")',
        )
    text = if_match.strip().removeprefix("W/").strip('"')
    if text == "*":
        return row.version
    if not text.isdecimal() or len(text) > 18:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f'If-Match {if_match[:40]!r} is not this network\'s version ("{row.version}")',
        )
    return int(text)


IfMatch = Annotated[str | None, Header(description="The ETag read last.")]


@router.get("/networks")
def list_networks(session: SessionDep, _user: CurrentUser, page: PageDep) -> NetworkPage:
    """Every network the server keeps, by key."""
    rows, total = networks.list_networks(session, limit=page.limit, offset=page.offset)
    return NetworkPage(items=[network_read(row) for row in rows], total=total)


@router.post("/networks", status_code=status.HTTP_201_CREATED)
def create_network(
    body: NetworkCreate, session: SessionDep, user: Planner, response: Response
) -> NetworkRead:
    """Import a scenario as a new network (planners only); 409 if the key is taken."""
    row = networks.create_network(
        session,
        body.key,
        body.scenario,
        user=user.name,
        name=body.name,
        reason=body.reason,
        action="import",
    )
    response.headers["Location"] = f"/networks/{row.key}"
    response.headers["ETag"] = f'"{row.version}"'
    return network_read(row)


@router.get("/networks/{key}")
def read_network(row: NetworkDep, response: Response) -> NetworkRead:
    """A network's summary; its ETag is its version."""
    response.headers["ETag"] = f'"{row.version}"'
    return network_read(row)


@router.get(
    "/networks/{key}/scenario",
    responses={200: {"content": {"application/yaml": {}}}},
)
def export_scenario(
    row: NetworkDep,
    fmt: Annotated[Literal["json", "yaml"], Query(alias="format")] = "json",
) -> Response:
    """The network as a scenario file (JSON, or YAML with ``?format=yaml``)."""
    headers = {"ETag": f'"{row.version}"'}
    if fmt == "yaml":
        headers["Content-Disposition"] = f'attachment; filename="{row.key}.yaml"'
        return Response(
            dump_scenario(row.spec, "yaml"), media_type="application/yaml", headers=headers
        )
    return Response(dump_scenario(row.spec, "json"), media_type="application/json", headers=headers)


@router.put("/networks/{key}/scenario")
def replace_scenario(
    row: NetworkDep,
    scenario: dict[str, Any],
    session: SessionDep,
    user: Planner,
    response: Response,
    if_match: IfMatch = None,
    reason: Reason = "",
) -> NetworkRead:
    """Replace the whole scenario (planners only), checked as a scenario file is."""
    networks.replace_scenario(
        session,
        row,
        scenario,
        expected_version=expected_version(if_match, row),
        user=user.name,
        reason=reason,
    )
    response.headers["ETag"] = f'"{row.version}"'
    return network_read(row)


@router.delete("/networks/{key}", status_code=status.HTTP_204_NO_CONTENT)
def delete_network(
    row: NetworkDep,
    session: SessionDep,
    user: Planner,
    if_match: IfMatch = None,
    reason: Reason = "",
) -> None:
    """Delete a network with its plans, jobs and reports (planners only)."""
    networks.delete_network(
        session,
        row,
        expected_version=expected_version(if_match, row),
        user=user.name,
        reason=reason,
    )


def _settings_tag(if_match: str | None) -> str:
    if if_match is None:
        raise HTTPException(
            status.HTTP_428_PRECONDITION_REQUIRED,
            "send If-Match with the ETag of the settings as you read them",
        )
    return if_match


@router.get("/networks/{key}/settings")
def read_settings(row: NetworkDep, response: Response) -> dict[str, Any]:
    """The network's own settings (the scenario's ``network`` section: name, horizon
    start, time zone, calendar), with their ETag."""
    settings = networks.get_settings(row)
    response.headers["ETag"] = f'"{networks.etag(settings)}"'
    return settings


@router.put("/networks/{key}/settings")
def replace_settings(
    row: NetworkDep,
    settings: dict[str, Any],
    session: SessionDep,
    user: Planner,
    response: Response,
    if_match: IfMatch = None,
    reason: Reason = "",
) -> dict[str, Any]:
    """Replace the settings (planners only); ``If-Match`` with their ETag."""
    after = networks.replace_settings(
        session, row, settings, if_match=_settings_tag(if_match), user=user.name, reason=reason
    )
    response.headers["ETag"] = f'"{networks.etag(after)}"'
    return after


@router.patch("/networks/{key}/settings")
def patch_settings(
    row: NetworkDep,
    patch: dict[str, Any],
    session: SessionDep,
    user: Planner,
    response: Response,
    if_match: IfMatch = None,
    reason: Reason = "",
) -> dict[str, Any]:
    """Change some settings (a JSON merge patch; planners only); ``If-Match`` with their ETag."""
    after = networks.patch_settings(
        session, row, patch, if_match=_settings_tag(if_match), user=user.name, reason=reason
    )
    response.headers["ETag"] = f'"{networks.etag(after)}"'
    return after
