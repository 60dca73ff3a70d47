"""GET /networks/{key}/plans/{number}/sheets: a plan version's task sheets, HTML or CSV."""

import csv
import io

from tests.api.test_jobs import start, wait

SHEETS = "/networks/minimal/plans/1/sheets"


def test_any_signed_in_user_reads_the_sheets_as_html_and_csv(client, auth, minimal):
    wait(client, auth, start(client, auth, kind="plan"))
    viewer = auth("viewer")
    operations = client.get("/networks/minimal/plans/1", headers=viewer).json()["plan"]["schedule"][
        "operations"
    ]
    page = client.get(SHEETS, headers=viewer)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.text.count('<tr class="op">') == len(operations)
    rows = client.get(SHEETS, params={"format": "csv", "lang": "zh"}, headers=viewer)
    assert rows.status_code == 200
    assert rows.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(rows.text.removeprefix("\ufeff"))))
    assert table[0][:3] == ["工厂", "日期", "班次"]
    assert sum(1 for line in table[1:] if line[5] == "工序任务") == len(operations)


def test_one_plant_in_chinese(client, auth, minimal):
    wait(client, auth, start(client, auth, kind="plan"))
    page = client.get(SHEETS, params={"plant": "FORGE", "lang": "zh"}, headers=auth("viewer"))
    assert page.status_code == 200
    assert '<html lang="zh-Hans">' in page.text
    assert 'data-plant="WORKS"' not in page.text


def test_bad_plant_language_days_and_format_are_422(client, auth, minimal):
    wait(client, auth, start(client, auth, kind="plan"))
    viewer = auth("viewer")
    unknown = client.get(SHEETS, params={"plant": "NOPE"}, headers=viewer)
    assert unknown.status_code == 422
    assert "no plant 'NOPE'" in unknown.json()["detail"][0]["msg"]
    for params in ({"lang": "fr"}, {"days": 0}, {"format": "docx"}, {"from": "1958-13-01"}):
        assert client.get(SHEETS, params=params, headers=viewer).status_code == 422, params


def test_sheets_need_a_token_and_an_existing_plan(client, auth, minimal):
    assert client.get(SHEETS).status_code == 401
    assert client.get(SHEETS, headers=auth("viewer")).status_code == 404
