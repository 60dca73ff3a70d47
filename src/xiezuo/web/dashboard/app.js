// The dashboard's shell: log-in state, the network in view, hash routes to the views,
// the language switch. Views get a context with the user, the network and its plans.
import { ApiError, api, setToken, token } from './api.js';
import { currentLanguage, loadLanguage, t } from './i18n.js';
import { describe, h, notice } from './util.js';
import * as audit from './views/audit.js';
import * as gantt from './views/gantt.js';
import * as load from './views/load.js';
import * as login from './views/login.js';
import * as orders from './views/orders.js';
import * as progress from './views/progress.js';
import * as replan from './views/replan.js';
import * as shortages from './views/shortages.js';
import * as takeaway from './views/takeaway.js';
import * as versions from './views/versions.js';

const NETWORK_KEY = 'xiezuo.network';
// Route, view, who sees it in the navigation (everyone when roles is null).
const ROUTES = [
  ['orders', orders, null],
  ['gantt', gantt, null],
  ['load', load, null],
  ['shortages', shortages, null],
  ['progress', progress, ['planner', 'plant']],
  ['versions', versions, null],
  ['takeaway', takeaway, null],
  ['replan', replan, ['planner']],
  ['audit', audit, ['planner']],
];
const session = { me: null, networks: [] };
const plans = new Map();
let rendering = 0;

function parseHash() {
  const [path, query = ''] = window.location.hash.replace(/^#\/?/, '').split('?');
  const [name = '', ...rest] = path.split('/').map(decodeURIComponent);
  return { name, rest, params: Object.fromEntries(new URLSearchParams(query)) };
}

function navigate(name, params = {}, rest = []) {
  const path = [name, ...rest].map(encodeURIComponent).join('/');
  const query = new URLSearchParams(
    Object.entries(params).filter(([, value]) => value != null && value !== ''),
  ).toString();
  const hash = `#/${path}${query ? `?${query}` : ''}`;
  if (window.location.hash === hash) route();
  else window.location.hash = hash;
}

function logOut(message) {
  setToken(null);
  session.me = null;
  session.networks = [];
  plans.clear();
  login.setMessage(message || null);
  navigate('login');
}

async function startSession() {
  session.me = await api('/me');
  const listed = await api('/networks?limit=500');
  session.networks = Array.isArray(listed) ? listed : listed.items;
}

function networkKey(params) {
  const keys = session.networks.map((network) => network.key);
  const wanted = params.network || localStorage.getItem(NETWORK_KEY);
  const key = keys.includes(wanted) ? wanted : keys[0];
  if (key) localStorage.setItem(NETWORK_KEY, key);
  return key || null;
}

function context(network, params, rest, mounted) {
  const base = network ? `/networks/${encodeURIComponent(network.key)}` : null;
  const planNumber = params.plan ? Number(params.plan) : network?.current_plan ?? null;
  return {
    me: session.me,
    network,
    base,
    params,
    rest,
    planNumber,
    isCurrentPlan: planNumber != null && planNumber === network?.current_plan,
    navigate,
    // Work that needs the view on the page (a chart measures its width).
    afterMount(callback) {
      mounted.push(callback);
    },
    // What to show while the network has no plan: the job making the first one, if any.
    async noPlan() {
      const jobs = await api(`${base}/jobs?limit=50`);
      const active = (jobs.items ?? jobs).find((job) => job.status === 'queued' || job.status === 'running');
      if (!active) return notice(t('common.no_plan'));
      return h('p', { class: 'notice', role: 'status' },
        t('common.planning', { id: active.id, status: t(`replan.status.${active.status}`) }), ' ',
        session.me.role === 'planner' ? h('a', { href: '#/replan' }, t('common.watch')) : null);
    },
    // A plan version with its plan file data; versions never change, so they are kept.
    async plan(number = planNumber) {
      if (number == null) return null;
      const cacheKey = `${network.key}/${number}`;
      if (!plans.has(cacheKey)) plans.set(cacheKey, await api(`${base}/plans/${number}`));
      return plans.get(cacheKey);
    },
  };
}

function renderHeader(active, ctx) {
  const me = session.me;
  const nav = document.getElementById('nav');
  const tools = document.getElementById('session');
  nav.replaceChildren();
  tools.replaceChildren();
  const language = h('button', {
    type: 'button',
    id: 'language',
    class: 'quiet',
    lang: currentLanguage() === 'en' ? 'zh' : 'en',
    onclick: async () => {
      await loadLanguage(currentLanguage() === 'en' ? 'zh' : 'en');
      route();
    },
  }, t('language.switch'));
  if (!me) {
    tools.append(language);
    return;
  }
  for (const [name, , roles] of ROUTES) {
    if (roles && !roles.includes(me.role)) continue;
    nav.append(
      h('a', {
        href: `#/${name}`,
        class: name === active ? 'active' : null,
        'aria-current': name === active ? 'page' : null,
      }, t(`nav.${name}`)),
    );
  }
  if (session.networks.length > 1) {
    tools.append(
      h('label', { class: 'network' }, `${t('session.network')} `,
        h('select', {
          id: 'network-select',
          onchange: (event) => {
            localStorage.setItem(NETWORK_KEY, event.target.value);
            navigate(active);
          },
        }, session.networks.map((network) =>
          h('option', { value: network.key, selected: network.key === ctx.network?.key }, network.name || network.key),
        )),
      ),
    );
  } else if (ctx.network) {
    tools.append(h('span', { class: 'network' }, ctx.network.name || ctx.network.key));
  }
  if (ctx.network) {
    tools.append(
      h('span', { id: 'plan-badge', class: ctx.isCurrentPlan ? 'badge current' : 'badge' },
        ctx.planNumber == null
          ? t('session.no_plan')
          : `${t('session.plan', { number: ctx.planNumber })}${ctx.isCurrentPlan ? ` · ${t('session.current')}` : ''}`,
      ),
    );
  }
  const role = me.role === 'plant' ? t('role.plant', { plant: me.plant }) : t(`role.${me.role}`);
  tools.append(
    h('span', { id: 'who', class: 'who' }, me.name === role ? me.name : `${me.name} · ${role}`),
    language,
    h('button', { type: 'button', id: 'logout', class: 'quiet', onclick: () => logOut() }, t('session.logout')),
  );
}

async function route() {
  const ticket = ++rendering;
  const { name, rest, params } = parseHash();
  const view = document.getElementById('view');
  // The old view is stale from now on; tests and scripts wait for the new one's flag.
  view.querySelector('.view')?.removeAttribute('data-ready');
  try {
    if (!token()) {
      renderHeader('login', {});
      view.replaceChildren(login.render({ navigate }));
      return;
    }
    if (!session.me) await startSession();
    const entry = ROUTES.find(([route]) => route === name);
    if (!entry) {
      navigate('orders');
      return;
    }
    const key = networkKey(params);
    const network = key ? await api(`/networks/${encodeURIComponent(key)}`) : null;
    const mounted = [];
    const ctx = context(network, params, rest, mounted);
    renderHeader(name, ctx);
    const section = h('section', { class: `view view-${name}` }, notice(t('common.loading')));
    view.replaceChildren(section);
    if (!network) {
      section.replaceChildren(notice(t('common.no_network')));
      return;
    }
    const content = await entry[1].render(ctx);
    if (ticket !== rendering) return;
    section.replaceChildren(...[content].flat().filter((node) => node != null));
    for (const callback of mounted) await callback();
    section.dataset.ready = 'true';
  } catch (error) {
    if (ticket !== rendering) return;
    if (error instanceof ApiError && error.status === 401) {
      logOut(session.me ? t('login.expired') : t('login.refused'));
      return;
    }
    view.replaceChildren(notice(describe(error), 'error'));
  }
}

window.addEventListener('hashchange', route);
await loadLanguage();
route();
