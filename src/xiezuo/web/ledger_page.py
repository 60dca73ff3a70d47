"""The cooperation ledger as text cells and as a self-contained HTML page.

The cell functions give the terminal (``xiezuo ledger``) and the page the same
headers and the same wording; :func:`ledger_page_html` lays them out as one page
that needs no network, for the coordinating office to print or pass round.
"""

from __future__ import annotations

import html
from datetime import timedelta
from typing import TYPE_CHECKING

from xiezuo.services import display
from xiezuo.services.ledger import PromiseState
from xiezuo.web.page import LATE_COLOUR, html_page

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import datetime, tzinfo

    from xiezuo.services.ledger import Ledger, OrderChain, Promise, PromiseCheck

_HOUR = timedelta(hours=1)

PROMISE_COLUMNS = (
    "from",
    "to",
    "part",
    "order",
    "qty",
    "leaves",
    "arrives",
    "needed",
    "working slack",
    "calendar slack",
)
HELP_COLUMNS = ("plant", "own orders", "help given", "help received", "balance")
CHAIN_COLUMNS = ("part", "plant", "inputs in", "start", "end", "held", "then")
CHECK_COLUMNS = ("state", "from", "to", "part", "order", "leaves", "why")

SLACK_NOTE = (
    "working slack: the receiving plant's working hours (its plant calendar) from the "
    "part's arrival to the start of the first operation that uses it; calendar slack: "
    "the same in calendar days. Negative: the part comes after it is needed."
)
WAITS_NOTE = (
    "Row: the plant that waits; column: the plant it waits on. Cell: promises, and the "
    "least working slack among them (and how many come too late, if any)."
)
HELP_NOTE = (
    "Hours of work (setup and run; a ganged step counts every machine unit it holds) by "
    "whose order it serves: an order belongs to the "
    "plant that finishes its end product. Help given: work for orders other plants "
    "finish; help received: other plants' work for this plant's orders. All plants "
    "together give as many hours as they receive."
)
REGION_NOTE = "Each plant's hours of work by the customer region of the order it serves."
LENT_COLUMNS = ("plant", "region", "person-hours")
LENT_NOTE = (
    "Help of another kind: the plant's people seconded to a region (the scenario's "
    "secondments), counted in the plant's working hours while they are away, from the "
    "horizon start to the plan's last operation."
)
CHAIN_NOTE = (
    "The critical chain, from the end product down: at each work order, the input that "
    "reached it last. inputs in: when that input arrived (for the last line, the "
    "earliest the order could start); held: from then to the work order's end, at its "
    "plant (waiting and working); then: the plant its part went to next (the line above) "
    "and the promise's working slack; (none): drawings reaching a plant whose work they "
    "gate, which the plan records no shipment for."
)
STATE_NOTES = {
    PromiseState.KEPT: "finished by the day it was to leave",
    PromiseState.LATE: "finished after that day, or the day has passed without it",
    PromiseState.AT_RISK: "not due yet, but behind its plan or short of slack",
    PromiseState.ON_TRACK: "not due yet, on plan and with slack",
}


def summary(ledger: Ledger) -> str:
    """One sentence: how many promises between how many plants, how many too late."""
    if not ledger.promises and ledger.plant_id is not None:
        return f"{ledger.plant_id} makes no promise to another plant, and none is made to it."
    if not ledger.promises:
        return "The plan has no promises between plants: every part is made where it is used."
    plants = {p.origin for p in ledger.promises} | {p.destination for p in ledger.promises}
    too_late = sum(not p.is_on_time for p in ledger.promises)
    tight = sum(p.is_on_time and p.working_slack < ledger.risk_slack for p in ledger.promises)
    late_orders = len(ledger.late_orders)
    among = (
        f"made by or to {ledger.plant_id}"
        if ledger.plant_id is not None
        else f"between {display.plural(len(plants), 'plant')}"
    )
    return (
        f"{display.plural(len(ledger.promises), 'promise')} {among}: "
        f"{too_late:,} arrive after they are needed, {tight:,} with less than "
        f"{display.hours(ledger.risk_slack / _HOUR)} of working slack; "
        f"{display.plural(late_orders, 'late order')}."
    )


def promise_cells(promise: Promise, zone: tzinfo | None) -> tuple[str, ...]:
    """A promise under :data:`PROMISE_COLUMNS`."""
    return (
        promise.origin,
        promise.destination,
        promise.item_id + (" (design)" if promise.is_design else ""),
        promise.order_id,
        f"{promise.quantity:,}",
        display.instant(promise.depart, zone),
        display.instant(promise.arrive, zone),
        display.instant(promise.need, zone),
        display.hours(promise.working_slack / _HOUR),
        display.days(promise.slack),
    )


def tightest(promises: Iterable[Promise], count: int) -> list[Promise]:
    """The ``count`` promises with least working slack: the ones to watch."""
    return sorted(promises, key=lambda p: (p.working_slack, p.slack, p.depart, p.work_order_id))[
        :count
    ]


def wait_table(ledger: Ledger) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """Who waits on whom as headers and rows: one row per waiting plant."""
    waiting = sorted({w.waiting for w in ledger.waits})
    on = sorted({w.on for w in ledger.waits})
    cell = {(w.waiting, w.on): w for w in ledger.waits}
    rows = []
    for plant in waiting:
        cells = [plant]
        for other in on:
            wait = cell.get((plant, other))
            if wait is None:
                cells.append(display.NONE)
                continue
            text = f"{wait.promises:,} · {display.hours(wait.tightest.working_slack / _HOUR)}"
            if wait.late:
                text += f" · {wait.late:,} late"
            cells.append(text)
        rows.append(tuple(cells))
    return ("waiting", *on), rows


WAIT_COLUMNS = ("waiting", "on", "promises", "late", "least slack", "tightest part")
WAIT_LIST_NOTE = (
    "One line per pair of plants: the plant that waits, the plant it waits on, the "
    "promises between them, how many come too late, and the least working slack."
)


def wait_rows(ledger: Ledger) -> list[tuple[str, ...]]:
    """Who waits on whom as one row per pair under :data:`WAIT_COLUMNS`: the matrix's
    form when too many plants make it too wide to read."""
    return [
        (
            w.waiting,
            w.on,
            f"{w.promises:,}",
            f"{w.late:,}",
            display.hours(w.tightest.working_slack / _HOUR),
            w.tightest.item_id,
        )
        for w in ledger.waits
    ]


def help_rows(ledger: Ledger) -> list[tuple[str, ...]]:
    """Plants under :data:`HELP_COLUMNS`, most help given first."""
    return [
        (
            h.plant_id,
            display.hours(h.own / _HOUR),
            display.hours(h.given / _HOUR),
            display.hours(h.received / _HOUR),
            f"{h.balance / _HOUR:+,.1f} h",
        )
        for h in sorted(ledger.help, key=lambda h: (-h.given, h.plant_id))
    ]


def region_table(ledger: Ledger) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """Each plant's hours by customer region, regions in the network's order."""
    regions: list[str] = []
    for h in ledger.help:
        regions.extend(region for region, _ in h.by_region if region not in regions)
    rows = []
    for h in ledger.help:
        hours_by_region = dict(h.by_region)
        rows.append(
            (
                h.plant_id,
                *(
                    display.hours(hours_by_region[r] / _HOUR)
                    if r in hours_by_region
                    else display.NONE
                    for r in regions
                ),
            )
        )
    return ("plant", *regions), rows


def lent_rows(ledger: Ledger) -> list[tuple[str, ...]]:
    """People lent to regions under :data:`LENT_COLUMNS`, plant by plant."""
    return [
        (h.plant_id, region, display.hours(hours / _HOUR))
        for h in ledger.help
        for region, hours in h.lent
    ]


def chain_headline(chain: OrderChain) -> str:
    """``SC-MILL-02 (MILL-50K at CMT) arrives 3.8 d late.``; with a responsible plant
    other than the finishing one, ``(MILL-50K at CMT, taken on by CAC)``."""
    lateness = chain.lateness
    if lateness is None:
        when = "has no due date"
    elif lateness > timedelta(0):
        when = f"arrives {display.days(lateness)} late"
    else:
        when = f"arrives {display.days(-lateness)} early"
    taken_on = (
        f", taken on by {chain.responsible_plant}"
        if chain.responsible_plant not in (None, chain.plant_id)
        else ""
    )
    return f"{chain.order_id} ({chain.item_id} at {chain.plant_id}{taken_on}) {when}."


def chain_responsible(chain: OrderChain) -> str:
    """Where the chain's time went: ``CAC 54.7 d, CMT 6.2 d; transport 2.0 d.``"""
    plants = ", ".join(f"{plant} {display.days(held)}" for plant, held in chain.responsible)
    promised = ", ".join(f"{p.origin}→{p.destination} ({p.item_id})" for p in chain.promises)
    text = f"Time on the chain: {plants}; transport {display.days(chain.transport)}."
    if promised:
        text += f" Promises on it: {promised}."
    return text


def chain_rows(chain: OrderChain, zone: tzinfo | None) -> list[tuple[str, ...]]:
    """The chain's links under :data:`CHAIN_COLUMNS`, end product first."""
    rows: list[tuple[str, ...]] = []
    for upper, link in zip((None, *chain.links), chain.links, strict=False):
        if upper is None:
            then = "customer"
        elif link.promise is not None:
            slack = display.hours(link.promise.working_slack / _HOUR)
            then = f"→ {link.promise.destination} {slack}"
        elif link.plant_id != upper.plant_id:
            then = f"→ {upper.plant_id} (none)"
        else:
            then = "same plant"
        rows.append(
            (
                link.item_id,
                link.plant_id,
                display.instant(link.ready, zone),
                display.instant(link.start, zone),
                display.instant(link.end, zone),
                display.days(link.held),
                then,
            )
        )
    return rows


def worrying(checks: Iterable[PromiseCheck]) -> list[PromiseCheck]:
    """The late promises, then those at risk, each by departure."""
    rank = {PromiseState.LATE: 0, PromiseState.AT_RISK: 1}
    return sorted(
        (c for c in checks if c.state in rank),
        key=lambda c: (rank[c.state], c.promise.depart, c.promise.work_order_id),
    )


def state_counts(checks: Sequence[PromiseCheck]) -> str:
    """``kept 12, late 2, at risk 5, on track 90``."""
    return ", ".join(
        f"{state.value} {sum(c.state is state for c in checks):,}" for state in PromiseState
    )


def check_cells(check: PromiseCheck, zone: tzinfo | None) -> tuple[str, ...]:
    """A checked promise under :data:`CHECK_COLUMNS`."""
    promise = check.promise
    return (
        check.state.value,
        promise.origin,
        promise.destination,
        promise.item_id,
        promise.order_id,
        display.instant(promise.depart, zone),
        check.reason,
    )


_STYLE = f"""
<style>
section {{ margin-bottom: 2rem; }}
p.note {{ color: #555; font-size: 0.85rem; max-width: 60rem; }}
tr.too-late td {{ color: {LATE_COLOUR}; font-weight: bold; }}
tr.tight td {{ background: #fff3d6; }}
tr.state-late td:first-child {{ color: {LATE_COLOUR}; font-weight: bold; }}
tr.state-at-risk td:first-child {{ color: #b36b00; font-weight: bold; }}
tr.state-kept td:first-child {{ color: #2a7d2a; }}
td {{ white-space: nowrap; }}
td.why {{ white-space: normal; }}
div.wide {{ overflow-x: auto; max-width: 100%; }}
@media print {{ section {{ break-inside: auto; }} tr {{ break-inside: avoid; }} }}
</style>"""


def ledger_page_html(
    ledger: Ledger, *, title: str, zone: tzinfo | None, focus: OrderChain | None = None
) -> str:
    """A self-contained page with the whole ledger, for ``xiezuo ledger --html``.

    Every late order gets its critical chain; ``focus``, the chain of an order asked
    for (late or not), comes first. Every text from the plan and the scenario is
    escaped.
    """
    parts = [f"<p>{_e(summary(ledger))} {_e(display.zone_note(zone, ledger.start))}</p>"]
    if ledger.checks is not None and ledger.as_of is not None:
        parts.append(_checks_section(ledger.checks, ledger.as_of, zone))
    header, rows = wait_table(ledger)
    parts.append(
        _section(
            "Who waits on whom",
            f'<div class="wide">{_table(header, rows, numbers_from=1)}</div>'
            if rows
            else "<p>Nobody waits.</p>",
            WAITS_NOTE,
        )
    )
    parts.append(
        _section(
            "Help given and received",
            _table(HELP_COLUMNS, help_rows(ledger), numbers_from=1),
            HELP_NOTE,
        )
    )
    region_header, region_rows = region_table(ledger)
    parts.append(
        _section(
            "Work by customer region",
            _table(region_header, region_rows, numbers_from=1),
            REGION_NOTE,
        )
    )
    if lent := lent_rows(ledger):
        parts.append(
            _section(
                "People lent to regions", _table(LENT_COLUMNS, lent, numbers_from=2), LENT_NOTE
            )
        )
    chains = list(ledger.late_orders)
    if focus is not None:
        chains = [focus, *(c for c in chains if c.order_id != focus.order_id)]
    parts.append(_chains_section(chains, zone))
    parts.append(
        _section(
            "Every promise, by departure",
            _promise_table(ledger, zone) if ledger.promises else "<p>None.</p>",
            SLACK_NOTE + " Red: too late; shaded: less working slack than "
            f"{display.hours(ledger.risk_slack / _HOUR)}.",
        )
    )
    return html_page(title, "\n".join(parts), head=_STYLE)


def _chains_section(chains: list[OrderChain], zone: tzinfo | None) -> str:
    if not chains:
        return _section("Late orders", "<p>No order is late.</p>", None)
    blocks = []
    for chain in chains:
        explanation = f"<p>{_e(chain.explanation)}</p>" if chain.explanation is not None else ""
        blocks.append(
            f'<h3 id="order-{_e(chain.order_id)}">{_e(chain_headline(chain))}</h3>\n'
            + explanation
            + f"<p>{_e(chain_responsible(chain))}</p>\n"
            + _table(CHAIN_COLUMNS, chain_rows(chain, zone))
        )
    return _section("Critical chains", "\n".join(blocks), CHAIN_NOTE)


def _checks_section(checks: Sequence[PromiseCheck], as_of: datetime, zone: tzinfo | None) -> str:
    shown = worrying(checks)
    rows = "\n".join(
        f'<tr class="state-{c.state.value.replace(" ", "-")}">'
        + "".join(f"<td>{_e(cell)}</td>" for cell in check_cells(c, zone)[:-1])
        + f'<td class="why">{_e(c.reason)}</td>'
        + "</tr>"
        for c in shown
    )
    notes = "; ".join(f"{state.value}: {note}" for state, note in STATE_NOTES.items())
    body = f"<p>As of {_e(display.instant(as_of, zone))}: {_e(state_counts(checks))}.</p>\n" + (
        f"<table><thead>{_header_row(CHECK_COLUMNS)}</thead><tbody>\n{rows}\n</tbody></table>"
        if shown
        else "<p>No promise is late or at risk.</p>"
    )
    return _section("Promises against progress: late and at risk", body, notes + ".")


def _promise_table(ledger: Ledger, zone: tzinfo | None) -> str:
    rows = []
    for promise in ledger.promises:
        css = (
            "too-late"
            if not promise.is_on_time
            else "tight"
            if promise.working_slack < ledger.risk_slack
            else ""
        )
        cells = promise_cells(promise, zone)
        rows.append(
            f'<tr class="{css}">'
            + "".join(
                f"<td{' class=number' if idx >= 8 or idx == 4 else ''}>{_e(cell)}</td>"
                for idx, cell in enumerate(cells)
            )
            + "</tr>"
        )
    return (
        f"<table><thead>{_header_row(PROMISE_COLUMNS)}</thead><tbody>\n"
        + "\n".join(rows)
        + "\n</tbody></table>"
    )


def _section(title: str, body: str, note: str | None) -> str:
    note_html = f'\n<p class="note">{_e(note)}</p>' if note else ""
    return f"<section>\n<h2>{_e(title)}</h2>\n{body}{note_html}\n</section>"


def _header_row(columns: Sequence[str]) -> str:
    return "<tr>" + "".join(f"<th>{_e(c)}</th>" for c in columns) + "</tr>"


def _table(
    columns: Sequence[str], rows: Sequence[Sequence[str]], *, numbers_from: int | None = None
) -> str:
    """A plain table; the cells from column ``numbers_from`` on are figures, set right."""

    def cell(idx: int, text: str) -> str:
        css = ' class="number"' if numbers_from is not None and idx >= numbers_from else ""
        return f"<td{css}>{_e(text)}</td>"

    body = "\n".join(
        "<tr>" + "".join(cell(idx, text) for idx, text in enumerate(row)) + "</tr>" for row in rows
    )
    return f"<table><thead>{_header_row(columns)}</thead><tbody>\n{body}\n</tbody></table>"


def _e(text: str) -> str:
    return html.escape(text)
