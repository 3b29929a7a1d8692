// Numbers, vectors and sentences for the page, in its language (i18n.js). Pure: no DOM.

import { DECIMAL, LANG, LIST_SEPARATOR, t, tOr } from './i18n.js';

const MINUS = '\u2212';
const INTEGER = new Intl.NumberFormat(LANG, { maximumFractionDigits: 0, useGrouping: false });
const FOUR_DIGITS = new Intl.NumberFormat(LANG, { maximumSignificantDigits: 4, useGrouping: false });
const PERCENT = new Intl.NumberFormat(LANG, { style: 'percent', maximumFractionDigits: 1 });
const COUNT = new Intl.NumberFormat(LANG);

/** A number for people: integers as integers, else four significant digits; − for minus. */
export function num(x) {
  return plain(x).replaceAll('-', MINUS);
}

/** A number at a glance (three significant digits), for the columns of a table. */
export function short(x) {
  return typeof x === 'number' && Number.isFinite(x) && Math.abs(x) < 1e6 && Math.abs(x) >= 1e-3
    ? num(Number(x.toPrecision(3))) : num(x);
}

/** The same number for TeX (KaTeX typesets "-" as a minus sign); 1.5e-4 as 1.5·10⁻⁴; a decimal
 *  comma in braces, so that TeX does not space it as a list's comma. */
export function texNum(x) {
  const s = plain(x);
  const m = /^(-?[\d.,]+)e(-?\d+)$/.exec(s);
  return (m ? `${m[1]}\\cdot 10^{${m[2]}}` : s).replace(',', '{,}');
}

/** A count for people: 10,000 · 10 000 · 10.000, as the language groups digits. */
export function count(n) {
  return COUNT.format(n);
}

function plain(x) {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  const a = Math.abs(x);
  if (a >= 1e6) return exponential(x, 3);
  const rounded = Math.round(x);
  if (Math.abs(x - rounded) < 1e-9 * Math.max(1, a)) return INTEGER.format(rounded === 0 ? 0 : rounded);
  if (a < 1e-3) return exponential(x, 2);
  return FOUR_DIGITS.format(x);
}

/** 1.50e+243 as 1.5e243: the mantissa without trailing zeros (and the language's decimal mark). */
function exponential(x, digits) {
  const [mantissa, power] = x.toExponential(digits).split('e');
  return `${String(Number(mantissa)).replace('.', DECIMAL)}e${Number(power)}`;
}

/** A TeX factor: negative numbers in parentheses so that 1·(−1) reads right. */
export function texFactor(x) {
  const s = texNum(x);
  return s.startsWith('-') ? `(${s})` : s;
}

/** A name cut to `length` characters with an ellipsis, for a label in a diagram. */
export function shorten(name, length = 15) {
  return name.length > length ? `${name.slice(0, length - 1)}…` : name;
}

/** [a, b, c] for people, shortened to `limit` entries with an ellipsis. */
export function vec(xs, limit = 8) {
  const shown = xs.slice(0, limit).map(num);
  if (xs.length > limit) shown.push(`… ${t('format.more', { count: xs.length - limit })}`);
  return `[${shown.join(LIST_SEPARATOR)}]`;
}

/** [a, b, c] in TeX, shortened to `limit` entries. */
export function texVec(xs, limit = 4) {
  const shown = xs.slice(0, limit).map(texNum);
  if (xs.length > limit) shown.push('\\dots');
  return `[${shown.join(DECIMAL === ',' ? ';\\ ' : ',\\ ')}]`;
}

export function percent(x) {
  if (x === null || x === undefined) return '—';
  return PERCENT.format(x);
}

// Why one neuron cannot get a set right, in our own words (the catalog's why.<dataset>.*): `short`
// fits the two-line status, `title` and `text` are said once, in the lesson panel (when no
// lesson already says it).
export const CANNOT_SEPARATE = ['xor', 'xnor', 'circle', 'overlap', 'virus'];

/** {short, title, text} for a set one neuron cannot get all right, else null. */
export function whyNot(dataset) {
  if (!CANNOT_SEPARATE.includes(dataset)) return null;
  return { short: t(`why.${dataset}.short`), title: t(`why.${dataset}.title`), text: t(`why.${dataset}.text`) };
}

/** The class names of a dataset, for the legend and the table (0 and 1 where it has none). */
const NAMED_CLASSES = ['breast_cancer'];

export function classNames(dataset) {
  return NAMED_CLASSES.includes(dataset) ? [t(`class.${dataset}.0`), t(`class.${dataset}.1`)] : null;
}

/** How a class reads: its name, or its number. */
export function className(dataset, cls) {
  return classNames(dataset)?.[cls] ?? String(cls);
}

/** Training cannot go on: converged, diverged, or at Max epochs (Play has nothing to do). */
export function finished(frame) {
  if (!frame) return false;
  const maxed = frame.config.max_epochs != null && frame.epoch >= frame.config.max_epochs;
  return frame.status === 'converged' || frame.status === 'diverged' || maxed;
}

/** What Play says when training has nothing left to do (a success, not an error). */
export function nothingToTrain(frame) {
  if (frame.status === 'diverged') return t('note.diverged');
  if (frame.status === 'converged') return t('note.converged');
  return t('note.finished', { count: frame.config.max_epochs });
}

/** How many training samples (frames of a large set leave the per-sample lists out: 0). */
export function sampleCount(frame) {
  return (frame.predictions ?? frame.outputs)?.length ?? 0;
}

/** "sample 3 of 4": the last online update's sample, by its row in the table. */
function sampleOf(frame) {
  const i = onlineSample(frame);
  if (i === null) return null;
  const n = sampleCount(frame);
  return n ? t('status.sample_of', { i: i + 1, n }) : t('status.sample', { i: i + 1 });
}

/** Stopped inside an epoch (after Step sample), not at its end (after Step or Pause). */
function midEpoch(frame) {
  const n = sampleCount(frame);
  return n > 0 && frame.step % n !== 0;
}

/** What the last online update did, in a few words. */
export function updateOutcome(u) {
  if (!u || u.kind === 'batch') return '';
  const moved = (u.delta_w ?? []).some((d) => d !== 0) || (u.delta_b ?? 0) !== 0;
  if (!moved) return t('outcome.correct');
  return u.kind === 'perceptron' ? t('outcome.wrong', { target: num(u.d) }) : t('outcome.gradient');
}

/**
 * The status line: what training is doing, in two lines at most. `frame` is the session state;
 * `ctx` says whether the page is connected and whether it only follows.
 */
export function statusText(frame, ctx = {}) {
  if (ctx.error) return ctx.error;
  if (!frame) return ctx.connecting ? t('status.connecting') : t('status.starting');
  const n = frame.epoch;
  const maxed = frame.config.max_epochs != null && n >= frame.config.max_epochs;
  const sample = sampleOf(frame);
  const why = whyNot(frame.config.dataset);
  let text;
  if (frame.status === 'diverged') {
    text = t('status.diverged', { epoch: count(n) });
  } else if (frame.status === 'converged') {
    text = t('status.converged', { count: n });
  } else if (frame.status === 'running') {
    text = frame.converged ? t('status.running_right') : t('status.running');
  } else if (maxed) {
    text = t('status.finished', { count: n });
  } else if (n === 0 && frame.step === 0) {
    text = ctx.viewer ? t('status.waiting') : t('status.ready');
  } else if (sample && (midEpoch(frame) || !why)) {
    text = t('status.paused_after', { epoch: count(n), sample, outcome: updateOutcome(frame.last_update) });
  } else {
    text = t('status.paused', { epoch: count(n) });
  }
  if (frame.converged && frame.status !== 'converged' && frame.status !== 'running' && frame.status !== 'diverged') {
    text += ` ${t('status.all_right')}`;
  }
  // Two lines hold the sample's outcome or the why: mid-epoch the sample, else the why.
  if (why && frame.status !== 'converged' && !frame.converged && !(sample && midEpoch(frame))) {
    text += ` ${why.short}`;
  }
  if (ctx.reconnecting) text = `${t('status.reconnecting')} ${text}`;
  return text;
}

/** The one-line numbers under the status (not announced: it changes every frame). Online runs
 *  count the samples seen and, apart, the updates that changed something. */
export function statsText(frame) {
  if (!frame) return '';
  const online = frame.config.batch === 'online';
  const parts = [t('stats.epoch', { n: count(frame.epoch) })];
  if (online) parts.push(t('stats.seen', { n: count(frame.step) }));
  parts.push(t('stats.updates', { n: count(frame.changes ?? frame.step) }), t('stats.loss', { value: num(frame.loss) }),
    t('stats.accuracy', { value: percent(frame.accuracy) }));
  if (frame.test_accuracy !== null && frame.test_accuracy !== undefined) {
    parts.push(t('stats.test', { value: percent(frame.test_accuracy) }));
  }
  return parts.join(' · ');
}

/** Feature names for n inputs: the data set's own (in the page's language where the catalog
 *  names them: the symptoms), else x1, x2, … */
export function featureNames(frame) {
  const n = frame.weights.length;
  const names = frame.feature_names && frame.feature_names.length === n ? frame.feature_names : null;
  return names ? translatedFeatures(frame.config.dataset, names) : Array.from({ length: n }, (_, i) => `x${i + 1}`);
}

/** A built-in set's class names in the page's language (class.<dataset>.<k>), where it has them. */
export function translatedClasses(dataset, names) {
  return names?.map((name, k) => tOr(`class.${dataset}.${k}`, name));
}

/** A built-in set's feature names in the page's language (feature.<dataset>.<i>), where it has them. */
export function translatedFeatures(dataset, names) {
  return names.map((name, i) => tOr(`feature.${dataset}.${i}`, name));
}

/** The training sample of the last online update, if any (a full-batch step has none). */
export function onlineSample(frame) {
  const u = frame.last_update;
  return u && u.kind !== 'batch' && Number.isInteger(u.sample) ? u.sample : null;
}

/** What a class is called: "class 1", or "class 1: benign" when the data names it. */
export function classLabel(names, k) {
  const name = names?.[k];
  return name === undefined || name === String(k) ? t('class.n', { k }) : t('class.named', { k, name });
}

/** A class in a table cell: its number, or its name when the data names it. */
export function classCell(names, k) {
  const name = names?.[k];
  return name === undefined || name === String(k) ? String(k) : name;
}
