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
.gantt-header {{ position: sticky; top: 0; z-index: 10; background: #fff;
  border-bottom: 1px solid #ccc; }}
.gantt-toolbar {{ display: flex; flex-wrap: wrap; align-items: center; gap: 0.3rem 0.8rem;
  padding: 0.4rem 0; }}
.gantt-toolbar input {{ font-size: 1rem; width: 16rem; }}
.gantt-key {{ color: #555; font-size: 0.85rem; margin: 0.2rem 0; }}
.gantt-orders {{ font-size: 0.85rem; max-height: 30vh; overflow: auto; }}
.gantt-orders button {{ margin: 0.1rem; font-size: 0.8rem; }}
.gantt-orders button.late {{ color: {LATE_COLOUR}; font-weight: bold; }}
.chip {{ display: inline-block; width: 0.8rem; height: 0.8rem; margin-right: 0.3rem;
  vertical-align: middle; border: 1px solid #0006; }}
#gantt-status {{ font-size: 0.9rem; }}
#gantt-status.late {{ color: {LATE_COLOUR}; font-weight: bold; }}
.gantt-missing {{ color: {LATE_COLOUR}; font-weight: bold; }}
"""


def html_page(title: str, body: str, *, head: str = "") -> str:
    """A complete HTML document.

    ``title`` is escaped; ``body`` and ``head`` (extra elements such as a script
    loading plotly.js) are xiezuo's own markup.
    """
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(title)}</title>
<style>{_STYLE}</style>{head}
</head>
<body>
<h1>{html.escape(title)}</h1>
{body}
</body>
</html>
"""
