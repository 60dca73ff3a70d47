// The network's audit log for planners, newest first: who changed what, when and why.
// A page of entries at a time; the filter keeps the entries of the page shown.
import { api } from '../api.js';
import { t } from '../i18n.js';
import { h, localTime, notice, sortableTable } from '../util.js';

const PAGE = 100;

export async function render(ctx) {
  if (ctx.me.role !== 'planner') return notice(t('audit.planner_only'), 'error');
  const offset = Math.max(0, Number(ctx.params.offset) || 0);
  const entries = await api(`${ctx.base}/audit?limit=${PAGE}&offset=${offset}`);
  const text = h('input', { id: 'audit-filter', type: 'search', placeholder: t('audit.filter_placeholder') });
  const holder = h('div', { class: 'table-scroll', id: 'audit' });
  const columns = [
    { key: 'at', label: t('progress.at'), value: (e) => e.at, render: (e) => localTime(e.at) },
    { key: 'user', label: t('audit.user'), value: (e) => e.user },
    { key: 'action', label: t('audit.action'), value: (e) => e.action },
    { key: 'subject', label: t('audit.subject'), value: (e) => e.subject, wrap: true },
    { key: 'reason', label: t('common.reason'), value: (e) => e.reason || '' },
  ];
  function refresh() {
    const needle = text.value.trim().toLowerCase();
    const kept = entries.items.filter((e) =>
      !needle || [e.user, e.action, e.subject, e.reason].some((v) => v && v.toLowerCase().includes(needle)));
    holder.replaceChildren(kept.length ? sortableTable(columns, kept) : h('p', {}, t('common.none')));
  }
  text.addEventListener('input', refresh);
  refresh();
  const last = Math.min(offset + entries.items.length, entries.total);
  return [
    h('h1', {}, t('audit.title')),
    h('div', { class: 'toolbar' },
      h('label', {}, `${t('common.filter')} `, text),
      h('span', { class: 'muted', id: 'audit-shown' },
        t('audit.shown', { first: entries.total ? offset + 1 : 0, last, total: entries.total })),
      offset > 0
        ? h('button', { type: 'button', class: 'quiet', onclick: () => ctx.navigate('audit', { offset: Math.max(0, offset - PAGE) }) }, t('audit.newer'))
        : null,
      last < entries.total
        ? h('button', { type: 'button', class: 'quiet', onclick: () => ctx.navigate('audit', { offset: offset + PAGE }) }, t('audit.older'))
        : null,
    ),
    holder,
  ];
}
