// Orders with status and lateness: sortable by any column, filtered by text and status.
import { t } from '../i18n.js';
import { dueText, formatHours, h, isMidnight, orderRows, planData, sortableTable, wallTime } from '../util.js';

export async function render(ctx) {
  const record = await ctx.plan();
  if (!record) return ctx.noPlan();
  const data = planData(record);
  const rows = orderRows(data);
  const dueAsDays = rows.every((row) => row.due == null || isMidnight(row.due));
  const late = rows.filter((row) => row.status === 'late').length;
  const unplanned = rows.filter((row) => row.status === 'unplanned').length;
  const text = h('input', {
    id: 'orders-filter',
    type: 'search',
    placeholder: t('orders.filter_placeholder'),
    value: ctx.params.q || '',
  });
  const status = h('select', { id: 'orders-status' },
    ['', 'late', 'on_time', 'unplanned'].map((value) =>
      h('option', { value, selected: value === (ctx.params.status || '') },
        value ? t(`orders.status.${value}`) : t('common.all')),
    ),
  );
  const shown = h('p', { class: 'muted', id: 'orders-shown' });
  const holder = h('div', { class: 'table-scroll' });
  const columns = [
    { key: 'order', label: t('common.order'), value: (row) => row.order,
      render: (row) => h('a', { href: `#/gantt?order=${encodeURIComponent(row.order)}${ctx.params.plan ? `&plan=${ctx.params.plan}` : ''}`, title: t('orders.show_gantt') }, row.order) },
    { key: 'item', label: t('common.item'), value: (row) => row.item },
    { key: 'quantity', label: t('common.quantity'), value: (row) => row.quantity, numeric: true },
    { key: 'plant', label: t('common.plant'), value: (row) => row.plant },
    { key: 'region', label: t('orders.region'), value: (row) => row.region },
    { key: 'due', label: t('orders.due'), value: (row) => row.due, render: (row) => dueText(row.due, dueAsDays) },
    { key: 'arrival', label: t('orders.arrival'), value: (row) => row.arrival, render: (row) => wallTime(row.arrival) },
    { key: 'lateness', label: t('orders.lateness'), value: (row) => row.lateness, numeric: true,
      render: (row) => (row.lateness ? formatHours(row.lateness) : row.lateness === 0 ? '0' : '—') },
    data.as_of
      ? { key: 'stage', label: t('orders.stage', { date: wallTime(data.as_of) }), value: (row) => row.stage,
          render: (row) => (row.stage ? t(`orders.stage.${row.stage}`) : '—') }
      : null,
    { key: 'status', label: t('common.status'), value: (row) => row.status,
      render: (row) => h('span', { class: `status ${row.status}`, title: row.message || null }, t(`orders.status.${row.status}`)) },
  ].filter(Boolean);
  function refresh() {
    const needle = text.value.trim().toLowerCase();
    const wanted = status.value;
    const kept = rows.filter((row) =>
      (!wanted || row.status === wanted) &&
      (!needle || [row.order, row.item, row.plant, row.region].some((value) => value && value.toLowerCase().includes(needle))),
    );
    holder.replaceChildren(
      sortableTable(columns, kept, { sortKey: 'lateness', descending: true, rowClass: (row) => row.status }),
    );
    shown.textContent = t('orders.shown', { shown: kept.length, total: rows.length });
  }
  text.addEventListener('input', refresh);
  status.addEventListener('change', refresh);
  refresh();
  return [
    h('h1', {}, t('orders.title')),
    h('p', { id: 'orders-summary' }, t('orders.summary', { total: rows.length, late, unplanned })),
    h('div', { class: 'toolbar' },
      h('label', {}, `${t('common.filter')} `, text),
      h('label', {}, `${t('common.status')} `, status),
      shown,
    ),
    holder,
    dueAsDays ? h('p', { class: 'muted' }, t('orders.due_caption')) : null,
  ];
}
