"""docs/server.md names only routes the server has."""

import re
from pathlib import Path

DOC = Path(__file__).parents[2] / "docs" / "server.md"


def test_every_url_in_the_server_docs_is_a_route(app):
    templates = [
        re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$")
        for path in app.openapi()["paths"]
    ]
    urls = set(re.findall(r"`(?:[A-Z]+ )?(/(?:networks|me|audit)[^`?\[ ]*)", DOC.read_text()))
    assert len(urls) > 10
    for url in urls:
        assert any(t.match(url) for t in templates), url
