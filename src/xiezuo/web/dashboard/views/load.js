// Plant load (working hours per plant and week, busy hours per machine group) and
// people load (people at work at once per skill, from the crews of the scenario's
// routings, against the plant's headcount per shift).
import { api } from '../api.js';
import { t } from '../i18n.js';
import { h, hoursBetween, loadPlotly, notice, planData, sortableTable, wallDate } from '../util.js';

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

// The scenario's items (their routings' crews) and staffing, from the scenario file data.
async function scenarioParts(ctx) {
  const spec = await api(`${ctx.base}/scenario`);
  return { items: spec.items || [], staffing: spec.staffing || [] };
}

function crewOf(items, workOrder, step) {
  const item = items.find((candidate) => candidate.id === workOrder.item_id);
  if (!item) return [];
  const routing = item.routings
    ? item.routings.find((candidate) => candidate.id === workOrder.routing_id)
    : { operations: item.operations };
  return routing?.operations?.[step - 1]?.crew || [];
}

// People of each skill at work at once at `plant`, as step lines over time.
function peopleLoad(data, items, plant) {
  const workOrders = new Map(data.schedule.work_orders.map((wo) => [wo.work_order_id, wo]));
  const changes = new Map();
  for (const op of data.schedule.operations) {
    if (op.plant_id !== plant) continue;
    const wo = workOrders.get(op.work_order_id);
    if (!wo) continue;
    for (const member of crewOf(items, wo, op.step)) {
      const list = changes.get(member.skill) || [];
      list.push([op.start.slice(0, 16), member.size], [op.end.slice(0, 16), -member.size]);
      changes.set(member.skill, list);
    }
  }
  const lines = [];
  for (const [skill, list] of changes) {
    list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
    const x = [];
    const y = [];
    let level = 0;
    let peak = 0;
    for (const [instant, change] of list) {
      level += change;
      if (x.length && x[x.length - 1] === instant) y[y.length - 1] = level;
      else {
        x.push(instant);
        y.push(level);
      }
      peak = Math.max(peak, level);
    }
    lines.push({ skill, x, y, peak });
  }
  return lines.sort((a, b) => a.skill.localeCompare(b.skill));
}

export async function render(ctx) {
  const record = await ctx.plan();
  if (!record) return ctx.noPlan();
  const data = planData(record);
  const operations = data.schedule?.operations || [];
  const Plotly = await loadPlotly();
  const loadChart = h('div', { id: 'plant-load', class: 'chart' });
  const machines = machineRows(operations);
  const columns = [
    { key: 'plant', label: t('common.plant'), value: (row) => row.plant },
    { key: 'machine', label: t('common.machine'), value: (row) => row.machine },
    { key: 'busy', label: t('load.busy'), value: (row) => Math.round(row.busy), numeric: true },
    { key: 'count', label: t('load.operations'), value: (row) => row.count, numeric: true },
    { key: 'units', label: t('load.units'), value: (row) => row.units.size, numeric: true },
  ];
  const plants = [...new Set(operations.map((op) => op.plant_id))].sort();
  const own = ctx.me.plant && plants.includes(ctx.me.plant) ? ctx.me.plant : plants[0];
  const plantSelect = h('select', { id: 'people-plant' },
    plants.map((plant) => h('option', { value: plant, selected: plant === (ctx.params.plant || own) }, plant)),
  );
  const peopleIntro = h('p', { class: 'muted' });
  const peopleChart = h('div', { id: 'people-load', class: 'chart' });
  const peopleTable = h('div', { class: 'table-scroll' });
  let parts = null;
  let partsError = null;

  async function drawPeople() {
    const plant = plantSelect.value;
    peopleIntro.textContent = t('load.people_intro', { plant });
    if (!parts) {
      peopleChart.replaceChildren(notice(t('common.pending', { what: partsError }), 'error'));
      return;
    }
    const lines = peopleLoad(data, parts.items, plant);
    const headcount = new Map(parts.staffing.filter((s) => s.plant === plant).map((s) => [s.skill, s.headcount]));
    const traces = [];
    lines.forEach((line, idx) => {
      const colour = `hsl(${(idx * 67) % 360}, 60%, 42%)`;
      traces.push({ type: 'scatter', mode: 'lines', line: { shape: 'hv', color: colour }, name: line.skill, x: line.x, y: line.y });
      if (headcount.has(line.skill)) {
        traces.push({
          type: 'scatter',
          mode: 'lines',
          line: { dash: 'dot', color: colour },
          name: t('load.headcount', { skill: line.skill, count: headcount.get(line.skill) }),
          x: [line.x[0], line.x[line.x.length - 1]],
          y: [headcount.get(line.skill), headcount.get(line.skill)],
        });
      }
    });
    await Plotly.react(peopleChart, traces, {
      height: 360,
      margin: { t: 10, r: 10, b: 40, l: 50 },
      yaxis: { title: { text: t('load.people_axis') }, rangemode: 'tozero' },
      legend: { orientation: 'h', y: -0.15 },
    }, { responsive: true, displaylogo: false });
    peopleTable.replaceChildren(
      sortableTable([
        { key: 'skill', label: t('load.skill'), value: (row) => row.skill },
        { key: 'peak', label: t('load.peak'), value: (row) => row.peak, numeric: true },
        { key: 'headcount', label: t('load.headcount_col'), value: (row) => headcount.get(row.skill) ?? null, numeric: true },
      ], lines, { sortKey: 'skill' }),
    );
  }
  plantSelect.addEventListener('change', drawPeople);

  ctx.afterMount(async () => {
    await Plotly.newPlot(loadChart, plantLoad(operations), {
      barmode: 'group',
      height: 340,
      margin: { t: 10, r: 10, b: 50, l: 60 },
      yaxis: { title: { text: t('load.hours_axis') } },
      xaxis: { type: 'date', tickformat: '%m-%d' },
      legend: { orientation: 'h', y: -0.2 },
    }, { responsive: true, displaylogo: false });
    try {
      parts = await scenarioParts(ctx);
    } catch (error) {
      partsError = error.message;
    }
    await drawPeople();
  });
  return [
    h('h1', {}, t('load.title')),
    h('p', { class: 'muted' }, t('load.intro')),
    loadChart,
    h('h2', {}, t('load.machines')),
    h('div', { class: 'table-scroll' }, sortableTable(columns, machines, { sortKey: 'busy', descending: true })),
    h('h2', {}, t('load.people_title')),
    h('div', { class: 'toolbar' }, h('label', {}, `${t('common.plant')} `, plantSelect)),
    peopleIntro,
    peopleChart,
    peopleTable,
  ];
}
