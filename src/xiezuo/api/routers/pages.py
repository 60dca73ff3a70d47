"""The web dashboard: its page at ``/`` and its static files under ``/dashboard/``.

The files (HTML, CSS, JavaScript modules, the language catalogues) are package data
in :mod:`xiezuo.web` ``dashboard/``, served as they are: no build step, nothing
fetched from another site, so the dashboard works on a plant's network without the
internet. plotly.js comes from the plotly Python package, as for the Gantt page. The
files need no token; the dashboard sends its token with every API call.
"""

import re
from functools import cache
from importlib.resources import files

from fastapi import APIRouter, HTTPException, Response, status

from xiezuo.web import plotlyjs_bundle

router = APIRouter(include_in_schema=False)

_MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
}
# Dashboard file names only: no "..", no hidden files, no other kinds of file.
_ASSET = re.compile(r"(?:[a-z0-9_-]+/)*[a-z0-9_-]+\.(?:html|css|js|json)")
# The app's own files change with the server; the browser asks again each time.
_REVALIDATE = {"Cache-Control": "no-cache"}
# The page runs only this server's scripts, even if some plan text ever slipped into its
# markup; plotly.js draws with inline styles and its modebar with data: images.
_CSP = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


@cache
def _plotlyjs() -> bytes:
    return plotlyjs_bundle().encode()


def _asset(path: str) -> bytes:
    if not _ASSET.fullmatch(path):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"the dashboard has no file {path!r}")
    resource = files("xiezuo.web").joinpath("dashboard", *path.split("/"))
    if not resource.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"the dashboard has no file {path!r}")
    return resource.read_bytes()


@router.get("/")
def dashboard() -> Response:
    """The dashboard's single page; it routes between its views by the URL's fragment."""
    return Response(
        _asset("index.html"),
        media_type=_MEDIA_TYPES[".html"],
        headers={**_REVALIDATE, "Content-Security-Policy": _CSP},
    )


@router.get("/dashboard/plotly.min.js")
def plotlyjs() -> Response:
    """plotly.js as bundled by the installed plotly package (4.8 MB, cached a day)."""
    return Response(
        _plotlyjs(),
        media_type=_MEDIA_TYPES[".js"],
        headers={"Cache-Control": "public, max-age=86400"},
    )


@router.get("/dashboard/{path:path}")
def dashboard_file(path: str) -> Response:
    """One of the dashboard's files: a script, the style sheet or a language catalogue."""
    suffix = path[path.rfind(".") :]
    return Response(_asset(path), media_type=_MEDIA_TYPES.get(suffix), headers=_REVALIDATE)
