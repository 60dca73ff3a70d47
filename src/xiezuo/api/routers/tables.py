"""A plan version as the tables a planner opens in Excel: the workbook, or CSV files."""

import io
import zipfile
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response

from xiezuo.api.deps import ERRORS, NetworkDep, SessionDep
from xiezuo.errors import InputError
from xiezuo.io.tables import Table, csv_bytes, xlsx_bytes
from xiezuo.services import plan_versions
from xiezuo.services.plan_tables import plan_tables

router = APIRouter(tags=["plans and jobs"], responses=ERRORS)

PlanNumber = Annotated[int, Path(ge=1, le=2**31 - 1, description="A plan version's number")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(
    "/networks/{key}/plans/{number}/tables",
    response_class=Response,
    responses={
        200: {
            "content": {XLSX: {}, "text/csv": {}, "application/zip": {}},
            "description": "The workbook, one table as CSV, or every table's CSV in a zip",
        }
    },
)
def read_tables(
    number: PlanNumber,
    network: NetworkDep,
    session: SessionDep,
    fmt: Annotated[
        Literal["xlsx", "csv"],
        Query(alias="format", description="An Excel workbook, or CSV."),
    ] = "xlsx",
    table: Annotated[
        str | None,
        Query(
            max_length=31,
            description="With format=csv: only this table (orders, operations, load, "
            "material-draws, shipments, explanations, about); without it, a zip of them all.",
        ),
    ] = None,
) -> Response:
    """The plan's orders with lateness, operations, weekly load per plant, material
    draws, shipments and explanations, as ``xiezuo tables`` writes them
    (docs/excel-output.md); times are wall-clock times in the network's zone, named in
    the ``about`` table. Any signed-in user may read them, like the plan itself; an
    unknown ``table``, or ``table`` with the workbook, is a 422."""
    domain = plan_versions.network_of(network)
    plan = plan_versions.plan_of(plan_versions.plan_version(session, network, number), domain)
    tables = plan_tables(domain, plan).tables()
    stem = f"{network.key}-plan-{number}"
    if fmt == "xlsx":
        if table is not None:
            raise InputError("query", "table", "the workbook holds every table: drop 'table'")
        return _attachment(xlsx_bytes(tables), XLSX, f"{stem}.xlsx")
    if table is None:
        return _attachment(_zip_of(tables), "application/zip", f"{stem}-csv.zip")
    chosen = next((t for t in tables if t.name == table), None)
    if chosen is None:
        names = ", ".join(t.name for t in tables)
        raise InputError("query", "table", f"no table {table!r}; the tables are {names}")
    return _attachment(csv_bytes(chosen), "text/csv; charset=utf-8", f"{stem}-{table}.csv")


def _zip_of(tables: tuple[Table, ...]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in tables:
            archive.writestr(f"{table.name}.csv", csv_bytes(table))
    return buffer.getvalue()


def _attachment(content: bytes, media_type: str, filename: str) -> Response:
    # The network key allows only [A-Za-z0-9._-], so the name needs no quoting rules.
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
