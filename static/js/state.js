// The page's setup as one declarative table, read from and written to the URL query, so that
// every setup is a link. Pure: no DOM. The server's complete config is the authority; the derived
// defaults below only mirror PRODUCT.md §6 so that links stay short.

export const GATES = ['and', 'or', 'nand', 'nor', 'xor', 'xnor'];
export const SYNTHETIC = ['blobs', 'overlap', 'circle'];

const ruleOf = (v) => v.rule ?? (v.activation === 'step' ? 'perceptron' : 'gradient');

// name: the config field or page property; key: its URL key; config: sent to the server;
// always: written to the URL even at its default (the core of a setup reads well in a link).
export const PROPS = [
  { name: 'dataset', type: 'string', default: 'and', key: 'dataset', config: true, always: true },
  { name: 'hidden_units', type: 'int', default: 0, key: 'hidden', config: true },
  {
    name: 'activation', type: 'string', key: 'activation', config: true, always: true,
    default: (v) => (v.hidden_units ? 'sigmoid' : 'step'),
  },
  { name: 'rule', type: 'string', default: ruleOf, key: 'rule', config: true, always: true },
  {
    name: 'learning_rate', type: 'number', key: 'lr', config: true, always: true,
    default: (v) => (ruleOf(v) === 'perceptron' ? 1 : 0.5),
  },
  { name: 'use_bias', type: 'bool', default: true, key: 'bias', config: true, always: true },
  { name: 'init', type: 'string', default: (v) => (v.hidden_units ? 'random' : 'zeros'), key: 'init', config: true },
  { name: 'init_weights', type: 'list', default: null, key: 'w0' },
  { name: 'init_bias', type: 'number', default: 0, key: 'b0' },
  { name: 'seed', type: 'int', default: 0, key: 'seed', config: true },
  {
    name: 'batch', type: 'string', key: 'batch', config: true,
    default: (v) => (ruleOf(v) === 'perceptron' ? 'online' : 'full'),
  },
  { name: 'reduction', type: 'string', default: 'mean', key: 'reduction', config: true },
  { name: 'loss', type: 'string', default: 'mse', key: 'loss', config: true },
  { name: 'shuffle', type: 'bool', default: false, key: 'shuffle', config: true },
  { name: 'n_samples', type: 'int', default: 200, key: 'n', config: true },
  { name: 'noise', type: 'number', default: 0.2, key: 'noise', config: true },
  {
    name: 'test_fraction', type: 'number', key: 'test', config: true,
    default: (v) => (v.dataset === 'breast_cancer' ? 0.3 : 0),
  },
  { name: 'max_epochs', type: 'int', default: null, key: 'epochs', config: true },
  { name: 'points', type: 'points', default: null, key: 'pts', config: true },
  { name: 'plot_features', type: 'list', default: null, key: 'plot', config: true },
  { name: 'fps', type: 'int', default: 10, key: 'fps' },
  { name: 'steps_per_frame', type: 'int', default: 1, key: 'spf' },
  { name: 'show_test', type: 'bool', default: true, key: 'showtest' },
  { name: 'discretise', type: 'bool', default: false, key: 'discrete' },
  { name: 'wrong_first', type: 'bool', default: false, key: 'wrong' },
  { name: 'presenter', type: 'bool', default: false, key: 'present' },
  { name: 'embed', type: 'bool', default: false, key: 'embed' },
  { name: 'autoplay', type: 'bool', default: false, key: 'play' },
  { name: 'lesson', type: 'int', default: null, key: 'lesson' },
  { name: 'session', type: 'string', default: null, key: 'session' },
  { name: 'lang', type: 'string', default: null, key: 'lang' }, // the page's language: a link keeps it
];

const BY_NAME = Object.fromEntries(PROPS.map((p) => [p.name, p]));
const MAX_URL_POINTS = 400; // beyond this a link would be too long to share

const PARSE = {
  string: (s) => (s === '' ? undefined : s),
  number: (s) => (s === '' || !Number.isFinite(Number(s)) ? undefined : Number(s)),
  int: (s) => (/^-?\d+$/.test(s) ? Number(s) : undefined),
  bool: (s) => ({ 1: true, true: true, on: true, 0: false, false: false, off: false })[s],
  list: (s) => {
    const xs = s.split(',').map(Number);
    return xs.length && xs.every(Number.isFinite) ? xs : undefined;
  },
  points: parsePoints,
};

const SHOW = {
  string: String,
  number: shortNumber,
  int: String,
  bool: (b) => (b ? '1' : '0'),
  list: (xs) => xs.map(shortNumber).join(','),
  points: showPoints,
};

/** A number as short as it can be without losing what a person typed. */
export function shortNumber(x) {
  return String(Number(Number(x).toPrecision(10)));
}

function parsePoints(s) {
  const X = [];
  const y = [];
  for (const chunk of s.split('_')) {
    const [a, b, c] = chunk.split(',').map(Number);
    if (![a, b].every(Number.isFinite) || (c !== 0 && c !== 1)) return undefined;
    X.push([a, b]);
    y.push(c);
  }
  return X.length ? { X, y } : undefined;
}

function showPoints(points) {
  if (!points || points.y.length > MAX_URL_POINTS || points.X[0]?.length !== 2) return null;
  const r = (v) => String(Math.round(v * 1000) / 1000);
  return points.X.map((x, i) => `${r(x[0])},${r(x[1])},${points.y[i]}`).join('_');
}

/** The values a query string gives, typed; unknown keys and bad values are left out. */
export function fromURL(search) {
  const params = new URLSearchParams(search);
  const given = {};
  for (const p of PROPS) {
    if (!params.has(p.key)) continue;
    const value = PARSE[p.type](params.get(p.key));
    if (value !== undefined) given[p.name] = value;
  }
  return given;
}

/** Every property filled in: the given values, then defaults (which may follow earlier ones). */
export function withDefaults(given) {
  const values = { ...given };
  for (const p of PROPS) {
    if (values[p.name] === undefined) {
      values[p.name] = typeof p.default === 'function' ? p.default(values) : p.default;
    }
  }
  return values;
}

function defaultOf(p, values) {
  return typeof p.default === 'function' ? p.default(values) : p.default;
}

/** The query string of a setup: the core always, the rest only where it differs from default. */
export function toURL(values) {
  const parts = [];
  for (const p of PROPS) {
    const value = values[p.name];
    if (value === null || value === undefined) continue;
    if (!p.always && sameValue(value, defaultOf(p, values))) continue;
    if (p.name === 'points' && values.dataset !== 'custom') continue;
    if (p.name.startsWith('init_') && values.init !== 'hand') continue;
    if (p.name === 'test_fraction' && GATES.includes(values.dataset)) continue;
    const shown = SHOW[p.type](value);
    if (shown === null) continue;
    parts.push(`${p.key}=${encodeURIComponent(shown).replace(/%2C/g, ',')}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

function sameValue(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The config to send to the server: every config field that has a value. */
export function configFrom(values) {
  const config = {};
  for (const p of PROPS) {
    if (!p.config) continue;
    const value = values[p.name];
    if (value === null || value === undefined) continue;
    config[p.name] = value;
  }
  if (values.init === 'hand') {
    config.init = values.init_weights
      ? { weights: values.init_weights, bias: values.init_bias ?? 0 }
      : 'zeros';
  }
  if (values.dataset !== 'custom') delete config.points;
  if (GATES.includes(values.dataset)) config.test_fraction = 0;
  return config;
}

/** The page values that a complete server config stands for (the inverse of configFrom). */
export function valuesFromConfig(config) {
  const values = {};
  for (const p of PROPS) if (p.config && p.name in config) values[p.name] = config[p.name];
  if (config.init && typeof config.init === 'object') {
    values.init = 'hand';
    values.init_weights = config.init.weights;
    values.init_bias = config.init.bias ?? 0;
  } else {
    values.init_weights = null;
    values.init_bias = 0;
  }
  if (config.dataset !== 'custom') values.points = null;
  return values;
}

/** Parse a field's text the way its property is typed (for form controls). */
export function parseValue(name, text) {
  const p = BY_NAME[name];
  if (p.type === 'bool') return Boolean(text);
  return PARSE[p.type](String(text));
}

/** The control token kept in the URL fragment (#token=...), never in the query. */
export function tokenFromHash(hash) {
  return new URLSearchParams(hash.replace(/^#/, '')).get('token');
}
