"""GET /networks/{key}/plans/{number}/sheets?format=pdf: the task sheets printed by Chromium."""

import shutil
from pathlib import Path

import pytest

from tests.api.conftest import TestClient
from tests.api.test_jobs import Auth, start, wait
from xiezuo.api.routers import sheets
from xiezuo.errors import InputError

SHEETS = "/networks/minimal/plans/1/sheets"


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed")
def test_the_sheets_print_to_pdf(client: TestClient, auth: Auth, minimal: None) -> None:
    wait(client, auth, start(client, auth, kind="plan"))
    answer = client.get(SHEETS, params={"format": "pdf", "plant": "FORGE"}, headers=auth("forge"))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert 'filename="sheets-plan-1.pdf"' in answer.headers["content-disposition"]
    assert answer.content.startswith(b"%PDF-")


def test_without_chromium_a_pdf_is_a_503_that_says_what_to_do(
    client: TestClient, auth: Auth, minimal: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing() -> None:
        raise InputError("--pdf", "", "Chromium is not installed")

    monkeypatch.setattr(sheets, "find_chromium", missing)
    wait(client, auth, start(client, auth, kind="plan"))
    answer = client.get(SHEETS, params={"format": "pdf"}, headers=auth("viewer"))
    assert answer.status_code == 503
    assert "Chromium is not installed" in answer.json()["detail"]
    assert "format=html" in answer.json()["detail"]


def test_a_failed_print_is_a_503_with_chromiums_reason(
    client: TestClient, auth: Auth, minimal: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fails(_page: str, pdf: object, _chromium: object) -> None:
        raise InputError(str(pdf), "", "Chromium could not print the PDF (exit status 1)")

    monkeypatch.setattr(sheets, "find_chromium", lambda: Path("/usr/bin/chromium"))
    monkeypatch.setattr(sheets, "print_pdf", fails)
    wait(client, auth, start(client, auth, kind="plan"))
    answer = client.get(SHEETS, params={"format": "pdf"}, headers=auth("viewer"))
    assert answer.status_code == 503
    assert answer.json()["detail"] == "Chromium could not print the PDF (exit status 1)"
