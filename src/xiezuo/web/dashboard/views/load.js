// Plant load (working hours per plant and week, busy hours per machine group) and
// people load (the Gantt page's skilled-people chart from GET .../plans/{n}/staff: the
// crews at work against the people on staff, secondments and trainings counted).
import { api } from '../api.js';
import { t } from '../i18n.js';
import { h, hoursBetween, loadPlotly, planData, sortableTable, wallDate } from '../util.js';

// Monday of the week of a wall-clock date (YYYY-MM-DD), as YYYY-MM-DD.
function weekOf(day) {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() - ((date.getUTCDay() + 6) % 7));
  return date.toISOString().slice(0, 10);
}

function plantLoad(operations) {
  const hours = new Map();
  for (const op of operations) {
    const key = `${op.plant_id}|${weekOf(wallDate(op.start))}`;
    hours.set(key, (hours.get(key) || 0) + op.work_hours);
  }
  const weeks = [...new Set([...hours.keys()].map((key) => key.split('|')[1]))].sort();
  const plants = [...new Set(operations.map((op) => op.plant_id))].sort();
  return plants.map((plant) => ({
    type: 'bar',
    name: plant,
    x: weeks,
    y: weeks.map((week) => Math.round(hours.get(`${plant}|${week}`) || 0)),
    hovertemplate: `${plant} · %{x}: %{y} h<extra></extra>`,
  }));
}

function machineRows(operations) {
  const groups = new Map();
  for (const op of operations) {
    if (!op.machine_id) continue;
    const key = `${op.plant_id} · ${op.machine_id}`;
    const group = groups.get(key) || { plant: op.plant_id, machine: op.machine_id, busy: 0, count: 0, units: new Set() };
    group.busy += hoursBetween(op.start, op.end);
    group.count += 1;
    group.units.add(op.unit);
    groups.set(key, group);
  }
  return [...groups.values()];
}

// The server's figure in this page's language; the page's heading and intro name it.
function relabel(layout) {
  const labelled = {
    ...layout,
    title: { text: '' },
    margin: { ...layout.margin, t: 40 },
    legend: { ...layout.legend, title: { text: t('load.skill') } },
  };
  for (const name of Object.keys(layout)) {
    if (name.startsWith('yaxis')) labelled[name] = { ...layout[name], title: { text: t('load.people_axis') } };
  }
  return labelled;
}

export async function render(ctx) {
  const record = await ctx.plan();
  if (!record) return ctx.noPlan();
  const data = planData(record);
  const operations = data.schedule?.operations || [];
  const [Plotly, staff] = await Promise.all([loadPlotly(), api(`${ctx.base}/plans/${ctx.planNumber}/staff`)]);
  const loadChart = h('div', { id: 'plant-load', class: 'chart' });
  const peopleChart = h('div', { id: 'people-load', class: 'chart' });
  const columns = [
    { key: 'plant', label: t('common.plant'), value: (row) => row.plant },
    { key: 'machine', label: t('common.machine'), value: (row) => row.machine },
    { key: 'busy', label: t('load.busy'), value: (row) => Math.round(row.busy), numeric: true },
    { key: 'count', label: t('load.operations'), value: (row) => row.count, numeric: true },
    { key: 'units', label: t('load.units'), value: (row) => row.units.size, numeric: true },
  ];
  const hasPeople = staff.data.length > 0;
  ctx.afterMount(async () => {
    await Plotly.newPlot(loadChart, plantLoad(operations), {
      barmode: 'group',
      height: 340,
      margin: { t: 10, r: 10, b: 50, l: 60 },
      yaxis: { title: { text: t('load.hours_axis') } },
      xaxis: { type: 'date', tickformat: '%m-%d' },
      legend: { orientation: 'h', y: -0.2 },
    }, { responsive: true, displaylogo: false });
    if (hasPeople) {
      await Plotly.newPlot(peopleChart, staff.data, relabel(staff.layout), { responsive: true, displaylogo: false });
    }
  });
  return [
    h('h1', {}, t('load.title')),
    h('p', { class: 'muted' }, t('load.intro')),
    loadChart,
    h('h2', {}, t('load.machines')),
    h('div', { class: 'table-scroll' }, sortableTable(columns, machineRows(operations), { sortKey: 'busy', descending: true })),
    h('h2', {}, t('load.people_title')),
    h('p', { class: 'muted' }, hasPeople ? t('load.people_intro') : t('load.no_people')),
    peopleChart,
  ];
}
