"""GET /networks/{key}/plans/{number}/tables: a plan version's workbook and CSV files."""

import csv
import io
import zipfile
from typing import Any

from openpyxl import load_workbook

from tests.api.conftest import TestClient
from tests.api.test_jobs import Auth, start, wait

TABLES = "/networks/minimal/plans/1/tables"
NAMES = ["orders", "operations", "load", "material-draws", "shipments", "explanations", "about"]


def _schedule(client: TestClient, auth: Auth) -> dict[str, Any]:
    plan = client.get("/networks/minimal/plans/1", headers=auth("viewer")).json()["plan"]
    schedule: dict[str, Any] = plan["schedule"]
    return schedule


def test_the_workbook_holds_a_sheet_per_table_and_every_operation(client, auth, minimal):
    wait(client, auth, start(client, auth, kind="plan"))
    answer = client.get(TABLES, headers=auth("forge"))
    assert answer.status_code == 200
    assert answer.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert 'filename="minimal-plan-1.xlsx"' in answer.headers["content-disposition"]
    book = load_workbook(io.BytesIO(answer.content), read_only=True)
    assert book.sheetnames == NAMES
    rows = list(book["operations"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    operations = _schedule(client, auth)["operations"]
    assert len(body) == len(operations)
    work_order = header.index("work order")
    assert sorted(str(row[work_order]) for row in body) == sorted(
        op["work_order_id"] for op in operations
    )


def test_one_table_as_csv_has_a_row_per_plan_row(client, auth, minimal):
    wait(client, auth, start(client, auth, kind="plan"))
    schedule = _schedule(client, auth)
    # The shipments table holds the parts moving between plants and the deliveries.
    expected = {
        "operations": len(schedule["operations"]),
        "shipments": len(schedule["shipments"]) + len(schedule["deliveries"]),
    }
    for name, count in expected.items():
        answer = client.get(TABLES, params={"format": "csv", "table": name}, headers=auth("viewer"))
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/csv")
        assert f'filename="minimal-plan-1-{name}.csv"' in answer.headers["content-disposition"]
        assert answer.content.startswith(b"\xef\xbb\xbf")  # Excel reads the UTF-8 as such
        rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
        assert len(rows) - 1 == count > 0


def test_csv_without_a_table_is_a_zip_of_every_table(client, auth, minimal):
    wait(client, auth, start(client, auth, kind="plan"))
    answer = client.get(TABLES, params={"format": "csv"}, headers=auth("viewer"))
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/zip"
    assert 'filename="minimal-plan-1-csv.zip"' in answer.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        assert archive.namelist() == [f"{name}.csv" for name in NAMES]
        orders = archive.read("orders.csv").decode("utf-8-sig").splitlines()
    assert orders[0].startswith("order,")
    network = client.get("/networks/minimal/plans/1", headers=auth("viewer")).json()
    assert len(orders) - 1 == len(network["plan"]["schedule"]["deliveries"]) > 0


def test_an_unknown_table_a_table_in_the_workbook_and_a_bad_format_are_422(client, auth, minimal):
    wait(client, auth, start(client, auth, kind="plan"))
    viewer = auth("viewer")
    unknown = client.get(TABLES, params={"format": "csv", "table": "nope"}, headers=viewer)
    assert unknown.status_code == 422
    assert (
        "no table 'nope'; the tables are orders, operations" in unknown.json()["detail"][0]["msg"]
    )
    assert client.get(TABLES, params={"table": "orders"}, headers=viewer).status_code == 422
    assert client.get(TABLES, params={"format": "pdf"}, headers=viewer).status_code == 422


def test_tables_need_a_token_and_an_existing_plan(client, auth, minimal):
    assert client.get(TABLES).status_code == 401
    assert client.get(TABLES, headers={"Authorization": "Bearer nobody"}).status_code == 401
    assert client.get(TABLES, headers=auth("viewer")).status_code == 404
    assert client.get("/networks/nope/plans/1/tables", headers=auth("viewer")).status_code == 404
