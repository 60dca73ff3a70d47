// The plan's Gantt chart (the figure of xiezuo.web.gantt, from GET .../gantt): rows per
// order, per plant and machine unit, per transport lane. Picking an order lights up its
// chain of work across every plant and says why it is late; a plant narrows the rows.
import { api } from '../api.js';
import { t } from '../i18n.js';
import { dueText, formatHours, h, isMidnight, loadPlotly, orderRows, planData, wallTime } from '../util.js';

const DIMMED_OPACITY = 0.12;
// The orders a late order waits behind: visible, but below the order itself.
const BLOCKER_OPACITY = 0.5;
const ROW_HEIGHT_PX = 22;

function plainLabel(label) {
  return String(label).replace(/<[^>]*>/g, '').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}

export async function render(ctx) {
  if (ctx.planNumber == null) return ctx.noPlan();
  const [record, figure, Plotly] = await Promise.all([
    ctx.plan(),
    fetchFigure(ctx),
    loadPlotly(),
  ]);
  const data = planData(record);
  const rows = orderRows(data);
  const byOrder = new Map(rows.map((row) => [row.order, row]));
  const why = new Map((data.explanations || []).filter((e) => e.kind === 'late').map((e) => [e.subject, e.message]));
  const labels = (figure.layout.yaxis.ticktext || []).map(plainLabel);
  const plants = [...new Set(labels.filter((label) => label.includes(' · ')).map((label) => label.split(' · ')[0]))];
  // Room above the rows for the chart's notes (a replan's "status date").
  if (figure.layout.annotations?.length) {
    const extra = Math.max(0, 22 - (figure.layout.margin?.t ?? 0));
    figure.layout.margin = { ...figure.layout.margin, t: (figure.layout.margin?.t ?? 0) + extra };
    figure.layout.height += extra;
  }
  const fullRange = figure.layout.yaxis.range.slice();
  const fullHeight = figure.layout.height;
  const margin = figure.layout.margin || { t: 0, b: 0 };

  const chart = h('div', { id: 'dash-gantt' });
  // The date axis again in a strip that stays under the top bar while the rows scroll.
  const axis = h('div', { id: 'dash-gantt-axis' });
  const status = h('p', { id: 'gantt-selected', class: 'muted', role: 'status' });
  const search = h('input', {
    id: 'gantt-order',
    list: 'gantt-order-list',
    type: 'search',
    autocomplete: 'off',
    placeholder: t('gantt.order_placeholder'),
    value: ctx.params.order || '',
  });
  const plantSelect = h('select', { id: 'gantt-plant' },
    h('option', { value: '' }, t('common.all')),
    plants.map((plant) => h('option', { value: plant, selected: plant === ctx.params.plant }, plant)),
  );
  const late = rows.filter((row) => row.status === 'late');

  // The orders a late order waits behind, as its explanation names them ("behind SC-MILL-02").
  function blockers(order) {
    const message = why.get(order) || '';
    const named = message.match(/behind [^;]*/g) || [];
    const ids = new Set(named.flatMap((part) => part.slice('behind '.length).split(/,\s*/)));
    return new Set([...ids].filter((id) => id !== order && byOrder.has(id)));
  }

  function highlight() {
    const needle = search.value.trim().toLowerCase();
    const matches = needle ? rows.filter((row) => row.order.toLowerCase().includes(needle)) : [];
    const exact = rows.find((row) => row.order.toLowerCase() === needle);
    const lit = new Set(exact ? [exact.order] : matches.map((row) => row.order));
    const single = exact || lit.size === 1 ? byOrder.get(exact ? exact.order : [...lit][0]) : null;
    const behind = single ? blockers(single.order) : new Set();
    const opacity = chart.data.map((trace) => {
      if (!needle || lit.has(trace.legendgroup)) return 1;
      return behind.has(trace.legendgroup) ? BLOCKER_OPACITY : DIMMED_OPACITY;
    });
    Plotly.restyle(chart, { opacity });
    status.replaceChildren();
    if (!needle) return;
    if (lit.size === 0) {
      status.textContent = t('gantt.no_match', { text: search.value.trim() });
    } else if (single) {
      const row = single;
      const params = { order: row.order, due: dueText(row.due, isMidnight(row.due)), arrival: wallTime(row.arrival), lateness: formatHours(row.lateness) };
      status.append(t(row.status === 'late' ? 'gantt.selected_late' : 'gantt.selected', params));
      if (why.has(row.order)) status.append(h('br'), t('gantt.why', { message: why.get(row.order) }));
      if (behind.size) status.append(h('br'), t('gantt.behind', { orders: [...behind].join(', ') }));
    } else {
      status.textContent = `${t('gantt.matches', { count: lit.size })}: ${[...lit].slice(0, 12).join(', ')}`;
    }
  }

  function narrow() {
    const plant = plantSelect.value;
    if (!plant) {
      Plotly.relayout(chart, { 'yaxis.range': fullRange, height: fullHeight });
      return;
    }
    const rowIdx = labels.flatMap((label, idx) => (label.startsWith(`${plant} · `) ? [idx] : []));
    const first = Math.min(...rowIdx);
    const last = Math.max(...rowIdx);
    Plotly.relayout(chart, {
      'yaxis.range': [last + 0.5, first - 0.5],
      height: (last - first + 1) * ROW_HEIGHT_PX + margin.t + margin.b + 40,
    });
  }

  search.addEventListener('input', highlight);
  plantSelect.addEventListener('change', narrow);
  const lateList = late.length
    ? h('p', { class: 'late-list' }, t('gantt.late_orders'), ' ',
        late.map((row) => h('button', {
          type: 'button',
          class: 'chip late',
          'data-order': row.order,
          onclick: () => {
            search.value = row.order;
            highlight();
          },
        }, row.order)))
    : null;
  const toolbar = h('div', { class: 'toolbar' },
    h('label', {}, `${t('gantt.order')} `, search),
    h('datalist', { id: 'gantt-order-list' }, rows.map((row) => h('option', { value: row.order }))),
    h('label', {}, `${t('gantt.plant')} `, plantSelect),
    h('button', {
      type: 'button',
      id: 'gantt-clear',
      class: 'quiet',
      onclick: () => {
        search.value = '';
        plantSelect.value = '';
        highlight();
        narrow();
      },
    }, t('gantt.show_all')),
  );
  const section = [
    h('h1', {}, t('gantt.title')),
    lateList,
    h('div', { class: 'gantt-sticky' }, toolbar, status, axis),
    chart,
    h('p', { class: 'muted' }, t('gantt.help')),
  ];
  // Drawn once on the page, so plotly.js knows the chart's width.
  ctx.afterMount(async () => {
    const sticky = chart.parentElement.querySelector('.gantt-sticky');
    sticky.style.top = `${document.querySelector('.topbar').offsetHeight}px`;
    await Plotly.newPlot(chart, figure.data, figure.layout, {
      responsive: true,
      displaylogo: false,
      modeBarButtonsToRemove: ['select2d', 'lasso2d'],
    });
    await Plotly.newPlot(axis, [], {
      height: 44,
      margin: { ...margin, t: 2, b: 36 },
      showlegend: false,
      plot_bgcolor: 'rgba(0, 0, 0, 0)',
      paper_bgcolor: 'rgba(0, 0, 0, 0)',
      xaxis: { type: 'date', range: chart.layout.xaxis.range.slice(), nticks: 24, ticks: 'outside' },
      yaxis: { visible: false, fixedrange: true },
    }, { responsive: true, staticPlot: true });
    // Zooming the chart moves the strip's dates with it.
    chart.on('plotly_relayout', () => {
      Plotly.relayout(axis, { 'xaxis.range': chart.layout.xaxis.range.slice() });
    });
    chart.on('plotly_click', (event) => {
      const group = event.points?.[0]?.data?.legendgroup;
      if (group) {
        search.value = group;
        highlight();
      }
    });
    if (search.value) highlight();
    if (plantSelect.value) narrow();
  });
  return section;
}

function fetchFigure(ctx) {
  return api(`${ctx.base}/plans/${ctx.planNumber}/gantt`);
}
