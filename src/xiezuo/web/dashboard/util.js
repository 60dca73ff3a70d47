// Small helpers shared by the views: building elements, times, hours and sortable tables.
import { ApiError } from './api.js';
import { t } from './i18n.js';

// An element with attributes (class, text, on<event>, data-*, anything else as an
// attribute) and children (nodes or text; null and false are skipped).
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (name === 'class') element.className = value;
    else if (name === 'text') element.textContent = value;
    else if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'value') element.value = value;
    else element.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

// Plan instants carry the network's offset: show its wall-clock time, as the plants read it.
export function wallTime(iso) {
  return iso ? iso.slice(0, 16).replace('T', ' ') : '—';
}

// A moment the server stamped (a report, a plan version): in this browser's time zone.
export function localTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  const two = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

// Due dates as the CLI shows them: a scenario's `due: 1958-07-31` is 00:00 on 1 August,
// so a column whose due dates all fall on midnight shows each as the day it ends.
export function isMidnight(iso) {
  return iso != null && iso.slice(11, 16) === '00:00';
}

export function dueText(iso, asDays) {
  if (!iso || !asDays) return wallTime(iso);
  const day = new Date(`${iso.slice(0, 10)}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() - 1);
  return day.toISOString().slice(0, 10);
}

export function wallDate(iso) {
  return iso ? iso.slice(0, 10) : '—';
}

export function hoursBetween(start, end) {
  return (Date.parse(end) - Date.parse(start)) / 3.6e6;
}

export function formatHours(hours) {
  if (hours == null || Number.isNaN(hours)) return '—';
  if (Math.abs(hours) >= 48) return t('common.days', { n: (hours / 24).toFixed(1) });
  return t('common.hours', { n: hours.toFixed(1) });
}

// A table whose headers sort it (click again to reverse). Each column has key, label,
// value(row) to sort by, optional render(row), numeric and wrap (long ids may break).
export function sortableTable(columns, rows, { sortKey = null, descending = false, rowClass } = {}) {
  let key = sortKey;
  let reverse = descending;
  const body = h('tbody');
  const headers = columns.map((column) =>
    h('th', {
      scope: 'col',
      class: column.numeric ? 'num sortable' : 'sortable',
      'data-key': column.key,
      tabindex: 0,
      onclick: () => {
        reverse = key === column.key ? !reverse : false;
        key = column.key;
        fill();
      },
      onkeydown: (event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          event.target.click();
        }
      },
    }, column.label),
  );
  function fill() {
    const column = columns.find((candidate) => candidate.key === key);
    const sorted = column ? [...rows].sort((a, b) => compare(column.value(a), column.value(b))) : rows;
    if (column && reverse) sorted.reverse();
    body.replaceChildren(
      ...sorted.map((row) =>
        h('tr', { class: rowClass ? rowClass(row) : null },
          columns.map((c) =>
            h('td', { class: c.numeric ? 'num' : c.wrap ? 'wrap' : null }, c.render ? c.render(row) : c.value(row) ?? '—'),
          ),
        ),
      ),
    );
    for (const header of headers) {
      const active = header.dataset.key === key;
      header.setAttribute('aria-sort', active ? (reverse ? 'descending' : 'ascending') : 'none');
    }
  }
  fill();
  const table = h('table', { class: 'data' }, h('thead', {}, h('tr', {}, headers)), body);
  // Draw the rows again, in the same order, after the data they show has changed.
  table.refresh = fill;
  return table;
}

function compare(a, b) {
  if (a == null) return b == null ? 0 : 1;
  if (b == null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

// plotly.js from the plotly Python package, fetched from this server only when a page
// draws a chart: it is 4.8 MB to parse.
let plotly = null;
export function loadPlotly() {
  if (!plotly) {
    plotly = new Promise((resolve, reject) => {
      const script = h('script', { src: '/dashboard/plotly.min.js' });
      script.addEventListener('load', () => resolve(window.Plotly));
      script.addEventListener('error', () => {
        plotly = null;
        reject(new Error('plotly.min.js did not load'));
      });
      document.head.append(script);
    });
  }
  return plotly;
}

export function notice(text, kind = 'info') {
  return h('p', { class: `notice ${kind}`, role: kind.startsWith('error') ? 'alert' : 'status' }, text);
}

export function describe(error) {
  if (error instanceof ApiError) return t('common.error', { detail: error.message });
  return String(error.message || error);
}

// The plan file data of a plan version (GET .../plans/{n} returns the row with `plan`).
export function planData(record) {
  return record && record.plan && record.plan.format === 'xiezuo-plan' ? record.plan : record;
}

// One row per order: delivered (with dates and lateness) or unplanned, with its item.
export function orderRows(data) {
  const schedule = data.schedule || { work_orders: [], deliveries: [] };
  const top = new Map();
  for (const wo of schedule.work_orders) if (wo.parent_id == null) top.set(wo.order_id, wo);
  const firstStart = new Map();
  for (const wo of schedule.work_orders) {
    const known = firstStart.get(wo.order_id);
    if (!known || Date.parse(wo.start) < Date.parse(known)) firstStart.set(wo.order_id, wo.start);
  }
  // Where a replan found the order at its status date: made, in work or not yet begun.
  const asOf = data.as_of ? Date.parse(data.as_of) : null;
  const stageOf = (delivery) => {
    if (asOf == null) return null;
    if (Date.parse(delivery.finish) <= asOf) return 'made';
    return Date.parse(firstStart.get(delivery.order_id)) < asOf ? 'in_work' : 'not_started';
  };
  const rows = schedule.deliveries.map((delivery) => {
    const lateness = hoursBetween(delivery.due, delivery.arrival);
    const wo = top.get(delivery.order_id);
    return {
      order: delivery.order_id,
      item: wo?.item_id ?? null,
      quantity: wo?.quantity ?? null,
      plant: delivery.plant_id,
      region: delivery.region,
      due: delivery.due,
      arrival: delivery.arrival,
      finish: delivery.finish,
      lateness: lateness > 0 ? lateness : 0,
      status: lateness > 1e-9 ? 'late' : 'on_time',
      stage: stageOf(delivery),
    };
  });
  for (const unplanned of data.unplanned || []) {
    rows.push({
      order: unplanned.order_id,
      item: top.get(unplanned.order_id)?.item_id ?? null,
      quantity: null,
      plant: null,
      region: null,
      due: null,
      arrival: null,
      lateness: null,
      status: 'unplanned',
      stage: null,
      message: unplanned.message,
    });
  }
  return rows;
}
