"""The one HTML page shell every xiezuo report uses, so sections look alike wherever
they are put (the staff section inside the Gantt page, or on its own page)."""

from __future__ import annotations

import html

LATE_COLOUR = "#d62728"

_STYLE = f"""
body {{ font-family: sans-serif; margin: 1.5rem; }}
dl {{ display: grid; grid-template-columns: max-content auto; gap: 0.2rem 1rem; }}
dt {{ font-weight: bold; }}
dd {{ margin: 0; }}
table {{ border-collapse: collapse; }}
th, td {{ border: 1px solid #ccc; padding: 0.2rem 0.6rem; text-align: left; }}
td.number {{ text-align: right; }}
tr.late {{ color: {LATE_COLOUR}; font-weight: bold; }}
tr.people-limited {{ font-weight: bold; }}
"""


def html_page(title: str, body: str) -> str:
    """A complete HTML document: ``title`` is escaped, ``body`` is xiezuo's own markup."""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(title)}</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>{html.escape(title)}</h1>
{body}
</body>
</html>
"""
