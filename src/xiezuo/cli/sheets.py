"""``xiezuo sheets``: printable task sheets for each plant, per day and shift."""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from xiezuo.cli._shared import EXIT_FINDINGS, fail, guarded, say
from xiezuo.i18n import LANGUAGES, translator
from xiezuo.io.plan_file import read_plan
from xiezuo.services import display
from xiezuo.services.display import plural
from xiezuo.services.planning import load_network
from xiezuo.services.sheets import MAX_DAYS, task_sheets
from xiezuo.web.sheets import (
    find_chromium,
    one_plant,
    plant_file_stems,
    print_pdf,
    sheets_csv,
    sheets_html,
)

if TYPE_CHECKING:
    from xiezuo.i18n import Translator
    from xiezuo.services.sheets import Sheets


def sheets(
    plan_file: Annotated[
        Path, typer.Argument(help="Plan JSON written by `xiezuo plan --out`.", show_default=False)
    ],
    scenario: Annotated[
        Path,
        typer.Option(help="The plan's scenario file (.yaml, .yml, .json).", show_default=False),
    ],
    out: Annotated[Path, typer.Option(help="Folder to write the sheets to.")] = Path("sheets"),
    plant: Annotated[
        str | None, typer.Option(help="Only this plant's sheets (its ID); default: every plant.")
    ] = None,
    first_day: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="First day, YYYY-MM-DD; default: the horizon start (a replan's status date).",
        ),
    ] = None,
    days: Annotated[
        int | None,
        typer.Option(min=1, max=MAX_DAYS, help="Number of days; default: to the plan's last day."),
    ] = None,
    lang: Annotated[
        str, typer.Option(help=f"Language of the labels: {' or '.join(LANGUAGES)}.")
    ] = "en",
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Also print each plant's sheets to PDF.")
    ] = False,
    csv: Annotated[
        bool, typer.Option("--csv", help="Also write each plant's rows as CSV.")
    ] = False,
) -> None:
    """Write each plant's task sheets: per day and shift, by machine group, what to do.

    Each operation is on the sheet of the shift it starts in, with its crew, whether its
    drawings are ready and the material to draw; each day lists the parts and material
    coming in and going out. One HTML file per plant (sheets-PLANT.html) prints on A4,
    a page per day; --csv adds the same rows as CSV, --pdf a PDF printed by Chromium.
    docs/sheets.md explains the sheets. Exits 0; 1 when the plan has no schedule; 2 on
    bad input (nothing is written then).
    """
    tr = guarded(lambda: translator(lang))
    start = _parse_day(first_day) if first_day is not None else None
    chromium = guarded(find_chromium) if pdf else None
    _check_folder(out)
    network = guarded(lambda: load_network(scenario))
    plan = guarded(lambda: read_plan(plan_file, near=network.start))
    if plan.schedule is None:
        say(f"The plan has no schedule (status: {plan.status.value}): there is nothing to do.")
        raise typer.Exit(EXIT_FINDINGS)
    result = guarded(lambda: task_sheets(network, plan, plant_id=plant, first_day=start, days=days))
    stems = plant_file_stems(result)
    out.mkdir(exist_ok=True)
    # Everything is made in a folder beside the outputs first and moved in at the end,
    # so a failure (Chromium, a full disk) leaves no half-written set of sheets.
    staging = Path(tempfile.mkdtemp(prefix=".sheets-", dir=out))
    try:
        written = [
            (
                plant_sheets,
                _write_plant(staging, one_plant(result, plant_sheets), stems, tr, csv, chromium),
            )
            for plant_sheets in result.plants
        ]
        for _, names in written:
            for name in names:
                (staging / name).replace(out / name)
    except OSError as exc:
        fail(f"{out}: could not write the sheets: {exc.strerror or exc}; none are saved")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    zone = getattr(result.zone, "key", None) or "the network's time zone"
    say(f"Task sheets from {result.first_day} to {result.last_day}, times in {zone}, in {out}:")
    for plant_sheets, names in written:
        operations = sum(len(day.rows) for day in plant_sheets.days)
        hours = sum(row.hours for day in plant_sheets.days for row in day.rows)
        stem, _ = names[0].rsplit(".", 1)
        kinds = "/".join(name.rsplit(".", 1)[1] for name in names)
        say(
            f"  {stem}.{kinds}: ",
            plural(len(plant_sheets.days), "day"),
            f", {plural(operations, 'operation')}, {display.hours(hours)}",
        )


def _write_plant(
    folder: Path,
    single: Sheets,
    stems: dict[str, str],
    tr: Translator,
    csv: bool,
    chromium: Path | None,
) -> list[str]:
    """Write one plant's sheets into ``folder``; the names of the files written."""
    stem = stems[single.plants[0].plant_id]
    page = sheets_html(single, tr)
    (folder / f"{stem}.html").write_text(page, encoding="utf-8")
    names = [f"{stem}.html"]
    if csv:
        # With a byte-order mark, so spreadsheets read Chinese labels right.
        (folder / f"{stem}.csv").write_text(sheets_csv(single, tr), encoding="utf-8-sig")
        names.append(f"{stem}.csv")
    if chromium is not None:
        guarded(lambda: print_pdf(page, folder / f"{stem}.pdf", chromium))
        names.append(f"{stem}.pdf")
    return names


def _parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"--from: {text!r} is not a day; write it as YYYY-MM-DD, such as 1958-07-01")


def _check_folder(out: Path) -> None:
    """Refuse an output folder that cannot be one, before the scenario is read."""
    if out.exists() and not out.is_dir():
        fail(f"{out}: cannot write the sheets there: it is a file; give a folder")
    if not out.parent.is_dir():
        fail(f"{out}: cannot write the sheets there: the folder {out.parent} does not exist")
    if out.exists() and not os.access(out, os.W_OK):
        fail(f"{out}: cannot write the sheets there: permission denied")
