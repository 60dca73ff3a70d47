// Plan versions, newest first, and the diff between two of them (xiezuo diff's record):
// the headline, then the orders whose dates moved.
import { api, listAll } from '../api.js';
import { t } from '../i18n.js';
import { describe, dueText, formatHours, h, isMidnight, localTime, notice, sortableTable, wallTime } from '../util.js';

function figure(value) {
  return value == null ? '—' : formatHours(value);
}

async function diffSection(ctx, a, b) {
  const diff = await api(`${ctx.base}/plans/${a}/diff/${b}`);
  const head = diff.headline;
  const facts = [
    [head.orders_later, 'versions.later'],
    [head.orders_earlier, 'versions.earlier'],
    [head.orders_now_late, 'versions.now_late'],
    [head.orders_no_longer_late, 'versions.no_longer_late'],
    [head.moved_operations, 'versions.moved'],
    [head.changed_plants, 'versions.changed_plants'],
  ];
  const orders = diff.orders.filter((change) => change.shift_hours || change.kind !== 'unchanged');
  const dueAsDays = orders.every((change) => change.due == null || isMidnight(change.due));
  return [
    h('h2', {}, t('versions.diff_title', { a, b })),
    h('ul', { class: 'facts', id: 'diff-headline' },
      facts.map(([count, key]) => h('li', { class: count ? 'changed' : null }, h('b', {}, String(count)), ' ', t(key))),
      h('li', {}, t('versions.tardiness_change', {
        old: figure(head.old_tardiness_hours),
        new: figure(head.new_tardiness_hours),
      })),
    ),
    h('h3', {}, t('versions.orders_changed')),
    orders.length
      ? h('div', { class: 'table-scroll', id: 'diff-orders' }, sortableTable([
          { key: 'order', label: t('common.order'), value: (c) => c.order,
            render: (c) => h('a', { href: `#/gantt?order=${encodeURIComponent(c.order)}&plan=${b}` }, c.order) },
          { key: 'item', label: t('common.item'), value: (c) => c.item },
          { key: 'due', label: t('orders.due'), value: (c) => c.due, render: (c) => dueText(c.due, dueAsDays) },
          { key: 'old', label: t('versions.old_arrival'), value: (c) => c.old_arrival, render: (c) => wallTime(c.old_arrival) },
          { key: 'new', label: t('versions.new_arrival'), value: (c) => c.new_arrival, render: (c) => wallTime(c.new_arrival) },
          { key: 'shift', label: t('versions.shift'), value: (c) => c.shift_hours, numeric: true,
            render: (c) => (c.shift_hours == null ? c.kind : `${c.shift_hours > 0 ? '+' : ''}${formatHours(c.shift_hours)}`) },
          { key: 'late', label: t('common.status'), value: (c) => (c.late ? 1 : 0),
            render: (c) => h('span', { class: `status ${c.late ? 'late' : 'on_time'}` }, t(c.late ? 'orders.status.late' : 'orders.status.on_time')) },
        ], orders, { sortKey: 'shift', descending: true, rowClass: (c) => (c.late ? 'late' : null) }))
      : h('p', {}, t('versions.no_changes')),
  ];
}

export async function render(ctx) {
  const versions = await listAll(`${ctx.base}/plans`);
  if (!versions.length) return ctx.noPlan();
  versions.sort((x, y) => y.number - x.number);
  let a = ctx.params.a ? Number(ctx.params.a) : versions[1]?.number;
  let b = ctx.params.b ? Number(ctx.params.b) : versions[0].number;
  const diffHolder = h('div', { id: 'diff' });
  async function showDiff() {
    if (a == null || b == null || a === b) {
      diffHolder.replaceChildren(notice(t('versions.pick_two')));
      return;
    }
    diffHolder.replaceChildren(notice(t('common.loading')));
    try {
      diffHolder.replaceChildren(...(await diffSection(ctx, a, b)));
    } catch (error) {
      diffHolder.replaceChildren(notice(describe(error), 'error'));
    }
  }
  const pick = (side, number) =>
    h('input', {
      type: 'radio',
      name: `diff-${side}`,
      value: String(number),
      'aria-label': `${t(`versions.${side}`)} ${number}`,
      checked: (side === 'old' ? a : b) === number,
      onchange: () => {
        if (side === 'old') a = number;
        else b = number;
        showDiff();
      },
    });
  const table = sortableTable([
    { key: 'old', label: t('versions.old'), value: () => null, render: (v) => pick('old', v.number) },
    { key: 'new', label: t('versions.new'), value: () => null, render: (v) => pick('new', v.number) },
    { key: 'number', label: t('versions.number'), value: (v) => v.number, numeric: true,
      render: (v) => h('span', {}, String(v.number), v.current ? h('span', { class: 'badge current' }, t('session.current')) : null) },
    { key: 'kind', label: t('versions.kind'), value: (v) => v.kind },
    { key: 'created', label: t('versions.created'), value: (v) => v.created_at, render: (v) => localTime(v.created_at) },
    { key: 'by', label: t('versions.by'), value: (v) => v.requested_by },
    { key: 'reason', label: t('common.reason'), value: (v) => v.reason || '' },
    { key: 'status', label: t('common.status'), value: (v) => v.status },
    { key: 'tardiness', label: t('versions.tardiness'), value: (v) => v.tardiness_hours, numeric: true, render: (v) => figure(v.tardiness_hours) },
    { key: 'makespan', label: t('versions.makespan'), value: (v) => v.makespan_hours, numeric: true, render: (v) => figure(v.makespan_hours) },
    { key: 'show', label: '', value: () => null,
      render: (v) => h('span', { class: 'buttons' },
        h('a', { href: `#/orders?plan=${v.number}` }, t('nav.orders')), ' · ',
        h('a', { href: `#/gantt?plan=${v.number}` }, t('nav.gantt'))) },
  ], versions, { rowClass: (v) => (v.current ? 'current' : null) });
  ctx.afterMount(showDiff);
  return [
    h('h1', {}, t('versions.title')),
    h('div', { class: 'table-scroll', id: 'versions' }, table),
    diffHolder,
  ];
}
