"""Plant task sheets as printable HTML, CSV and PDF, labelled in English or Chinese.

The HTML prints on A4 landscape: each day of each plant starts a new page, table
headers repeat on every page and no row is split across pages. The CSV has the same
rows (one per operation, one per movement in or out), with the plant, day and shift
on each, for a spreadsheet. The PDF is the HTML printed by headless Chromium, which
works offline.

Every label comes from the gettext catalogues through :mod:`xiezuo.i18n`; IDs from
the scenario (plants, items, orders, machines, skills, materials) are shown as
they are.
"""

from __future__ import annotations

import csv
import html
import io
import re
import shutil
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Final

from xiezuo.errors import InputError
from xiezuo.i18n import N_
from xiezuo.services.sheets import MovementKind

if TYPE_CHECKING:
    from collections.abc import Iterator
    from datetime import datetime

    from xiezuo.domain import ScheduledOperation
    from xiezuo.i18n import Translator
    from xiezuo.services.sheets import (
        DaySheet,
        MovementRow,
        OperationRow,
        PlantSheets,
        Sheets,
        ShiftSheet,
    )

CHROMIUM_NAMES: Final = ("chromium", "chromium-browser", "google-chrome")
PDF_TIMEOUT_S: Final = 300

KIND_LABELS: Final = {
    MovementKind.PART_IN: N_("Part"),
    MovementKind.MATERIAL_IN: N_("Material transfer"),
    MovementKind.RECEIPT: N_("Material receipt"),
    MovementKind.PART_OUT: N_("Part"),
    MovementKind.MATERIAL_OUT: N_("Material transfer"),
    MovementKind.DELIVERY: N_("Delivery to the customer"),
}
_OPERATION_WIDTHS: Final = (4, 5, 8, 10, 12, 6, 4, 5, 13, 13, 16, 4)
"""Per cent of the page width for each operation column, the same on every table."""
OPERATION_COLUMNS: Final = (
    N_("Unit"),
    N_("Start"),
    N_("End"),
    N_("Order"),
    N_("Item"),
    N_("Quantity"),
    N_("Step"),
    N_("Hours"),
    N_("Crew"),
    N_("Drawings"),
    N_("Material to draw"),
    N_("Done"),
)
_CONTINUING_WIDTHS: Final = (14, 5, 12, 16, 7, 5, 12, 12, 17)
CONTINUING_COLUMNS: Final = (
    N_("Machine group"),
    N_("Unit"),
    N_("Order"),
    N_("Item"),
    N_("Quantity"),
    N_("Step"),
    N_("Started"),
    N_("End"),
    N_("Crew"),
)
_INCOMING_WIDTHS: Final = (14, 16, 14, 8, 12, 14, 14, 8)
_OUTGOING_WIDTHS: Final = (13, 14, 12, 8, 10, 12, 12, 12, 7)
INCOMING_COLUMNS: Final = (
    N_("Kind"),
    N_("What"),
    N_("Order"),
    N_("Quantity"),
    N_("From"),
    N_("Leaves"),
    N_("Arrives"),
    N_("Received"),
)
OUTGOING_COLUMNS: Final = (
    N_("Kind"),
    N_("What"),
    N_("Order"),
    N_("Quantity"),
    N_("To"),
    N_("Leaves"),
    N_("Arrives"),
    N_("Due"),
    N_("Sent"),
)
CSV_COLUMNS: Final = (
    N_("Plant"),
    N_("Day"),
    N_("Shift"),
    N_("Shift start"),
    N_("Shift end"),
    N_("Section"),
    N_("Machine group"),
    N_("Machine unit"),
    N_("Order"),
    N_("Item or material"),
    N_("Quantity"),
    N_("Quantity unit"),
    N_("Step"),
    N_("Hours"),
    N_("Start"),
    N_("End"),
    N_("Crew"),
    N_("Drawings"),
    N_("Material to draw"),
    N_("From or to"),
    N_("Leaves"),
    N_("Arrives"),
    N_("Due"),
)
SECTION_OPERATIONS: Final = N_("Operations")
SECTION_CONTINUING: Final = N_("Still running from earlier shifts")
SECTION_INCOMING: Final = N_("Coming in")
SECTION_OUTGOING: Final = N_("Going out")

_STYLE = """
@page { size: A4 landscape; margin: 10mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Noto Sans", "WenQuanYi Micro Hei", sans-serif;
  font-size: 9pt; margin: 0; color: #000; }
section.day { break-before: page; }
section.day:first-of-type { break-before: auto; }
header.sheet { display: flex; justify-content: space-between; align-items: baseline;
  border-bottom: 2px solid #000; margin-bottom: 2mm; }
header.sheet h1 { font-size: 14pt; margin: 0; }
header.sheet p { margin: 0; }
h2 { font-size: 11pt; margin: 3mm 0 1mm; break-after: avoid; }
h3 { font-size: 9.5pt; margin: 1.5mm 0 1mm; break-after: avoid; }
table { width: 100%; border-collapse: collapse; margin-bottom: 2mm; }
table.fixed { table-layout: fixed; }
td { overflow-wrap: anywhere; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
table.page, table.page > * > tr > td { border: none; padding: 0; }
table.page > tbody > tr.page-body { break-inside: auto; page-break-inside: auto; }
th, td { border: 1px solid #555; padding: 0.6mm 1.2mm; text-align: left;
  vertical-align: top; }
thead th { background: #e8e8e8; }
tr.group th { background: #f4f4f4; font-weight: bold; }
td.number { text-align: right; white-space: nowrap; }
td.time { white-space: nowrap; }
.waiting { font-weight: bold; text-decoration: underline; }
p.note { color: #333; margin: 1mm 0; }
@media screen { body { margin: 1rem; } section.day { border-bottom: 1px dashed #999;
  padding-bottom: 1rem; margin-bottom: 1rem; } }
"""


def sheets_html(sheets: Sheets, tr: Translator) -> str:
    """A complete HTML document: every plant's days in turn, one page per day."""
    title = tr("Task sheets")
    if len(sheets.plants) == 1:
        title = tr("Task sheets: {plant}", plant=_plant_title(sheets.plants[0]))
    days = [_day_html(plant, day, sheets, tr) for plant in sheets.plants for day in plant.days]
    if not days:
        days = [
            '<p class="note">'
            + _e(
                tr(
                    "Nothing is planned from {first} to {last}.",
                    first=tr.day(sheets.first_day),
                    last=tr.day(sheets.last_day),
                )
            )
            + "</p>"
        ]
    lang = "zh-Hans" if tr.lang == "zh" else tr.lang
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>{_e(title)}</title>
<style>{_STYLE}</style>
</head>
<body>
{"".join(days)}
</body>
</html>
"""


def _day_html(plant: PlantSheets, day: DaySheet, sheets: Sheets, tr: Translator) -> str:
    parts = [
        f'<section class="day" data-plant="{_e(plant.plant_id)}" data-day="{day.day}">',
        # The day's header in a table head, so that it repeats on each page of the day.
        '<table class="page"><thead><tr><td><header class="sheet">',
        f"<h1>{_e(_plant_title(plant))} · {_e(tr.day(day.day))}</h1>",
        f"<p>{_e(_zone_note(sheets, day, tr))}</p>",
        '</header></td></tr></thead><tbody><tr class="page-body"><td>',
    ]
    for shift in day.shifts:
        parts.append(_shift_html(shift, tr))
    if not day.shifts:
        nothing = tr("No operations start on this day.")
        parts.append(f'<p class="note">{_e(nothing)}</p>')
    for rows, heading, columns, widths in (
        (day.incoming, SECTION_INCOMING, INCOMING_COLUMNS, _INCOMING_WIDTHS),
        (day.outgoing, SECTION_OUTGOING, OUTGOING_COLUMNS, _OUTGOING_WIDTHS),
    ):
        if rows:
            parts.append(f"<h2>{_e(tr(heading))}</h2>")
            parts.append(_table(columns, widths, [_movement_cells(m, tr) for m in rows], tr))
    parts.append("</td></tr></tbody></table></section>")
    return "\n".join(parts)


def _shift_html(shift: ShiftSheet, tr: Translator) -> str:
    rows = shift.rows
    hours = sum(row.hours for row in rows)
    summary = tr(
        "operations: {count}, hours of work: {hours}", count=len(rows), hours=f"{hours:,.1f}"
    )
    body = []
    width = len(OPERATION_COLUMNS)
    for group in shift.groups:
        name = (
            tr("Engineering (people only)")
            if group.machine_id is None
            else f"{group.machine_id} · {group.process}"
        )
        body.append(f'<tr class="group"><th colspan="{width}">{_e(name)}</th></tr>')
        body.extend(_row_html(_operation_cells(row, tr), "op") for row in group.rows)
    parts = [f"<h2>{_e(_shift_title(shift, tr))} <small>({_e(summary)})</small></h2>"]
    if body:
        parts.append(
            f"{_thead(OPERATION_COLUMNS, tr, _OPERATION_WIDTHS)}<tbody>\n"
            + "\n".join(body)
            + "\n</tbody></table>"
        )
    if shift.continuing:
        parts.append(f"<h3>{_e(tr(SECTION_CONTINUING))}</h3>")
        parts.append(
            _table(
                CONTINUING_COLUMNS,
                _CONTINUING_WIDTHS,
                [_continuing_cells(row, tr) for row in shift.continuing],
                tr,
                "carry",
            )
        )
    return "\n".join(parts)


def _continuing_cells(row: OperationRow, tr: Translator) -> list[_Cell]:
    op = row.operation
    return [
        (op.machine_id or tr("Engineering (people only)"), ""),
        (_units_text(op, tr) or "–", "number"),
        (row.order_id, ""),
        (row.item_id, ""),
        (f"{row.quantity:,}", "number"),
        (str(op.step), "number"),
        (tr.instant(op.start), "time"),
        (tr.instant(op.end), "time"),
        (_crew_text(row), ""),
    ]


def _table(
    columns: tuple[str, ...],
    widths: tuple[int, ...],
    rows: list[list[_Cell]],
    tr: Translator,
    kind: str = "move",
) -> str:
    body = "\n".join(_row_html(cells, kind) for cells in rows)
    return f"{_thead(columns, tr, widths)}<tbody>\n{body}\n</tbody></table>"


def _thead(columns: tuple[str, ...], tr: Translator, widths: tuple[int, ...]) -> str:
    heads = "".join(f"<th>{_e(tr(c))}</th>" for c in columns)
    cols = "".join(f'<col style="width: {w}%">' for w in widths)
    return f'<table class="fixed"><colgroup>{cols}</colgroup><thead><tr>{heads}</tr></thead>'


_Cell = tuple[str, str]
"""A cell's text and its CSS class."""


def _row_html(cells: list[_Cell], kind: str) -> str:
    tds = "".join(
        f'<td class="{cls}">{_e(text)}</td>' if cls else f"<td>{_e(text)}</td>"
        for text, cls in cells
    )
    return f'<tr class="{kind}">{tds}</tr>'


def _operation_cells(row: OperationRow, tr: Translator) -> list[_Cell]:
    op = row.operation
    drawings = _drawings_text(row, tr)
    waiting = row.drawings is not None and not row.drawings.is_ready
    return [
        (_units_text(op, tr) or "–", "number"),
        (tr.clock(op.start), "time"),
        (tr.instant(op.end), "time"),
        (row.order_id, ""),
        (row.item_id, ""),
        (f"{row.quantity:,}", "number"),
        (str(op.step), "number"),
        (f"{row.hours:,.1f}", "number"),
        (_crew_text(row), ""),
        (drawings, "waiting" if waiting else ""),
        (_draws_text(row, tr), ""),
        ("☐", "check"),
    ]


def _movement_cells(move: MovementRow, tr: Translator) -> list[_Cell]:
    cells: list[_Cell] = [
        (tr(KIND_LABELS[move.kind]), ""),
        (move.what, ""),
        (move.order_id or "–", ""),
        (_quantity(move.quantity, move.unit), "number"),
        (move.counterpart, ""),
        ("–" if move.depart is None else tr.instant(move.depart), "time"),
        (tr.instant(move.arrive), "time"),
    ]
    if not move.kind.is_incoming:
        cells.append(("–" if move.due is None else tr.instant(move.due), "time"))
    cells.append(("☐", "check"))
    return cells


def _units_text(op: ScheduledOperation, tr: Translator) -> str:
    """``2``, or ``1,2,3`` for a gang, and the floor bay a part lies in; empty for
    engineering work."""
    if op.machine_id is None:
        return ""
    units = ",".join(str(unit + 1) for unit in op.held_units)
    if not op.on_floor:
        return units
    floor = tr("floor bay")
    return f"{units} · {floor}"


def _crew_text(row: OperationRow) -> str:
    return ", ".join(f"{c.skill} ×{c.size}" for c in row.crew) or "–"


def _drawings_text(row: OperationRow, tr: Translator) -> str:
    drawings = row.drawings
    if drawings is None:
        return "–"
    plants = ", ".join(drawings.from_plants)
    if drawings.ready_at is None:
        return tr("not in the plan")
    when = tr.instant(drawings.ready_at)
    if drawings.is_ready:
        return tr("ready {when} from {plants}", when=when, plants=plants)
    return tr("NOT READY: due {when} from {plants}", when=when, plants=plants)


def _draws_text(row: OperationRow, tr: Translator) -> str:
    texts = []
    for draw in row.draws:
        amount = f"{draw.material_id} {_quantity(draw.quantity, draw.unit)}"
        if draw.is_transfer:
            texts.append(
                tr(
                    "{amount} from the warehouse of {plant}, leaving it {when}",
                    amount=amount,
                    plant=draw.origin,
                    when=tr.instant(draw.depart),
                )
            )
        else:
            texts.append(tr("{amount} from our warehouse", amount=amount))
    return "; ".join(texts) or "–"


def _quantity(value: int, unit: str | None) -> str:
    return f"{value:,}" if not unit else f"{value:,} {unit}"


def _shift_title(shift: ShiftSheet, tr: Translator) -> str:
    if shift.number == 0:
        return tr("Outside the shifts")
    return tr(
        "Shift {number}, {start}–{end}",
        number=shift.number,
        start=tr.clock(shift.start),
        end=tr.clock(shift.end),
    )


def _plant_title(plant: PlantSheets) -> str:
    return f"{plant.plant_name} ({plant.plant_id})" if plant.plant_name else plant.plant_id


def _zone_note(sheets: Sheets, day: DaySheet, tr: Translator) -> str:
    zone = getattr(sheets.zone, "key", None)
    shifts = day.shifts
    sample = shifts[0].start if shifts else None
    offset = "" if sample is None else sample.strftime("%z")
    utc = f"UTC{offset[:3]}:{offset[3:]}" if offset else ""
    where = " ".join(part for part in (zone, f"({utc})" if utc and zone else utc) if part)
    return tr("Times are in {zone}.", zone=where) if where else ""


def sheets_csv(sheets: Sheets, tr: Translator) -> str:
    """The sheets' rows as CSV text: one line per operation and per movement.

    Instants read ``1958-07-01 06:00`` in the network's time zone, hours are plain
    numbers; headers and labels are in the translator's language. Write it with a
    byte-order mark (``utf-8-sig``) so spreadsheets read Chinese labels correctly.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([tr(c) for c in CSV_COLUMNS])
    writer.writerows(_csv_rows(sheets, tr))
    return out.getvalue()


def _csv_rows(sheets: Sheets, tr: Translator) -> Iterator[list[str]]:
    zone = sheets.zone

    def at(value: datetime | None) -> str:
        return "" if value is None else f"{value.astimezone(zone):%Y-%m-%d %H:%M}"

    for plant in sheets.plants:
        for day in plant.days:
            for shift in day.shifts:
                for group in shift.groups:
                    for row in group.rows:
                        op = row.operation
                        yield [
                            plant.plant_id,
                            day.day.isoformat(),
                            str(shift.number),
                            at(shift.start),
                            at(shift.end),
                            tr(SECTION_OPERATIONS),
                            group.machine_id or tr("Engineering (people only)"),
                            _units_text(op, tr),
                            row.order_id,
                            row.item_id,
                            str(row.quantity),
                            "",
                            str(op.step),
                            f"{row.hours:.2f}",
                            at(op.start),
                            at(op.end),
                            _crew_text(row),
                            _drawings_text(row, tr),
                            _draws_text(row, tr),
                            "",
                            "",
                            "",
                            "",
                        ]
                for row in shift.continuing:
                    op = row.operation
                    yield [
                        plant.plant_id,
                        day.day.isoformat(),
                        str(shift.number),
                        at(shift.start),
                        at(shift.end),
                        tr(SECTION_CONTINUING),
                        op.machine_id or tr("Engineering (people only)"),
                        _units_text(op, tr),
                        row.order_id,
                        row.item_id,
                        str(row.quantity),
                        "",
                        str(op.step),
                        "",
                        at(op.start),
                        at(op.end),
                        _crew_text(row),
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                    ]
            for section, moves in (
                (SECTION_INCOMING, day.incoming),
                (SECTION_OUTGOING, day.outgoing),
            ):
                for move in moves:
                    yield [
                        plant.plant_id,
                        day.day.isoformat(),
                        "",
                        "",
                        "",
                        f"{tr(section)}: {tr(KIND_LABELS[move.kind])}",
                        "",
                        "",
                        move.order_id or "",
                        move.what,
                        str(move.quantity),
                        move.unit or "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        move.counterpart,
                        at(move.depart),
                        at(move.arrive),
                        at(move.due),
                    ]


def plant_file_stems(sheets: Sheets) -> dict[str, str]:
    """A file name stem per plant, safe on every file system and distinct.

    ``CMT`` stays ``sheets-CMT``; other characters become ``_``, and a clash gets the
    plant's position (``sheets-A_B-2``).
    """
    stems: dict[str, str] = {}
    used: set[str] = set()
    for position, plant in enumerate(sheets.plants, start=1):
        stem = "sheets-" + re.sub(r"[^A-Za-z0-9._-]", "_", plant.plant_id)
        if stem.lower() in used:
            stem = f"{stem}-{position}"
        used.add(stem.lower())
        stems[plant.plant_id] = stem
    return stems


def one_plant(sheets: Sheets, plant: PlantSheets) -> Sheets:
    """The same sheets for one of their plants."""
    return replace(sheets, plants=(plant,))


def find_chromium() -> Path:
    """The Chromium (or Chrome) that prints PDFs.

    Raises
    ------
    InputError
        When none is installed: PDF output is then unavailable, the rest is not.
    """
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    raise InputError(
        "--pdf",
        "",
        "printing PDF needs Chromium, which is not installed (apt-get install chromium); "
        "leave out --pdf, or print the HTML sheets from a browser",
    )


def print_pdf(page: str, pdf: Path, chromium: Path) -> None:
    """Print an HTML document to ``pdf`` with headless Chromium (offline, A4 from its CSS).

    Raises
    ------
    InputError
        When Chromium fails or takes longer than :data:`PDF_TIMEOUT_S`.
    """
    with tempfile.TemporaryDirectory(prefix="xiezuo-pdf-") as folder:
        source = Path(folder) / "sheet.html"
        source.write_text(page, encoding="utf-8")
        command = [
            str(chromium),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            f"--user-data-dir={folder}/profile",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            source.as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, timeout=PDF_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired as exc:
            raise InputError(
                str(pdf), "", f"Chromium did not print the PDF within {PDF_TIMEOUT_S} s"
            ) from exc
        if done.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
            detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
            raise InputError(
                str(pdf),
                "",
                f"Chromium could not print the PDF (exit status {done.returncode}"
                + (f": {detail[0]}" if detail else "")
                + ")",
            )


def _e(text: str) -> str:
    return html.escape(text, quote=True)
