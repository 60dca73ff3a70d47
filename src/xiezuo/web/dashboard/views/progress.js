// The progress form: a plant user reports for their own plant only (the server refuses
// any other, and so does this page); a planner may report for any plant. Picking one of
// the plant's planned operations fills the form in. Every report carries an
// idempotency key, kept while the same report is retried, so it is applied once.
import { api, listAll, request } from '../api.js';
import { t } from '../i18n.js';
import { describe, h, localTime, notice, planData, sortableTable, wallTime } from '../util.js';

const KINDS = {
  step_done: ['work_order', 'step', 'machine', 'unit', 'start', 'end'],
  step_started: ['work_order', 'step', 'machine', 'unit', 'start', 'work_done_hours', 'quantity_done', 'scrapped'],
  quantity_done: ['work_order', 'step', 'quantity_done', 'work_done_hours'],
  scrap: ['work_order', 'step', 'scrapped'],
  count: ['material', 'quantity'],
  receipt: ['material', 'quantity', 'arrived'],
  down: ['machine', 'units', 'from', 'until'],
};
const REQUIRED = {
  step_done: ['work_order', 'step', 'end'],
  step_started: ['work_order', 'step', 'start'],
  quantity_done: ['work_order', 'step', 'quantity_done'],
  scrap: ['work_order', 'step', 'scrapped'],
  count: ['material', 'quantity'],
  receipt: ['material', 'quantity', 'arrived'],
  down: ['machine', 'from'],
};
const WITHOUT_PLANT = new Set(['quantity_done', 'scrap']);
const FIELDS = {
  work_order: { label: 'progress.work_order', type: 'text', list: 'progress-work-orders' },
  step: { label: 'common.step', type: 'number', min: 1 },
  machine: { label: 'common.machine', type: 'text', list: 'progress-machines' },
  // Numbered from 1 as in the Gantt's rows ("lathes #2"); the record counts from 0.
  unit: { label: 'common.unit', type: 'number', min: 1 },
  start: { label: 'common.start', type: 'datetime-local' },
  end: { label: 'common.end', type: 'datetime-local' },
  work_done_hours: { label: 'progress.work_done_hours', type: 'number', min: 0, step: 'any' },
  quantity_done: { label: 'progress.quantity', type: 'number', min: 0 },
  scrapped: { label: 'progress.scrapped', type: 'number', min: 0 },
  material: { label: 'progress.material', type: 'text' },
  quantity: { label: 'progress.quantity', type: 'number', min: 0 },
  arrived: { label: 'progress.arrived', type: 'datetime-local' },
  units: { label: 'progress.units', type: 'number', min: 1 },
  from: { label: 'progress.from', type: 'datetime-local' },
  until: { label: 'progress.until', type: 'datetime-local' },
};

// A random key from crypto.getRandomValues, which (unlike randomUUID) plain-HTTP pages
// on the plant's network also have.
function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `dash-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

function summary(report) {
  const r = report.record || {};
  if (r.work_order) return `${r.work_order} · ${t('common.step')} ${r.step ?? ''}`;
  if (r.material) return `${r.material} × ${r.quantity}`;
  if (r.machine) return `${r.machine}${r.units ? ` × ${r.units}` : ''}`;
  return JSON.stringify(r);
}

export async function render(ctx) {
  const me = ctx.me;
  if (me.role === 'viewer') return notice(t('progress.viewer'), 'error');
  const record = await ctx.plan();
  const data = record ? planData(record) : null;
  const operations = data?.schedule?.operations || [];
  const plants = [...new Set(operations.map((op) => op.plant_id))].sort();
  const plant = ctx.rest[0] || (me.role === 'plant' ? me.plant : plants[0]);
  const refused = me.role === 'plant' && plant !== me.plant;
  const own = operations.filter((op) => op.plant_id === plant);

  const inputs = {};
  const rows = Object.entries(FIELDS).map(([name, spec]) => {
    const input = h('input', {
      id: `progress-${name}`,
      name,
      type: spec.type,
      min: spec.min,
      step: spec.step ?? (spec.type === 'datetime-local' ? 60 : null),
      list: spec.list,
      autocomplete: 'off',
    });
    inputs[name] = input;
    return h('div', { class: 'field', 'data-field': name },
      h('label', { for: `progress-${name}` }, t(spec.label)), input);
  });
  const kind = h('select', { id: 'progress-kind', name: 'kind' },
    Object.keys(KINDS).map((value) => h('option', { value }, t(`progress.kind.${value}`))),
  );
  const asOf = h('input', { id: 'progress-as-of', type: 'datetime-local', step: 60 });
  const result = h('div', { id: 'progress-result', 'aria-live': 'polite' });
  const history = h('div', { id: 'progress-history', class: 'table-scroll' });
  let key = newKey();
  let reportedDone = new Set();
  const stepKey = (op) => `${op.work_order_id}|${op.step}`;

  function showFields() {
    const shown = new Set(KINDS[kind.value]);
    const required = new Set(REQUIRED[kind.value]);
    for (const row of rows) {
      const name = row.dataset.field;
      row.hidden = !shown.has(name);
      inputs[name].required = required.has(name);
    }
  }
  function reportBody() {
    const body = {};
    if (!WITHOUT_PLANT.has(kind.value)) body.plant = plant;
    for (const name of KINDS[kind.value]) {
      const value = inputs[name].value.trim();
      if (value === '') continue;
      body[name] = FIELDS[name].type === 'number' ? Number(value) : value;
      if (name === 'unit') body.unit -= 1;
    }
    const report = { kind: kind.value, record: body };
    if (asOf.value) report.as_of = asOf.value;
    return report;
  }
  // A changed report is a new report: it gets a new key; a resent one keeps its key.
  const form = h('form', {
    id: 'progress-form',
    class: 'progress-form',
    oninput: () => {
      key = newKey();
    },
    onsubmit: async (event) => {
      event.preventDefault();
      const body = reportBody();
      result.replaceChildren(notice(t('common.loading')));
      try {
        const answer = await request(`${ctx.base}/progress`, {
          method: 'POST',
          body,
          headers: { 'Idempotency-Key': key },
        });
        key = newKey();
        result.replaceChildren(
          notice(answer.headers.get('Idempotent-Replayed') === 'true' ? t('progress.repeated')
            : t('progress.sent', { what: `${t(`progress.kind.${body.kind}`)} · ${summary(body)}` }), 'ok'),
        );
        await fillHistory();
      } catch (error) {
        result.replaceChildren(notice(describe(error), 'error'));
      }
    },
  },
    h('fieldset', { disabled: refused },
      h('legend', {}, `${t('common.plant')} ${plant}`),
      h('div', { class: 'field' }, h('label', { for: 'progress-kind' }, t('progress.kind')), kind),
      rows,
      h('div', { class: 'field' }, h('label', { for: 'progress-as-of' }, t('progress.as_of')), asOf),
      h('datalist', { id: 'progress-work-orders' },
        [...new Set(own.map((op) => op.work_order_id))].map((id) => h('option', { value: id }))),
      h('datalist', { id: 'progress-machines' },
        [...new Set(own.map((op) => op.machine_id).filter(Boolean))].map((id) => h('option', { value: id }))),
      h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'progress-submit' }, t('progress.submit'))),
    ),
  );
  kind.addEventListener('change', showFields);
  showFields();

  function fillFrom(op, status) {
    kind.value = status;
    showFields();
    const values = {
      work_order: op.work_order_id,
      step: op.step,
      machine: op.machine_id ?? '',
      unit: op.machine_id ? op.unit + 1 : '',
      start: op.start.slice(0, 16),
      end: status === 'step_done' ? op.end.slice(0, 16) : '',
    };
    for (const name of Object.keys(FIELDS)) inputs[name].value = values[name] ?? '';
    key = newKey();
    result.replaceChildren();
    inputs.work_order.scrollIntoView({ block: 'center' });
  }

  // A planner takes a wrong report back: it stays on record, struck through, with why.
  async function retract(report) {
    const reason = window.prompt(t('progress.retract_reason', { what: summary(report) }));
    if (reason == null) return;
    try {
      await api(`${ctx.base}/progress/${report.id}/retract`, { method: 'POST', body: { reason } });
      await fillHistory();
    } catch (error) {
      history.prepend(notice(describe(error), 'error'));
    }
  }

  async function fillHistory() {
    try {
      const reports = await listAll(`${ctx.base}/progress?plant=${encodeURIComponent(plant)}`);
      // Steps reported done are marked in the planned list, so nobody reports them twice.
      const kept = reports.filter((r) => !r.retracted);
      reportedDone = new Set(kept.filter((r) => r.kind === 'step_done').map((r) => `${r.record.work_order}|${r.record.step}`));
      plannedTable.refresh();
      history.replaceChildren(
        reports.length
          ? sortableTable([
              { key: 'at', label: t('progress.at'), value: (row) => row.created_at, render: (row) => localTime(row.created_at) },
              { key: 'by', label: t('progress.by'), value: (row) => row.reported_by },
              { key: 'kind', label: t('progress.kind'), value: (row) => t(`progress.kind.${row.kind}`) },
              { key: 'what', label: t('progress.what'), value: (row) => summary(row),
                render: (row) => (row.retracted
                  ? h('span', { class: 'retracted' }, h('s', {}, summary(row)), ' ',
                      t('progress.retracted', { by: row.retracted.by, reason: row.retracted.reason || '—' }))
                  : summary(row)) },
              me.role === 'planner'
                ? { key: 'retract', label: '', value: () => null,
                    render: (row) => (row.retracted ? '' : h('button', {
                      type: 'button',
                      class: 'small quiet',
                      'data-retract': row.id,
                      onclick: () => retract(row),
                    }, t('progress.retract'))) }
                : null,
            ].filter(Boolean), reports, { sortKey: 'at', descending: true })
          : h('p', {}, t('common.none')),
      );
    } catch (error) {
      history.replaceChildren(notice(describe(error), 'error'));
    }
  }

  const statusDate = data?.as_of ? data.as_of.slice(0, 16) : '';
  const planned = own
    .filter((op) => !statusDate || op.end.slice(0, 16) > statusDate)
    .sort((a, b) => (a.start < b.start ? -1 : 1))
    .slice(0, 40);
  const plannedTable = sortableTable([
    { key: 'start', label: t('common.start'), value: (op) => op.start, render: (op) => wallTime(op.start) },
    { key: 'end', label: t('common.end'), value: (op) => op.end, render: (op) => wallTime(op.end) },
    { key: 'work_order', label: t('progress.work_order'), value: (op) => op.work_order_id, wrap: true },
    { key: 'step', label: t('common.step'), value: (op) => op.step, numeric: true },
    { key: 'machine', label: t('common.machine'), value: (op) => (op.machine_id ? `${op.machine_id} #${op.unit + 1}` : '—') },
    { key: 'report', label: '', value: () => null,
      render: (op) => h('span', { class: 'buttons' },
        h('button', {
          type: 'button',
          class: 'small',
          'data-report': 'step_done',
          'data-step': stepKey(op),
          disabled: refused || reportedDone.has(stepKey(op)),
          onclick: () => fillFrom(op, 'step_done'),
        }, reportedDone.has(stepKey(op)) ? t('progress.reported') : t('progress.report_done')),
        h('button', { type: 'button', class: 'small quiet', 'data-report': 'step_started', disabled: refused, onclick: () => fillFrom(op, 'step_started') }, t('progress.report_started'))) },
  ], planned, { rowClass: (op) => (reportedDone.has(stepKey(op)) ? 'reported' : null) });

  ctx.afterMount(fillHistory);
  const choose = me.role === 'planner' && plants.length
    ? h('div', { class: 'toolbar' }, h('label', {}, `${t('common.plant')} `,
        h('select', { id: 'progress-plant', onchange: (event) => ctx.navigate('progress', {}, [event.target.value]) },
          plants.map((p) => h('option', { value: p, selected: p === plant }, p)))))
    : null;
  return [
    h('h1', {}, `${t('progress.title')} · ${plant}`),
    choose,
    refused ? notice(t('progress.refused', { own: me.plant, plant }), 'error refused') : null,
    h('div', { class: 'columns' },
      h('div', {}, form, result),
      h('div', {},
        h('h2', {}, t('progress.planned', { plant })),
        h('p', { class: 'muted' }, t('progress.planned_hint')),
        h('div', { class: 'table-scroll tall' }, plannedTable)),
    ),
    h('h2', {}, t('progress.history')),
    history,
  ];
}
