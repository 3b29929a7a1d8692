// The REST calls the page makes (PRODUCT.md §6). Every URL is on this origin. The API's details
// are English, for scripts; the page says them in its own language from their codes and fields.

import { LANG, has, t } from './i18n.js';

async function request(method, path, body, token = null) {
  const init = { method, headers: { Accept: 'application/json' } };
  if (token) init.headers.Authorization = `Bearer ${token}`;
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
    // The service's own sentences (409, 503) in the page's language; the rest by their codes.
    const own = typeof detail === 'string' && has(`error.status.${status}`);
    super(own ? t(`error.status.${status}`) : describe(detail) || t('error.http', { status }));
    this.status = status;
    this.detail = detail;
  }
}

/** A stream's error in the page's language: by its code when the catalog has words for it. */
export function said(detail, code, params = {}) {
  if (code && has(`error.said.${code}`)) return t(`error.said.${code}`, params);
  return describe(detail);
}

/** A 422 detail is a list of {loc, msg, type, code?, ctx?}; turn any detail into one sentence
 *  in the page's language: the field by its label, the problem by its code (the service's own
 *  refusals) or its type (the schema's), with the numbers the detail carries. A detail the
 *  catalog has no words for is shown as the API wrote it. */
export function describe(detail) {
  if (!detail) return '';
  if (typeof detail === 'string') return detail; // a sentence of the service's own (English)
  if (Array.isArray(detail)) {
    return detail.map((d) => {
      const path = Array.isArray(d.loc) ? d.loc.filter((p) => p !== 'body' && p !== 'query') : [];
      const field = path.length ? fieldName(path[0]) + path.slice(1).map((p) => `[${p}]`).join('') : '';
      const problem = problemOf(d);
      return field ? t('error.field', { field, problem }) : problem;
    }).join('; ');
  }
  return JSON.stringify(detail);
}

/** A config field as the page labels it (Learning rate, Tasa de aprendizaje…), else its name. */
export function fieldName(name) {
  return has(`field.${name}`) ? t(`field.${name}`) : String(name);
}

function problemOf(d) {
  const ctx = Object.fromEntries(Object.entries(d.ctx ?? {}).map(([k, v]) => [k, typeof v === 'number' ? v.toLocaleString(LANG) : v]));
  if (d.code && has(`error.code.${d.code}`)) {
    const where = d.line ? t(d.column ? 'error.where' : 'error.line', { line: d.line, column: d.column }) : '';
    return `${where}${t(`error.code.${d.code}`, ctx)}`; // the message of a CSV names its line and column
  }
  if (!d.code && d.type && has(`error.type.${d.type}`)) return t(`error.type.${d.type}`, ctx);
  return d.msg ?? '';
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
export const getLandscape = (id, size) => request('GET', `${sessionPath(id)}/landscape?size=${size}`);
export const getPreview = (id, weights, bias) => request('GET', `${sessionPath(id)}/preview?${
  new URLSearchParams([...weights.map((w) => ['weights', String(w)]), ['bias', String(bias)]])}`);
export const listDatasets = () => request('GET', '/api/datasets');
export const exportUrl = (id) => `${sessionPath(id)}/export.py`;
export const qrUrl = (id, lang) => `${sessionPath(id)}/qr.svg?lang=${encodeURIComponent(lang)}`;
export const getJoinCode = (id, token) => request('POST', `${sessionPath(id)}/join-code`, undefined, token);

/** The stream's URL on this host, ws: or wss: to match the page. */
export function streamUrl(id, token) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const query = token ? `?token=${encodeURIComponent(token)}` : '';
  return `${scheme}//${location.host}${sessionPath(id)}/stream${query}`;
}

// ---- datasets you bring (PRODUCT.md §15) ----------------------------------------------------
const datasetPath = (id) => `/api/datasets/${encodeURIComponent(id)}`;

/** Upload CSV text; query: {label, positive, standardize, name}. */
export async function uploadCsv(text, query) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== null && v !== undefined) params.set(k, String(v));
  const response = await fetch(`/api/datasets?${params}`, {
    method: 'POST', headers: { Accept: 'application/json', 'Content-Type': 'text/csv' }, body: text,
  });
  const payload = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, payload?.detail);
  return payload;
}

export const uploadPoints = (body, name) => request('POST', `/api/datasets?standardize=0&name=${encodeURIComponent(name)}`, body);
export const getDataset = (id) => request('GET', datasetPath(id));

export async function deleteDataset(id, token) {
  const response = await fetch(datasetPath(id), { method: 'DELETE', headers: { Authorization: `Bearer ${token}` } });
  if (!response.ok && response.status !== 404) throw new ApiError(response.status, null);
}

/** Any dataset as CSV; the synthetic sets as the session's seed, size and noise make them. */
export function csvUrl(id, { seed = 0, n_samples: n = 200, noise = 0.2 } = {}) {
  return `${datasetPath(id)}/data.csv?seed=${seed}&n_samples=${n}&noise=${noise}`;
}
