"""Tables that fit the width without cutting an ID or a date.

Rich shrinks a table that is too wide by cropping its cells (``YN-MIL…``), which
makes orders indistinguishable. Here every cell of a *whole* column keeps its full
text; free-text columns may wrap between words. When the columns do not fit, the
least useful ones are left out (and the caption says which); when even the columns
that must stay do not fit, each row becomes one line of ``header value`` pairs, or one
line per pair.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from rich import box
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from collections.abc import Sequence

    from rich.console import Console

Cell = str | Text


@dataclass(frozen=True, slots=True)
class Column:
    """A table column.

    ``drop_rank`` orders the columns that may be left out for width, lowest first;
    ``None`` keeps the column always. A ``wraps`` column holds free text that may
    break between words; any other column's cells are printed whole.
    """

    header: str
    justify: Literal["left", "right"] = "left"
    drop_rank: int | None = None
    wraps: bool = False


# Columns are one space apart, with a space of padding either side inside them.
_BETWEEN_COLUMNS = 3


def print_table(
    console: Console,
    title: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Cell]],
    *,
    caption: str | None = None,
    dropped_hint: str = "",
) -> None:
    """Print ``rows`` under ``columns`` at the console's width, IDs and dates whole.

    Parameters
    ----------
    console
        Where to print; its width is the limit.
    title
        Printed above the table.
    columns, rows
        The table; cells are literal text (no Rich markup) or styled ``Text``.
    caption
        Printed under the table, e.g. what the columns mean.
    dropped_hint
        Appended to the note that names left-out columns (how to see them).
    """
    texts = [[_text(cell) for cell in row] for row in rows]
    kept = list(range(len(columns)))
    droppable = sorted(
        (idx for idx, column in enumerate(columns) if column.drop_rank is not None),
        key=lambda idx: (columns[idx].drop_rank, -idx),
    )
    while _min_width(columns, texts, kept) > console.width and droppable:
        kept.remove(droppable.pop(0))
    console.print(Text(title, style="bold"))
    if _min_width(columns, texts, kept) > console.width:
        _print_lines(console, columns, texts)
        kept = list(range(len(columns)))
    else:
        _print_kept(console, columns, texts, kept)
    left_out = [columns[idx].header for idx in range(len(columns)) if idx not in kept]
    if left_out and texts:
        console.print(
            Text(f"Left out for width: {', '.join(left_out)}.{dropped_hint}", style="dim")
        )
    if caption:
        console.print(Text(caption, style="dim"))


def _text(cell: Cell) -> Text:
    return cell if isinstance(cell, Text) else Text(cell)


def _cell_width(column: Column, text: Text) -> int:
    if column.wraps:
        return max((Text(word).cell_len for word in text.plain.split()), default=1)
    return max((Text(line).cell_len for line in text.plain.splitlines()), default=0)


def _header_width(column: Column) -> int:
    # Headers break between words in any column, so "net shortage" costs its longer word.
    return max(Text(word).cell_len for word in column.header.split())


def _column_width(column: Column, texts: list[list[Text]], idx: int) -> int:
    return max([_header_width(column), *(_cell_width(column, row[idx]) for row in texts)])


def _min_width(columns: Sequence[Column], texts: list[list[Text]], kept: list[int]) -> int:
    widths = [_column_width(columns[idx], texts, idx) for idx in kept]
    return sum(widths) + _BETWEEN_COLUMNS * (len(widths) - 1)


def _print_kept(
    console: Console, columns: Sequence[Column], texts: list[list[Text]], kept: list[int]
) -> None:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")
    for idx in kept:
        column = columns[idx]
        # A fixed width keeps Rich from shrinking a whole column; its header may
        # still break between words.
        table.add_column(
            column.header,
            justify=column.justify,
            width=None if column.wraps else _column_width(column, texts, idx),
            overflow="fold",
        )
    for row in texts:
        table.add_row(*(row[idx] for idx in kept))
    console.print(table)


def _print_lines(console: Console, columns: Sequence[Column], texts: list[list[Text]]) -> None:
    """Each row on one line of ``header value`` pairs, or, where that line would wrap
    inside a value, the row's first cell and then one indented line per pair."""
    for row in texts:
        pairs = [
            Text.assemble(column.header, " ", cell)
            for column, cell in zip(columns[1:], row[1:], strict=True)
        ]
        line = Text("  ").join([Text.assemble((row[0].plain, "bold")), *pairs])
        if line.cell_len <= console.width and "\n" not in line.plain:
            console.print(line)
            continue
        console.print(row[0], style="bold")
        for pair in pairs:
            console.print(Text.assemble("  ", pair))
