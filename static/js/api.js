// The REST calls the page makes (PRODUCT.md §6). Every URL is on this origin.

async function request(method, path, body) {
  const init = { method, headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const payload = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, payload?.detail);
  return payload;
}

export class ApiError extends Error {
  constructor(status, detail) {
    super(describe(detail) || `HTTP ${status}`);
    this.status = status;
    this.detail = detail;
  }
}

/** FastAPI's 422 detail is a list of {loc, msg}; turn any detail into one sentence. */
export function describe(detail) {
  if (!detail) return '';
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) {
    return detail.map((d) => {
      const field = Array.isArray(d.loc) ? d.loc.filter((p) => p !== 'body').join('.') : '';
      return field ? `${field}: ${d.msg}` : d.msg;
    }).join('; ');
  }
  return JSON.stringify(detail);
}

/** The config fields a 422 detail names (its `loc` after "body"). */
export function fieldsAt(detail) {
  if (!Array.isArray(detail)) return [];
  return [...new Set(detail.map((d) => (Array.isArray(d.loc) ? d.loc.filter((p) => p !== 'body')[0] : null))
    .filter((name) => typeof name === 'string'))];
}

const sessionPath = (id) => `/api/sessions/${encodeURIComponent(id)}`;

export const createSession = (config) => request('POST', '/api/sessions', config);
export const getSession = (id) => request('GET', sessionPath(id));
export const getData = (id) => request('GET', `${sessionPath(id)}/data`);
export const getHistory = (id) => request('GET', `${sessionPath(id)}/history`);
export const listDatasets = () => request('GET', '/api/datasets');
export const exportUrl = (id) => `${sessionPath(id)}/export.py`;
export const qrUrl = (id) => `${sessionPath(id)}/qr.svg`;

/** The stream's URL on this host, ws: or wss: to match the page. */
export function streamUrl(id, token) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const query = token ? `?token=${encodeURIComponent(token)}` : '';
  return `${scheme}//${location.host}${sessionPath(id)}/stream${query}`;
}
