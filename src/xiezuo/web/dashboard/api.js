// The server's REST API as the dashboard calls it: the token from localStorage as a
// Bearer header, JSON in and out, and errors as ApiError carrying FastAPI's detail.

const TOKEN_KEY = 'xiezuo.token';

export class ApiError extends Error {
  constructor(status, detail) {
    super(describeDetail(detail) || `HTTP ${status}`);
    this.status = status;
    this.detail = detail;
  }
}

export function token() {
  return localStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  if (value) localStorage.setItem(TOKEN_KEY, value);
  else localStorage.removeItem(TOKEN_KEY);
}

// FastAPI's detail is a sentence or a list of {loc, msg}: name the field with its message.
export function describeDetail(detail) {
  if (detail == null) return '';
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) {
    return detail
      .map((entry) => {
        const loc = (entry.loc || []).filter((part) => part !== 'body').join('.');
        return loc && !String(entry.msg).includes(loc) ? `${loc}: ${entry.msg}` : entry.msg;
      })
      .join('; ');
  }
  return JSON.stringify(detail);
}

export async function api(path, options = {}) {
  return (await request(path, options)).data;
}

// The answer's JSON and its headers (a retried report says so in Idempotent-Replayed).
export async function request(path, { method = 'GET', body, headers = {} } = {}) {
  const sent = { ...headers };
  const value = token();
  if (value) sent.Authorization = `Bearer ${value}`;
  if (body !== undefined) sent['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers: sent,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = { detail: text.slice(0, 300) };
    }
  }
  if (!response.ok) throw new ApiError(response.status, data ? data.detail : null);
  return { data, headers: response.headers };
}

// Every item of a paginated list ({items, total}), page by page.
export async function listAll(path, pageSize = 500) {
  const items = [];
  for (;;) {
    const sep = path.includes('?') ? '&' : '?';
    const page = await api(`${path}${sep}limit=${pageSize}&offset=${items.length}`);
    const batch = Array.isArray(page) ? page : page.items;
    items.push(...batch);
    if (Array.isArray(page) || batch.length === 0 || items.length >= page.total) return items;
  }
}
