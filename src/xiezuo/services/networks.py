"""Networks in the server's store: import and export scenario files, edit their entities.

A network is kept as its scenario file's data (:attr:`NetworkRow.spec`), so it exports
back to the same data and every edit is checked by the same loader as a file: a change
is applied to a copy of the data, the whole network is checked (shape, references,
domain rules) and only then stored, with the network's ``version`` one higher and an
audit row, in the caller's transaction.

Entities are addressed by collection and key (:class:`EntityRef`):

- by ID: ``plants``, ``items``, ``orders``, ``materials``; ``processes``, ``regions``
  and ``skills`` are plain names, shown as ``{"id": name}``;
- ``machines`` by plant and machine ID;
- ``stock`` by plant and material, ``staffing`` by plant and skill (each pair is given
  once in a scenario);
- ``supplies``, ``secondments``, ``trainings`` and ``lanes`` by their 0-based position,
  which moves when an earlier one is deleted (the ETag then no longer matches).

Each entity has an ETag, the SHA-256 of its canonical JSON, so a write based on a stale
read is refused (:class:`~xiezuo.errors.ConflictError`) instead of lost.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from xiezuo.errors import ConflictError, InputError, ModelError, NotFoundError
from xiezuo.io.scenario import load_scenario_spec, network_from_spec, read_input_data
from xiezuo.io.scenario_data import dump_scenario, spec_from_data
from xiezuo.services import audit
from xiezuo.storage.models import JobRow, NetworkRow, utc_now

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from sqlalchemy.orm import Session

    from xiezuo.domain import Network

KEY_PATTERN: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
"""A network key: it appears in URLs, so letters, digits, ``.``, ``_`` and ``-`` only."""
_WRITE_ATTEMPTS = 20  # an edit racing others on the same network is redone on the new data


@dataclass(frozen=True, slots=True)
class Collection:
    """How one kind of entity sits in the scenario data and how it is named."""

    name: str
    key_fields: tuple[str, ...]
    """Fields that name an entry; empty for entries named by position."""
    is_plain: bool = False
    """Entries are plain names (``skills: [welding]``), shown as ``{"id": name}``."""
    plant_field: str | None = None
    """The field naming the plant the entry belongs to, for plant users' rights."""

    @property
    def by_position(self) -> bool:
        return not self.key_fields


COLLECTIONS: Final = {
    c.name: c
    for c in (
        Collection("processes", ("id",), is_plain=True),
        Collection("regions", ("id",), is_plain=True),
        Collection("skills", ("id",), is_plain=True),
        Collection("plants", ("id",)),
        Collection("machines", ("id",)),
        Collection("items", ("id",)),
        Collection("orders", ("id",)),
        Collection("materials", ("id",)),
        Collection("lanes", ()),
        Collection("stock", ("plant", "material"), plant_field="plant"),
        Collection("staffing", ("plant", "skill"), plant_field="plant"),
        Collection("supplies", (), plant_field="plant"),
        Collection("secondments", (), plant_field="plant"),
        Collection("trainings", (), plant_field="plant"),
    )
}
PLANT_COLLECTIONS: Final = frozenset(
    {"machines", "stock", "staffing", "supplies", "secondments", "trainings"}
)
"""What a plant user may write, for their own plant only."""


@dataclass(frozen=True, slots=True)
class EntityRef:
    """One entity of a network: its collection and its key within it.

    ``plant`` is the parent plant of a machine; ``key`` holds the ID, the pair of
    names (stock, staffing) or the position as text.
    """

    collection: str
    key: tuple[str, ...]
    plant: str | None = None

    @property
    def subject(self) -> str:
        """The entity's path inside the network, as the audit log and URLs name it."""
        parent = f"plants/{self.plant}/" if self.plant is not None else ""
        names = "".join(f"/{name}" for name in self.key)
        return f"{parent}{self.collection}{names}"


def etag(entity: object) -> str:
    """The SHA-256 of the entity's canonical JSON: equal data, equal tag."""
    text = json.dumps(entity, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


# ---- Networks -------------------------------------------------------------------------


def check_scenario(data: object, source: str) -> Network:
    """The network scenario ``data`` describes, after every check a scenario file gets.

    Raises
    ------
    InputError, ModelError
        As :func:`~xiezuo.io.scenario.load_scenario`, with entity paths into ``data``.
    """
    return network_from_spec(spec_from_data(data, source), source)


def network_of(row: NetworkRow) -> Network:
    """The domain network of a stored row (checked again: the rules may have grown)."""
    return check_scenario(row.spec, f"network {row.key}")


def get_network(session: Session, key: str) -> NetworkRow:
    """The stored network ``key``.

    Raises
    ------
    NotFoundError
        No network has that key.
    """
    row = session.scalar(select(NetworkRow).where(NetworkRow.key == key))
    if row is None:
        raise NotFoundError(f"there is no network {key!r}")
    return row


def list_networks(
    session: Session, *, limit: int = 50, offset: int = 0
) -> tuple[Sequence[NetworkRow], int]:
    """Networks by key, one page of them, and how many there are."""
    total = session.scalar(select(func.count()).select_from(NetworkRow)) or 0
    rows = session.scalars(select(NetworkRow).order_by(NetworkRow.key).limit(limit).offset(offset))
    return rows.all(), total


def create_network(
    session: Session,
    key: str,
    data: Any,
    *,
    user: str,
    name: str | None = None,
    reason: str = "",
    action: str = "create",
) -> NetworkRow:
    """Store scenario ``data`` as the new network ``key``, after checking it whole.

    Raises
    ------
    InputError
        The key is not a URL-safe name, or the data fails a scenario check.
    ModelError
        A rule spanning the network is broken.
    ConflictError
        A network with that key exists already.
    """
    if not KEY_PATTERN.fullmatch(key):
        raise InputError(
            "network",
            "key",
            f"{key[:120]!r} is not a network key: use 1 to 100 letters, digits, '.', '_' "
            "or '-', starting with a letter or digit",
        )
    check_scenario(data, f"network {key}")
    if session.scalar(select(NetworkRow.id).where(NetworkRow.key == key)) is not None:
        raise ConflictError(f"there is already a network {key!r}")
    network_name = name if name is not None else str(data["network"].get("name", ""))
    row = NetworkRow(key=key, name=network_name[:300], spec=copy.deepcopy(data), version=1)
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:  # another request created it since the check above
        raise ConflictError(f"there is already a network {key!r}") from exc
    audit.record(
        session,
        user=user,
        action=action,
        subject="scenario",
        network_key=key,
        reason=reason,
        detail={"version": 1},
    )
    return row


def import_scenario(
    session: Session,
    key: str,
    path: str | Path,
    *,
    user: str,
    name: str | None = None,
    reason: str = "",
) -> NetworkRow:
    """Store a scenario file as the network ``key``; errors name the file and its lines.

    Raises
    ------
    InputError, ModelError
        As :func:`~xiezuo.io.scenario.load_scenario`.
    ConflictError
        A network with that key exists already.
    """
    load_scenario_spec(path)  # the full check first, so errors carry the file's lines
    data, _ = read_input_data(path, "scenario")
    return create_network(
        session, key, data, user=user, name=name, reason=reason or f"imported from {path}"
    )


def export_scenario(row: NetworkRow, path: str | Path) -> None:
    """Write the network as a scenario file, YAML or JSON by the file's suffix.

    Raises
    ------
    InputError
        The suffix is not ``.yaml``, ``.yml`` or ``.json``, or the file cannot be written.
    """
    path = Path(path)
    fmt = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}.get(path.suffix.lower())
    if fmt is None:
        raise InputError(str(path), "", "a scenario file must end in .yaml, .yml or .json")
    try:
        path.write_text(dump_scenario(row.spec, fmt), encoding="utf-8")
    except OSError as exc:
        raise InputError(str(path), "", f"cannot write the file: {exc.strerror or exc}") from exc


def replace_scenario(
    session: Session,
    row: NetworkRow,
    data: Any,
    *,
    expected_version: int,
    user: str,
    reason: str = "",
) -> NetworkRow:
    """Replace the network's whole scenario with ``data``, checked whole.

    Raises
    ------
    ConflictError
        The network is no longer at ``expected_version``.
    InputError, ModelError
        The new data fails a scenario check.
    """
    if row.version != expected_version:
        raise _stale_network(row, expected_version)
    new = copy.deepcopy(data)
    check_scenario(new, f"network {row.key}")
    _store(session, row, new)
    audit.record(
        session,
        user=user,
        action="replace",
        subject="scenario",
        network_key=row.key,
        reason=reason,
        detail={"version": row.version},
    )
    return row


def delete_network(
    session: Session, row: NetworkRow, *, expected_version: int, user: str, reason: str = ""
) -> None:
    """Delete the network with its plans, jobs and progress reports (they cascade).

    Raises
    ------
    ConflictError
        The network is no longer at ``expected_version``, or a solve job of it is queued
        or running (its worker would write into a network that is gone).
    """
    if row.version != expected_version:
        raise _stale_network(row, expected_version)
    busy = session.scalar(
        select(JobRow.id).where(
            JobRow.network_id == row.id, JobRow.status.in_(("queued", "running"))
        )
    )
    if busy is not None:
        raise ConflictError(
            f"network {row.key!r} has solve job {busy} queued or running; cancel it first"
        )
    audit.record(
        session,
        user=user,
        action="delete",
        subject="scenario",
        network_key=row.key,
        reason=reason,
        detail={"version": row.version, "scenario": row.spec},
    )
    session.delete(row)
    session.flush()


def _stale_network(row: NetworkRow, expected: int) -> ConflictError:
    return ConflictError(
        f"network {row.key!r} is at version {row.version}, not {expected}: someone changed "
        "it since you read it; read it again and redo your change"
    )


def _store(session: Session, row: NetworkRow, data: dict[str, Any]) -> bool:
    """Save ``data`` as the row's next version if nobody saved one since it was read."""
    result = session.execute(
        update(NetworkRow)
        .where(NetworkRow.id == row.id, NetworkRow.version == row.version)
        .values(spec=data, version=row.version + 1, updated_at=utc_now())
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        session.refresh(row)
        return False
    session.refresh(row)
    return True


# ---- Entities -------------------------------------------------------------------------


def collection(name: str) -> Collection:
    """The collection called ``name``.

    Raises
    ------
    NotFoundError
        There is no such collection.
    """
    found = COLLECTIONS.get(name)
    if found is None:
        known = ", ".join(sorted(COLLECTIONS))
        raise NotFoundError(f"there is no collection {name!r}; the collections are {known}")
    return found


def list_entities(row: NetworkRow, name: str, plant: str | None = None) -> list[Any]:
    """Every entity of a collection in the scenario file's form (machines of ``plant``)."""
    kind = collection(name)
    entries = _entries(row.spec, kind, plant)
    return [_shown(kind, entry) for entry in entries]


def get_entity(row: NetworkRow, ref: EntityRef) -> Any:
    """One entity in the scenario file's form.

    Raises
    ------
    NotFoundError
        The collection, the parent plant or the entity does not exist.
    """
    kind = collection(ref.collection)
    entries = _entries(row.spec, kind, ref.plant)
    return _shown(kind, entries[_position(kind, entries, ref)])


def entity_plant(ref: EntityRef, entity: Any) -> str | None:
    """The plant an entity belongs to, for plant users' rights; ``None`` for shared ones."""
    if ref.collection == "machines":
        return ref.plant
    field = COLLECTIONS[ref.collection].plant_field
    if field is None or not isinstance(entity, dict):
        return None
    value = entity.get(field)
    return value if isinstance(value, str) else None


def key_of(name: str, entity: Any, position: int) -> tuple[str, ...]:
    """The key naming ``entity`` (at ``position`` in its collection) in URLs."""
    kind = collection(name)
    if kind.by_position:
        return (str(position),)
    if not isinstance(entity, dict):
        raise InputError("request", "body", f"an entry of {name} is a JSON object")
    values = tuple(entity.get(field) for field in kind.key_fields)
    for field, value in zip(kind.key_fields, values, strict=True):
        if not isinstance(value, str) or not value:
            raise InputError("request", f"body.{field}", f"an entry of {name} needs its {field}")
    return tuple(str(v) for v in values)


def create_entity(
    session: Session,
    row: NetworkRow,
    name: str,
    body: Any,
    *,
    user: str,
    plant: str | None = None,
    reason: str = "",
) -> tuple[EntityRef, Any]:
    """Add an entity to a collection (machines to ``plant``), then check the network.

    Returns
    -------
    tuple
        The new entity's reference and its data.

    Raises
    ------
    ConflictError
        An entity with that key exists already.
    InputError, ModelError
        The network with the new entity fails a scenario check.
    """
    kind = collection(name)
    stored = _stored(kind, body)

    def change(data: dict[str, Any]) -> EntityRef:
        entries = _entries(data, kind, plant, create=True)
        key = key_of(name, body, len(entries))
        ref = EntityRef(name, key, plant)
        if not kind.by_position and any(_key(kind, e) == key for e in entries):
            raise ConflictError(f"{ref.subject} exists already; change it with PUT or PATCH")
        entries.append(stored)
        return ref

    ref = _write(session, row, change)
    after = get_entity(row, ref)
    _audit(session, row, ref, "create", user, reason, None, after)
    return ref, after


def replace_entity(
    session: Session,
    row: NetworkRow,
    ref: EntityRef,
    body: Any,
    *,
    if_match: str,
    user: str,
    reason: str = "",
) -> Any:
    """Replace an entity whose ETag is still ``if_match``; its key may not change.

    Raises
    ------
    NotFoundError
        The entity does not exist.
    ConflictError
        Its ETag is no longer ``if_match``: someone changed it since it was read.
    InputError, ModelError
        The body changes the key, or the network fails a scenario check.
    """
    kind = collection(ref.collection)
    stored = _stored(kind, body)
    before: list[Any] = []

    def change(data: dict[str, Any]) -> EntityRef:
        entries = _entries(data, kind, ref.plant)
        position = _position(kind, entries, ref)
        _check_tag(ref, _shown(kind, entries[position]), if_match)
        if key_of(ref.collection, body, position) != ref.key:
            fields = ", ".join(kind.key_fields)
            raise InputError(
                "request",
                f"body.{kind.key_fields[0]}",
                f"the body's {fields} must name {ref.subject}, the entity in the URL; "
                "add a new entity and delete this one to rename it",
            )
        before[:] = [_shown(kind, entries[position])]
        entries[position] = stored
        return ref

    _write(session, row, change)
    after = get_entity(row, ref)
    _audit(session, row, ref, "update", user, reason, before[0], after)
    return after


def patch_entity(
    session: Session,
    row: NetworkRow,
    ref: EntityRef,
    patch: Any,
    *,
    if_match: str,
    user: str,
    reason: str = "",
) -> Any:
    """Change some fields of an entity (a JSON merge patch: ``null`` removes a field).

    Raises
    ------
    As :func:`replace_entity`.
    """
    kind = collection(ref.collection)
    if kind.is_plain:
        raise InputError(
            "request", "body", f"{ref.collection} are plain names: there is nothing to patch"
        )
    if not isinstance(patch, dict):
        raise InputError("request", "body", "a patch is a JSON object of the fields to change")
    current = get_entity(row, ref)
    _check_tag(ref, current, if_match)
    return replace_entity(
        session,
        row,
        ref,
        _merge(current, patch),
        if_match=if_match,
        user=user,
        reason=reason,
    )


def delete_entity(
    session: Session,
    row: NetworkRow,
    ref: EntityRef,
    *,
    if_match: str,
    user: str,
    reason: str = "",
) -> None:
    """Delete an entity; refused while other entities still refer to it.

    Raises
    ------
    NotFoundError
        The entity does not exist.
    ConflictError
        Its ETag is no longer ``if_match``, or the network without it fails a check
        (an order still names the item): the message gives the reason.
    """
    kind = collection(ref.collection)
    before: list[Any] = []

    def change(data: dict[str, Any]) -> EntityRef:
        entries = _entries(data, kind, ref.plant)
        position = _position(kind, entries, ref)
        _check_tag(ref, _shown(kind, entries[position]), if_match)
        before[:] = [_shown(kind, entries.pop(position))]
        return ref

    try:
        _write(session, row, change)
    except (InputError, ModelError) as exc:
        raise ConflictError(f"{ref.subject} cannot be deleted: {exc}") from exc
    _audit(session, row, ref, "delete", user, reason, before[0], None)


def get_settings(row: NetworkRow) -> dict[str, Any]:
    """The network's own settings: the scenario's ``network`` section (name, horizon
    start, time zone, calendar)."""
    return copy.deepcopy(row.spec["network"])


def replace_settings(
    session: Session,
    row: NetworkRow,
    body: Any,
    *,
    if_match: str,
    user: str,
    reason: str = "",
) -> dict[str, Any]:
    """Replace the ``network`` section whose ETag is still ``if_match``, checked whole.

    Raises
    ------
    ConflictError
        Its ETag is no longer ``if_match``.
    InputError, ModelError
        The body is not an object, or the network fails a scenario check with it.
    """
    if not isinstance(body, dict):
        raise InputError("request", "body", "the settings are a JSON object")
    ref = EntityRef("settings", ())
    before: list[Any] = []

    def change(data: dict[str, Any]) -> EntityRef:
        _check_tag(ref, data["network"], if_match)
        before[:] = [data["network"]]
        data["network"] = copy.deepcopy(body)
        return ref

    _write(session, row, change)
    after = get_settings(row)
    audit.record(
        session,
        user=user,
        action="update",
        subject="settings",
        network_key=row.key,
        reason=reason,
        detail={"before": before[0], "after": after, "version": row.version},
    )
    return after


def patch_settings(
    session: Session,
    row: NetworkRow,
    patch: Any,
    *,
    if_match: str,
    user: str,
    reason: str = "",
) -> dict[str, Any]:
    """Change some of the settings (a JSON merge patch), as :func:`replace_settings`."""
    if not isinstance(patch, dict):
        raise InputError("request", "body", "a patch is a JSON object of the fields to change")
    current = get_settings(row)
    _check_tag(EntityRef("settings", ()), current, if_match)
    return replace_settings(
        session, row, _merge(current, patch), if_match=if_match, user=user, reason=reason
    )


def _write(
    session: Session,
    row: NetworkRow,
    change: Callable[[dict[str, Any]], EntityRef],
) -> EntityRef:
    """Apply ``change`` to a copy of the data, check it, store it as the next version.

    A concurrent edit of the same network makes the conditional update miss; the change
    is then redone on the new data (where its ETag check refuses it if it went stale).
    """
    for _attempt in range(_WRITE_ATTEMPTS):
        data = copy.deepcopy(row.spec)
        ref = change(data)
        check_scenario(data, f"network {row.key}")
        if _store(session, row, data):
            return ref
    raise ConflictError(
        f"network {row.key!r} is being changed by others right now; try again in a moment"
    )


def _audit(
    session: Session,
    row: NetworkRow,
    ref: EntityRef,
    action: str,
    user: str,
    reason: str,
    before: Any,
    after: Any,
) -> None:
    audit.record(
        session,
        user=user,
        action=action,
        subject=ref.subject,
        network_key=row.key,
        reason=reason,
        detail={"before": before, "after": after, "version": row.version},
    )


def _entries(
    data: dict[str, Any], kind: Collection, plant: str | None, *, create: bool = False
) -> list[Any]:
    """The list holding the collection's entries inside ``data`` (itself, not a copy)."""
    container, field = data, kind.name
    if kind.name == "machines":
        if plant is None:
            raise NotFoundError("machines belong to a plant: name the plant")
        plants = data.get("plants", [])
        owner = next((p for p in plants if isinstance(p, dict) and p.get("id") == plant), None)
        if owner is None:
            raise NotFoundError(f"there is no plant {plant!r}")
        container, field = owner, "machines"
    if create:
        container.setdefault(field, [])
    entries = container.get(field, [])
    return entries if isinstance(entries, list) else []


def _key(kind: Collection, entry: Any) -> tuple[str, ...]:
    if kind.is_plain:
        return (str(entry),)
    if not isinstance(entry, dict):
        return ()
    return tuple(str(entry.get(field)) for field in kind.key_fields)


def _position(kind: Collection, entries: list[Any], ref: EntityRef) -> int:
    if kind.by_position:
        text = ref.key[0] if len(ref.key) == 1 else ""
        if text.isdecimal() and int(text) < len(entries):
            return int(text)
    else:
        for position, entry in enumerate(entries):
            if _key(kind, entry) == ref.key:
                return position
    raise NotFoundError(f"there is no {ref.subject}")


def _shown(kind: Collection, entry: Any) -> Any:
    return {"id": entry} if kind.is_plain else copy.deepcopy(entry)


def _stored(kind: Collection, body: Any) -> Any:
    """The entry to store for a request body: the body itself, or the name of a plain one."""
    if not isinstance(body, dict):
        raise InputError("request", "body", "an entity is a JSON object")
    if kind.is_plain:
        if set(body) != {"id"} or not isinstance(body["id"], str):
            raise InputError(
                "request", "body", f'an entry of {kind.name} is {{"id": "name"}} and nothing else'
            )
        return body["id"]
    return copy.deepcopy(body)


def _check_tag(ref: EntityRef, entity: Any, if_match: str) -> None:
    tags = {t.strip().removeprefix("W/").strip('"') for t in if_match.split(",")}
    if "*" not in tags and etag(entity) not in tags:
        raise ConflictError(
            f"{ref.subject} has changed since you read it (its ETag is no longer the one in "
            "If-Match); read it again and redo your change"
        )


def _merge(current: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(current) if isinstance(current, dict) else {}
    for field, value in patch.items():
        if value is None:
            result.pop(field, None)
        else:
            result[field] = _merge(result.get(field), value)
    return result
