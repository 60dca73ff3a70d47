// Material shortages: orders the plan says wait for material, orders it could not place,
// and material sent from one plant's warehouse to another's.
import { t } from '../i18n.js';
import { h, planData, sortableTable, wallTime } from '../util.js';

export async function render(ctx) {
  const record = await ctx.plan();
  if (!record) return ctx.noPlan();
  const data = planData(record);
  const waits = (data.explanations || []).filter((e) => e.kind.includes('material') || e.kind.includes('short'));
  const unplanned = data.unplanned || [];
  const draws = (data.schedule?.material_draws || []).filter((draw) => draw.origin !== draw.destination);
  const orderLink = (id) => h('a', { href: `#/gantt?order=${encodeURIComponent(id)}` }, id);
  return [
    h('h1', {}, t('shortages.title')),
    h('p', { class: 'muted' }, t('shortages.intro')),
    h('h2', {}, `${t('shortages.waits')} (${waits.length})`),
    waits.length
      ? h('div', { class: 'table-scroll' }, sortableTable([
          { key: 'order', label: t('common.order'), value: (row) => row.subject, render: (row) => orderLink(row.subject) },
          { key: 'message', label: t('shortages.message'), value: (row) => row.message },
        ], waits, { sortKey: 'order' }))
      : h('p', {}, t('common.none')),
    h('h2', {}, `${t('shortages.unplanned')} (${unplanned.length})`),
    unplanned.length
      ? h('div', { class: 'table-scroll' }, sortableTable([
          { key: 'order', label: t('common.order'), value: (row) => row.order_id },
          { key: 'reason', label: t('common.reason'), value: (row) => row.reason },
          { key: 'message', label: t('shortages.message'), value: (row) => row.message },
        ], unplanned, { sortKey: 'order' }))
      : h('p', {}, t('common.none')),
    h('h2', {}, `${t('shortages.draws')} (${draws.length})`),
    draws.length
      ? h('div', { class: 'table-scroll' }, sortableTable([
          { key: 'material', label: t('shortages.material'), value: (row) => row.material_id },
          { key: 'quantity', label: t('common.quantity'), value: (row) => row.quantity, numeric: true },
          { key: 'from', label: t('shortages.from'), value: (row) => row.origin },
          { key: 'to', label: t('shortages.to'), value: (row) => row.destination },
          { key: 'arrive', label: t('shortages.arrive'), value: (row) => row.arrive, render: (row) => wallTime(row.arrive) },
          { key: 'work_order', label: t('progress.work_order'), value: (row) => row.work_order_id, wrap: true },
        ], draws, { sortKey: 'arrive' }))
      : h('p', {}, t('common.none')),
  ];
}
