// What each plant and the office take away from a plan version: the plants' task sheets,
// the plan's workbook and CSV files, and the cooperation ledger (GET .../ledger) as tables.
// The files need the token, so they are fetched here and handed to the browser as downloads.
import { ApiError, api, token } from '../api.js';
import { currentLanguage, t } from '../i18n.js';
import { describe, formatHours, h, notice, planData, sortableTable, wallTime } from '../util.js';

const TABLES = ['orders', 'operations', 'load', 'material-draws', 'shipments', 'explanations', 'about'];

// Fetch a file with the token and save it under the name the server gives.
async function download(path, fallbackName) {
  const response = await fetch(path, { headers: { Authorization: `Bearer ${token()}` } });
  if (!response.ok) {
    let detail = null;
    try {
      detail = (await response.json()).detail;
    } catch {
      detail = null;
    }
    throw new ApiError(response.status, detail);
  }
  const disposition = response.headers.get('Content-Disposition') || '';
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] || fallbackName;
  const url = URL.createObjectURL(await response.blob());
  const link = h('a', { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return name;
}

function query(params) {
  const kept = Object.entries(params).filter(([, value]) => value != null && value !== '');
  return kept.length ? `?${new URLSearchParams(kept)}` : '';
}

function hours(value) {
  return value == null ? '—' : formatHours(value);
}

// A button that runs a download and says what came of it in `status`.
function downloadButton(id, label, status, target) {
  return h('button', {
    type: 'button',
    id,
    onclick: async () => {
      status.textContent = t('takeaway.fetching');
      try {
        const [path, fallback] = target();
        status.textContent = t('takeaway.saved', { name: await download(path, fallback) });
      } catch (error) {
        status.textContent = error instanceof ApiError ? describe(error) : String(error.message || error);
      }
    },
  }, label);
}

function sheetsSection(ctx, plants) {
  const mine = ctx.me.role === 'plant' ? ctx.me.plant : '';
  const plant = h('select', { id: 'sheets-plant' },
    h('option', { value: '' }, t('takeaway.every_plant')),
    plants.map((id) => h('option', { value: id, selected: id === mine }, id)),
  );
  const language = h('select', { id: 'sheets-lang' },
    ['zh', 'en'].map((code) => h('option', { value: code, selected: code === currentLanguage() }, t(`takeaway.lang.${code}`))),
  );
  const first = h('input', { id: 'sheets-from', type: 'date' });
  const days = h('input', { id: 'sheets-days', type: 'number', min: '1', max: '366', value: '7', style: 'width: 5rem' });
  const status = h('p', { class: 'muted', id: 'sheets-status', role: 'status' });
  const path = (format) => {
    const params = { plant: plant.value, lang: language.value, from: first.value, days: days.value, format };
    return [`${ctx.base}/plans/${ctx.planNumber}/sheets${query(params)}`, `sheets-plan-${ctx.planNumber}.${format}`];
  };
  return [
    h('h2', {}, t('takeaway.sheets_title')),
    h('p', { class: 'muted' }, t('takeaway.sheets_intro')),
    h('div', { class: 'toolbar' },
      h('label', {}, `${t('common.plant')} `, plant),
      h('label', {}, `${t('takeaway.language')} `, language),
      h('label', {}, `${t('takeaway.from')} `, first),
      h('label', {}, `${t('takeaway.days')} `, days),
      downloadButton('sheets-html', t('takeaway.sheets_html'), status, () => path('html')),
      downloadButton('sheets-pdf', t('takeaway.sheets_pdf'), status, () => path('pdf')),
      downloadButton('sheets-csv', t('takeaway.sheets_csv'), status, () => path('csv')),
    ),
    status,
  ];
}

function tablesSection(ctx) {
  const base = `${ctx.base}/plans/${ctx.planNumber}/tables`;
  const status = h('p', { class: 'muted', id: 'tables-status', role: 'status' });
  const table = h('select', { id: 'tables-name' }, TABLES.map((name) => h('option', { value: name }, t(`takeaway.table.${name}`))));
  return [
    h('h2', {}, t('takeaway.tables_title')),
    h('p', { class: 'muted' }, t('takeaway.tables_intro')),
    h('div', { class: 'toolbar' },
      downloadButton('tables-xlsx', t('takeaway.workbook'), status, () => [base, `plan-${ctx.planNumber}.xlsx`]),
      downloadButton('tables-zip', t('takeaway.all_csv'), status, () => [`${base}?format=csv`, `plan-${ctx.planNumber}-csv.zip`]),
      h('span', { class: 'buttons' },
        table,
        downloadButton('tables-csv', t('takeaway.one_csv'), status,
          () => [`${base}${query({ format: 'csv', table: table.value })}`, `plan-${ctx.planNumber}-${table.value}.csv`]),
      ),
    ),
    status,
  ];
}

function promisesTable(ledger) {
  return sortableTable([
    { key: 'work_order', label: t('takeaway.work_order'), value: (p) => p.work_order, wrap: true },
    { key: 'order', label: t('common.order'), value: (p) => p.order },
    { key: 'item', label: t('common.item'), value: (p) => p.item },
    { key: 'quantity', label: t('common.quantity'), value: (p) => p.quantity, numeric: true },
    { key: 'origin', label: t('takeaway.origin'), value: (p) => p.origin },
    { key: 'destination', label: t('takeaway.destination'), value: (p) => p.destination },
    { key: 'depart', label: t('takeaway.depart'), value: (p) => p.depart, render: (p) => wallTime(p.depart) },
    { key: 'arrive', label: t('takeaway.arrive'), value: (p) => p.arrive, render: (p) => wallTime(p.arrive) },
    { key: 'need', label: t('takeaway.need'), value: (p) => p.need, render: (p) => wallTime(p.need) },
    { key: 'slack', label: t('takeaway.slack'), value: (p) => p.slack_working_hours, numeric: true,
      render: (p) => hours(p.slack_working_hours) },
    { key: 'on_time', label: t('common.status'), value: (p) => (p.on_time ? 1 : 0),
      render: (p) => h('span', { class: `status ${p.on_time ? 'on_time' : 'late'}` }, t(p.on_time ? 'takeaway.on_time' : 'takeaway.late')) },
  ], ledger.promises, { sortKey: 'slack', rowClass: (p) => (p.on_time ? null : 'late') });
}

function waitsTable(ledger) {
  return sortableTable([
    { key: 'waiting', label: t('takeaway.waiting'), value: (w) => w.waiting },
    { key: 'on', label: t('takeaway.waits_on'), value: (w) => w.on },
    { key: 'promises', label: t('takeaway.promises'), value: (w) => w.promises, numeric: true },
    { key: 'late', label: t('takeaway.late_promises'), value: (w) => w.late, numeric: true },
    { key: 'tightest', label: t('takeaway.tightest'), value: (w) => w.tightest_slack_working_hours, numeric: true,
      render: (w) => `${hours(w.tightest_slack_working_hours)} (${w.tightest_work_order})` },
  ], ledger.waits, { sortKey: 'late', descending: true, rowClass: (w) => (w.late ? 'late' : null) });
}

function helpTable(ledger) {
  return sortableTable([
    { key: 'plant', label: t('common.plant'), value: (p) => p.plant },
    { key: 'own', label: t('takeaway.own'), value: (p) => p.own_hours, numeric: true, render: (p) => hours(p.own_hours) },
    { key: 'given', label: t('takeaway.given'), value: (p) => p.given_hours, numeric: true, render: (p) => hours(p.given_hours) },
    { key: 'received', label: t('takeaway.received'), value: (p) => p.received_hours, numeric: true, render: (p) => hours(p.received_hours) },
    { key: 'balance', label: t('takeaway.balance'), value: (p) => p.given_hours - p.received_hours, numeric: true,
      render: (p) => {
        const balance = p.given_hours - p.received_hours;
        return `${balance > 0 ? '+' : ''}${hours(balance)}`;
      } },
  ], ledger.help, { sortKey: 'balance', descending: true });
}

function chainsTable(ledger) {
  return sortableTable([
    { key: 'order', label: t('common.order'), value: (c) => c.order },
    { key: 'item', label: t('common.item'), value: (c) => c.item },
    { key: 'lateness', label: t('orders.lateness'), value: (c) => c.lateness_hours, numeric: true, render: (c) => hours(c.lateness_hours) },
    { key: 'responsible', label: t('takeaway.responsible'), value: (c) => c.responsible[0]?.held_hours ?? 0, numeric: true,
      render: (c) => c.responsible.map((r) => `${r.plant} ${hours(r.held_hours)}`).join(' · ') },
    { key: 'chain', label: t('takeaway.chain'), value: (c) => c.chain.length, numeric: true, wrap: true,
      render: (c) => c.chain.map((link) => `${link.item}@${link.plant}`).join(' → ') },
    { key: 'transport', label: t('takeaway.transport'), value: (c) => c.transport_hours, numeric: true, render: (c) => hours(c.transport_hours) },
  ], ledger.late_orders, { sortKey: 'lateness', descending: true, rowClass: () => 'late' });
}

async function ledgerSection(ctx, plants) {
  const holder = h('div', { id: 'ledger' });
  const plant = h('select', { id: 'ledger-plant' },
    h('option', { value: '' }, t('takeaway.every_plant')),
    plants.map((id) => h('option', { value: id }, id)),
  );
  async function show() {
    holder.replaceChildren(notice(t('common.loading')));
    try {
      const ledger = await api(`${ctx.base}/plans/${ctx.planNumber}/ledger${query({ plant: plant.value })}`);
      const part = (id, titleKey, rows, table, emptyKey) => [
        h('h3', {}, t(titleKey, { count: rows.length })),
        rows.length ? h('div', { class: 'table-scroll', id }, table(ledger)) : h('p', { class: 'muted', id }, t(emptyKey)),
      ];
      holder.replaceChildren(
        ...part('ledger-promises', 'takeaway.promises_title', ledger.promises, promisesTable, 'takeaway.no_promises'),
        ...part('ledger-waits', 'takeaway.waits_title', ledger.waits, waitsTable, 'takeaway.no_waits'),
        ...part('ledger-help', 'takeaway.help_title', ledger.help, helpTable, 'takeaway.no_help'),
        ...part('ledger-chains', 'takeaway.chains_title', ledger.late_orders, chainsTable, 'takeaway.no_late'),
      );
    } catch (error) {
      holder.replaceChildren(notice(describe(error), 'error'));
    }
  }
  plant.addEventListener('change', show);
  await show();
  return [
    h('h2', {}, t('takeaway.ledger_title')),
    h('p', { class: 'muted' }, t('takeaway.ledger_intro')),
    h('div', { class: 'toolbar' }, h('label', {}, `${t('common.plant')} `, plant)),
    holder,
  ];
}

export async function render(ctx) {
  const record = await ctx.plan();
  if (!record) return ctx.noPlan();
  const schedule = planData(record).schedule;
  const plants = [...new Set((schedule?.operations ?? []).map((op) => op.plant_id))].sort();
  return [
    h('h1', {}, t('takeaway.title', { number: ctx.planNumber })),
    sheetsSection(ctx, plants),
    tablesSection(ctx),
    schedule ? await ledgerSection(ctx, plants) : notice(t('takeaway.no_schedule')),
  ].flat();
}
