// Start a plan or a replan as a background job and watch it: status, elapsed time,
// objective and bound, once a second; stop it to keep the best plan so far.
import { api } from '../api.js';
import { t } from '../i18n.js';
import { describe, h, notice } from '../util.js';

const POLL_MS = 1000;

function field(id, labelKey, input) {
  input.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, t(labelKey)), input);
}

export async function render(ctx) {
  if (ctx.me.role !== 'planner') return notice(t('replan.planner_only'), 'error');
  const kind = h('select', {},
    ['replan', 'plan'].map((value) => h('option', { value }, t(`replan.kind.${value}`))));
  if (ctx.network.current_plan == null) kind.value = 'plan';
  const reason = h('input', { type: 'text', placeholder: t('replan.reason_placeholder'), maxlength: 2000 });
  const timeLimit = h('input', { type: 'number', min: 1, max: 3600, value: '30' });
  const frozen = h('input', { type: 'number', min: 0, max: 60, value: '0' });
  const stability = h('input', { type: 'text', placeholder: 'after-tardiness' });
  const watch = h('div', { id: 'replan-job', 'aria-live': 'polite' });
  const start = h('button', { type: 'submit', id: 'replan-start' }, t('replan.start'));
  let stopped = false;

  // `previous`: the plan in force when the job started, to compare the new one with.
  async function follow(job, previous) {
    const path = `${ctx.base}/jobs/${job.id}`;
    const cancel = h('button', {
      type: 'button',
      id: 'replan-cancel',
      class: 'quiet',
      onclick: async () => {
        cancel.disabled = true;
        try {
          await api(`${path}/cancel`, { method: 'POST' });
        } catch (error) {
          watch.append(notice(describe(error), 'error'));
        }
      },
    }, t('replan.cancel'));
    while (!stopped && document.body.contains(watch)) {
      const progress = job.progress || {};
      const facts = [
        [t('replan.phase'), progress.phase],
        [t('replan.elapsed'), progress.elapsed_s == null ? null : `${progress.elapsed_s.toFixed(1)} s`],
        [t('replan.objective'), progress.objective],
        [t('replan.bound'), progress.bound],
      ].filter(([, value]) => value != null);
      const finished = ['done', 'failed', 'cancelled'].includes(job.status);
      watch.replaceChildren(
        h('p', { id: 'replan-status', class: `job ${job.status}` },
          t('replan.job', { id: job.id, status: t(`replan.status.${job.status}`) })),
        h('dl', { class: 'facts' }, facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))])),
      );
      if (!finished) watch.append(cancel);
      if (finished) {
        if (job.plan != null) {
          watch.append(
            notice(t('replan.new_plan', { number: job.plan }), 'ok'),
            h('p', { class: 'buttons' },
              h('a', { id: 'replan-gantt', href: `#/gantt?plan=${job.plan}` }, t('replan.see_gantt')),
              previous != null && previous !== job.plan
                ? h('a', { id: 'replan-diff', href: `#/versions?a=${previous}&b=${job.plan}` }, t('replan.see_diff'))
                : null),
          );
        }
        if (job.status === 'failed') watch.append(notice(t('replan.failed', { error: job.error || '' }), 'error'));
        start.disabled = false;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      job = await api(path);
    }
  }

  const form = h('form', {
    id: 'replan-form',
    class: 'progress-form',
    onsubmit: async (event) => {
      event.preventDefault();
      start.disabled = true;
      watch.replaceChildren(notice(t('common.loading')));
      const stable = stability.value.trim();
      const body = {
        kind: kind.value,
        reason: reason.value.trim(),
        time_limit_s: Number(timeLimit.value),
        frozen_days: Number(frozen.value),
        stability: stable === '' ? null : Number.isNaN(Number(stable)) ? stable : Number(stable),
      };
      try {
        const { current_plan: previous } = await api(ctx.base);
        await follow(await api(`${ctx.base}/jobs`, { method: 'POST', body }), previous);
      } catch (error) {
        watch.replaceChildren(notice(describe(error), 'error'));
        start.disabled = false;
      }
    },
  },
    h('fieldset', {},
      field('replan-kind', 'replan.kind', kind),
      field('replan-reason', 'replan.reason', reason),
      field('replan-time-limit', 'replan.time_limit', timeLimit),
      field('replan-frozen', 'replan.frozen_days', frozen),
      field('replan-stability', 'replan.stability', stability),
      h('div', { class: 'actions' }, start),
    ),
  );
  window.addEventListener('hashchange', () => { stopped = true; }, { once: true });
  // The latest job is shown as the page opens: one still queued or running (started by
  // another planner, or by `serve --demo`) is followed; a finished one says how it ended.
  ctx.afterMount(async () => {
    const jobs = await api(`${ctx.base}/jobs?limit=50`);
    const latest = (jobs.items ?? jobs).reduce((a, b) => (a && a.id > b.id ? a : b), null);
    if (!latest) return;
    const active = latest.status === 'queued' || latest.status === 'running';
    if (active) start.disabled = true;
    let previous = ctx.network.current_plan;
    if (!active) previous = latest.plan == null ? null : (await ctx.plan(latest.plan)).previous_plan;
    follow(latest, previous ?? null).catch((error) => {
      watch.replaceChildren(notice(describe(error), 'error'));
    });
  });
  return [h('h1', {}, t('replan.title')), form, watch];
}
