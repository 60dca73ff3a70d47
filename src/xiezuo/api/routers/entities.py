"""Entities inside a network, each in the scenario file's form, with an ETag.

Paths (``{key}`` is the network):

- ``/networks/{key}/{collection}`` and ``.../{collection}/{id}`` for ``plants``,
  ``items``, ``orders``, ``materials`` (by ID), ``processes``, ``regions``, ``skills``
  (plain names, shown as ``{"id": name}``) and ``supplies``, ``secondments``,
  ``trainings``, ``lanes`` (by 0-based position);
- ``/networks/{key}/plants/{plant}/machines`` and ``.../machines/{id}``;
- ``/networks/{key}/stock/{plant}/{entry}`` (``entry`` the material) and
  ``/networks/{key}/staffing/{plant}/{entry}`` (``entry`` the skill).

``GET`` answers the entity and its ``ETag``; ``PUT``, ``PATCH`` (a JSON merge patch) and
``DELETE`` need ``If-Match`` with it (428 without, 409 when someone changed it since);
``POST`` to the collection creates one (409 if the key is taken). Every write takes
``?reason=`` for the audit log and checks the whole network as a scenario file is
checked: a broken field or reference is a 422 naming it, a delete that would leave a
reference dangling a 409 saying which. Planners write everything; a plant user writes
machines, stock, staffing, supplies, secondments and trainings of their own plant (403
otherwise); viewers read only.
"""

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Body, Header, HTTPException, Path, Response, status

from xiezuo.api.deps import (
    WRITE_ERRORS,
    NetworkDep,
    PageDep,
    Reason,
    SessionDep,
    Writer,
    check_plant,
)
from xiezuo.services import networks
from xiezuo.services.networks import EntityRef
from xiezuo.storage.models import NetworkRow, UserRow

router = APIRouter(tags=["entities"], responses=WRITE_ERRORS)

Entry = Annotated[str, Path(description="The material (stock) or skill (staffing).")]
IfMatch = Annotated[str | None, Header(description="The entity's ETag, as read last.")]
EntityBody = Annotated[dict[str, Any], Body(description="The entity in the scenario file's form.")]
_BY_ID = ("plants", "items", "orders", "materials", "processes", "regions", "skills")
_BY_POSITION = ("supplies", "secondments", "trainings", "lanes")
_PAIRS = {"stock": "material", "staffing": "skill"}


def _tag(response: Response, entity: Any) -> Any:
    response.headers["ETag"] = f'"{networks.etag(entity)}"'
    return entity


def _if_match(if_match: str | None, ref: EntityRef) -> str:
    if if_match is None:
        raise HTTPException(
            status.HTTP_428_PRECONDITION_REQUIRED,
            f"send If-Match with the ETag of {ref.subject} as you read it",
        )
    return if_match


def _may_write(user: UserRow, ref: EntityRef, *entities: Any) -> None:
    """403 unless the user may write the entity as it is and as it would be."""
    if ref.collection not in networks.PLANT_COLLECTIONS:
        check_plant(user, None, ref.subject)
    for entity in entities:
        check_plant(user, networks.entity_plant(ref, entity), ref.subject)


def _page(items: list[Any], page: Any) -> dict[str, Any]:
    return {"items": items[page.offset : page.offset + page.limit], "total": len(items)}


def _url(row: NetworkRow, ref: EntityRef) -> str:
    """The entity's URL, each name percent-encoded (an order number may hold a slash)."""
    parent = f"plants/{quote(ref.plant, safe='')}/" if ref.plant is not None else ""
    names = "/".join(quote(name, safe="") for name in ref.key)
    return f"/networks/{row.key}/{parent}{ref.collection}/{names}"


def _read(row: NetworkRow, ref: EntityRef, response: Response) -> Any:
    return _tag(response, networks.get_entity(row, ref))


def _create(
    session: Any,
    row: NetworkRow,
    user: UserRow,
    name: str,
    body: Any,
    plant: str | None,
    reason: str,
    response: Response,
) -> Any:
    probe = EntityRef(name, ("",), plant)
    _may_write(user, probe, body)
    ref, entity = networks.create_entity(
        session, row, name, body, user=user.name, plant=plant, reason=reason
    )
    response.status_code = status.HTTP_201_CREATED
    response.headers["Location"] = _url(row, ref)
    return _tag(response, entity)


def _replace(
    session: Any,
    row: NetworkRow,
    user: UserRow,
    ref: EntityRef,
    body: Any,
    if_match: str | None,
    reason: str,
    response: Response,
) -> Any:
    _may_write(user, ref, networks.get_entity(row, ref), body)
    entity = networks.replace_entity(
        session, row, ref, body, if_match=_if_match(if_match, ref), user=user.name, reason=reason
    )
    return _tag(response, entity)


def _patch(
    session: Any,
    row: NetworkRow,
    user: UserRow,
    ref: EntityRef,
    body: Any,
    if_match: str | None,
    reason: str,
    response: Response,
) -> Any:
    current = networks.get_entity(row, ref)
    _may_write(user, ref, current, {**current, **body} if isinstance(current, dict) else current)
    entity = networks.patch_entity(
        session, row, ref, body, if_match=_if_match(if_match, ref), user=user.name, reason=reason
    )
    return _tag(response, entity)


def _delete(
    session: Any, row: NetworkRow, user: UserRow, ref: EntityRef, if_match: str | None, reason: str
) -> Response:
    _may_write(user, ref, networks.get_entity(row, ref))
    networks.delete_entity(
        session, row, ref, if_match=_if_match(if_match, ref), user=user.name, reason=reason
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _single_key_routes(name: str) -> None:
    """Routes of a collection whose entities have one key: an ID, a name or a position."""
    base = f"/networks/{{key}}/{name}"
    one = f"{base}/{{entity_id:path}}"  # an order number may hold a slash: ORD/2024/17
    what = "position (0-based)" if name in _BY_POSITION else "ID"

    def ref(entity_id: str) -> EntityRef:
        return EntityRef(name, (entity_id,))

    def list_all(row: NetworkDep, page: PageDep) -> dict[str, Any]:
        return _page(networks.list_entities(row, name), page)

    def read(row: NetworkDep, entity_id: str, response: Response) -> Any:
        return _read(row, ref(entity_id), response)

    def create(
        row: NetworkDep,
        body: EntityBody,
        session: SessionDep,
        user: Writer,
        response: Response,
        reason: Reason = "",
    ) -> Any:
        return _create(session, row, user, name, body, None, reason, response)

    def replace(
        row: NetworkDep,
        entity_id: str,
        body: EntityBody,
        session: SessionDep,
        user: Writer,
        response: Response,
        if_match: IfMatch = None,
        reason: Reason = "",
    ) -> Any:
        return _replace(session, row, user, ref(entity_id), body, if_match, reason, response)

    def patch(
        row: NetworkDep,
        entity_id: str,
        body: EntityBody,
        session: SessionDep,
        user: Writer,
        response: Response,
        if_match: IfMatch = None,
        reason: Reason = "",
    ) -> Any:
        return _patch(session, row, user, ref(entity_id), body, if_match, reason, response)

    def delete(
        row: NetworkDep,
        entity_id: str,
        session: SessionDep,
        user: Writer,
        if_match: IfMatch = None,
        reason: Reason = "",
    ) -> Response:
        return _delete(session, row, user, ref(entity_id), if_match, reason)

    _add(base, one, name, what, list_all, read, create, replace, patch, delete)


def _machine_routes() -> None:
    base = "/networks/{key}/plants/{plant}/machines"
    one = f"{base}/{{machine:path}}"

    def list_all(row: NetworkDep, plant: str, page: PageDep) -> dict[str, Any]:
        return _page(networks.list_entities(row, "machines", plant), page)

    def read(row: NetworkDep, plant: str, machine: str, response: Response) -> Any:
        return _read(row, EntityRef("machines", (machine,), plant), response)

    def create(
        row: NetworkDep,
        plant: str,
        body: EntityBody,
        session: SessionDep,
        user: Writer,
        response: Response,
        reason: Reason = "",
    ) -> Any:
        networks.get_entity(row, EntityRef("plants", (plant,)))  # 404 before 403
        return _create(session, row, user, "machines", body, plant, reason, response)

    def replace(
        row: NetworkDep,
        plant: str,
        machine: str,
        body: EntityBody,
        session: SessionDep,
        user: Writer,
        response: Response,
        if_match: IfMatch = None,
        reason: Reason = "",
    ) -> Any:
        ref = EntityRef("machines", (machine,), plant)
        return _replace(session, row, user, ref, body, if_match, reason, response)

    def patch(
        row: NetworkDep,
        plant: str,
        machine: str,
        body: EntityBody,
        session: SessionDep,
        user: Writer,
        response: Response,
        if_match: IfMatch = None,
        reason: Reason = "",
    ) -> Any:
        ref = EntityRef("machines", (machine,), plant)
        return _patch(session, row, user, ref, body, if_match, reason, response)

    def delete(
        row: NetworkDep,
        plant: str,
        machine: str,
        session: SessionDep,
        user: Writer,
        if_match: IfMatch = None,
        reason: Reason = "",
    ) -> Response:
        ref = EntityRef("machines", (machine,), plant)
        return _delete(session, row, user, ref, if_match, reason)

    _add(base, one, "machines", "ID", list_all, read, create, replace, patch, delete)


def _pair_routes(name: str, second: str) -> None:
    """Routes of stock (plant and material) and staffing (plant and skill)."""
    base = f"/networks/{{key}}/{name}"
    one = f"{base}/{{plant}}/{{entry:path}}"

    def ref(plant: str, other: str) -> EntityRef:
        return EntityRef(name, (plant, other))

    def list_all(row: NetworkDep, page: PageDep) -> dict[str, Any]:
        return _page(networks.list_entities(row, name), page)

    def read(row: NetworkDep, plant: str, entry: Entry, response: Response) -> Any:
        return _read(row, ref(plant, entry), response)

    def create(
        row: NetworkDep,
        body: EntityBody,
        session: SessionDep,
        user: Writer,
        response: Response,
        reason: Reason = "",
    ) -> Any:
        return _create(session, row, user, name, body, None, reason, response)

    def replace(
        row: NetworkDep,
        plant: str,
        entry: Entry,
        body: EntityBody,
        session: SessionDep,
        user: Writer,
        response: Response,
        if_match: IfMatch = None,
        reason: Reason = "",
    ) -> Any:
        return _replace(session, row, user, ref(plant, entry), body, if_match, reason, response)

    def patch(
        row: NetworkDep,
        plant: str,
        entry: Entry,
        body: EntityBody,
        session: SessionDep,
        user: Writer,
        response: Response,
        if_match: IfMatch = None,
        reason: Reason = "",
    ) -> Any:
        return _patch(session, row, user, ref(plant, entry), body, if_match, reason, response)

    def delete(
        row: NetworkDep,
        plant: str,
        entry: Entry,
        session: SessionDep,
        user: Writer,
        if_match: IfMatch = None,
        reason: Reason = "",
    ) -> Response:
        return _delete(session, row, user, ref(plant, entry), if_match, reason)

    _add(base, one, name, f"plant and {second}", list_all, read, create, replace, patch, delete)


def _add(base: str, one: str, name: str, what: str, *handlers: Callable[..., Any]) -> None:
    list_all, read, create, replace, patch, delete = handlers
    tags: list[str | Any] = [name]
    router.add_api_route(base, list_all, methods=["GET"], tags=tags, summary=f"List {name}")
    router.add_api_route(
        base, create, methods=["POST"], tags=tags, summary=f"Add to {name}", status_code=201
    )
    router.add_api_route(one, read, methods=["GET"], tags=tags, summary=f"One of {name} by {what}")
    router.add_api_route(one, replace, methods=["PUT"], tags=tags, summary=f"Replace one of {name}")
    router.add_api_route(
        one, patch, methods=["PATCH"], tags=tags, summary=f"Change fields of one of {name}"
    )
    router.add_api_route(
        one,
        delete,
        methods=["DELETE"],
        tags=tags,
        summary=f"Delete one of {name}",
        status_code=204,
        response_class=Response,
    )


_machine_routes()  # before /plants/{entity_id}, which it does not overlap, for a tidy OpenAPI
for _name in (*_BY_ID, *_BY_POSITION):
    _single_key_routes(_name)
for _name, _second in _PAIRS.items():
    _pair_routes(_name, _second)
