"""The dashboard's files as the server hands them out: complete, offline, translated.

No browser here: what the server sends, that every module a script imports exists,
that nothing is fetched from another site, that both language catalogues name every
label the scripts use, and that the package data ships every file.
"""

import json
import re
import tomllib
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from starlette.exceptions import StarletteDeprecationWarning

from xiezuo.api.routers import pages
from xiezuo.web import plotlyjs_bundle

with warnings.catch_warnings():
    # Starlette asks for its httpx2 fork at import; the installed httpx serves it alike.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

ROOT = Path(__file__).parents[2]
DASHBOARD = ROOT / "src" / "xiezuo" / "web" / "dashboard"
FILES = sorted(
    path.relative_to(DASHBOARD).as_posix()
    for path in DASHBOARD.rglob("*")
    if path.is_file() and path.suffix in {".html", ".css", ".js", ".json"}
)
SCRIPTS = [name for name in FILES if name.endswith(".js")]
_IMPORT = re.compile(r"""^import .* from '(\.{1,2}/[^']+)';$""", re.MULTILINE)
_LABEL = re.compile(r"""\bt\('([a-z_.]+)'""")


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    app = FastAPI()
    app.include_router(pages.router)
    with TestClient(app) as client:
        yield client


def test_the_page_is_served_at_the_root(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert '<script type="module" src="/dashboard/app.js"></script>' in response.text
    # Only this server's scripts run on the page.
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert "script-src" not in response.headers["content-security-policy"]


@pytest.mark.parametrize("name", FILES)
def test_every_file_is_served_with_its_type(client: TestClient, name: str) -> None:
    response = client.get(f"/dashboard/{name}")
    assert response.status_code == 200
    assert response.content == (DASHBOARD / name).read_bytes()
    kind = {"html": "text/html", "css": "text/css", "js": "text/javascript"}
    assert response.headers["content-type"].startswith(
        kind.get(name.rsplit(".")[-1], "application/json")
    )


def test_plotlyjs_comes_from_the_plotly_package(client: TestClient) -> None:
    response = client.get("/dashboard/plotly.min.js")
    assert response.status_code == 200
    assert response.text == plotlyjs_bundle()


@pytest.mark.parametrize(
    "path",
    [
        "../routers/pages.py",
        "..%2F__init__.py",
        "missing.js",
        "app.py",
        ".hidden.js",
        "i18n/fr.json",
    ],
)
def test_anything_else_is_not_found(client: TestClient, path: str) -> None:
    response = client.get(f"/dashboard/{path}")
    assert response.status_code == 404
    assert "detail" in response.json()


@pytest.mark.parametrize("name", SCRIPTS)
def test_every_imported_module_exists(name: str) -> None:
    text = (DASHBOARD / name).read_text(encoding="utf-8")
    for target in _IMPORT.findall(text):
        assert (DASHBOARD / name).parent.joinpath(target).resolve().is_file(), (name, target)


@pytest.mark.parametrize("name", FILES)
def test_nothing_is_fetched_from_another_site(name: str) -> None:
    """Plants may have no internet: no CDN, no web fonts, no remote scripts."""
    assert not re.search(r"https?://", (DASHBOARD / name).read_text(encoding="utf-8"))


def test_both_catalogues_name_every_label_the_scripts_use() -> None:
    english = (DASHBOARD / "i18n" / "en.json").read_text(encoding="utf-8")
    chinese = (DASHBOARD / "i18n" / "zh.json").read_text(encoding="utf-8")
    catalogues = {"en": json.loads(english), "zh": json.loads(chinese)}
    assert catalogues["en"].keys() == catalogues["zh"].keys()
    used = {key for name in SCRIPTS for key in _LABEL.findall((DASHBOARD / name).read_text())}
    assert used - catalogues["en"].keys() == set()
    for language, catalogue in catalogues.items():
        assert all(text.strip() for text in catalogue.values()), language
        for key, text in catalogue.items():
            placeholders = set(re.findall(r"\{(\w+)\}", catalogues["en"][key]))
            assert set(re.findall(r"\{(\w+)\}", text)) == placeholders, (language, key)


def test_the_package_data_ships_every_file() -> None:
    """An installed xiezuo (not only this checkout) has the whole dashboard."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["xiezuo"]
    package = ROOT / "src" / "xiezuo"
    shipped = {
        path.relative_to(DASHBOARD).as_posix()
        for pattern in patterns
        for path in package.glob(pattern)
        if path.is_relative_to(DASHBOARD)
    }
    assert shipped == set(FILES)
