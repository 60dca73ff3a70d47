"""Tables that fit the console without cutting an ID or a date."""

from __future__ import annotations

from io import StringIO

from rich.console import Console

from xiezuo.cli._tables import Column, print_table

COLUMNS = (
    Column("order"),
    Column("region", drop_rank=1),
    Column("plants", drop_rank=2, wraps=True),
    Column("arrival"),
    Column("lateness", justify="right"),
)
ROWS = [
    ("YN-MILL-01", "Yunnan", "CAC, CIS, CMT, WJ", "1958-07-27 08:00", "-4.7 d"),
    ("CAC-OWN-01", "Chongqing", "CAC, CIS, WJ", "1958-08-01 20:00", "+3.7 d"),
]


def _render(width: int, columns: tuple[Column, ...] = COLUMNS) -> list[str]:
    out = StringIO()
    print_table(Console(file=out, width=width), "Orders", columns, ROWS, caption="key")
    return out.getvalue().splitlines()


def _has_whole_cells(lines: list[str]) -> bool:
    return all(any(cell in line for line in lines) for row in ROWS for cell in (row[0], row[3]))


def test_a_wide_console_shows_every_column_on_one_line_per_row() -> None:
    lines = _render(120)
    assert any("YN-MILL-01" in line and "CAC, CIS, CMT, WJ" in line for line in lines)
    assert not any(line.startswith("Left out") for line in lines)
    assert lines[-1] == "key"


def test_too_narrow_for_all_leaves_out_the_least_useful_columns_first_and_says_so() -> None:
    lines = _render(56)
    assert max(len(line) for line in lines) <= 56
    assert _has_whole_cells(lines)
    assert "Left out for width: region." in lines
    assert any("CAC, CIS," in line for line in lines)  # plants wrap between ids


def test_free_text_wraps_between_words_before_any_column_goes() -> None:
    lines = _render(49)
    assert max(len(line) for line in lines) <= 49
    assert "Left out for width: region." in lines
    assert _has_whole_cells(lines)


def test_narrower_than_the_columns_that_must_stay_gives_one_line_per_short_row() -> None:
    out = StringIO()
    rows = [("A-1", "1958-07-27"), ("B-2", "1958-07-27 08:00"), ("C-3333333", "x")]
    print_table(Console(file=out, width=24), "t", (Column("id"), Column("when")), rows)
    assert out.getvalue().splitlines() == [
        "t",
        "A-1  when 1958-07-27",
        "B-2",
        "  when 1958-07-27 08:00",
        "C-3333333  when x",
    ]


def test_rows_too_long_for_one_line_give_one_line_per_value_never_splitting_one() -> None:
    lines = _render(30)
    assert max(len(line) for line in lines) <= 30
    assert lines[1:6] == [
        "YN-MILL-01",
        "  region Yunnan",
        "  plants CAC, CIS, CMT, WJ",
        "  arrival 1958-07-27 08:00",
        "  lateness -4.7 d",
    ]


def test_cells_are_printed_literally_not_as_markup() -> None:
    out = StringIO()
    print_table(Console(file=out, width=80), "t", (Column("id"),), [("[bold]P1[/x]",)])
    assert "[bold]P1[/x]" in out.getvalue()
