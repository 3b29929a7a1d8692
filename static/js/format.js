// Numbers, vectors and sentences for the page. Pure: no DOM.

const MINUS = '\u2212';

/** A number for people: integers as integers, else four significant digits; − for minus. */
export function num(x) {
  return plain(x).replaceAll('-', MINUS);
}

/** A number at a glance (three significant digits), for the columns of a table. */
export function short(x) {
  return typeof x === 'number' && Number.isFinite(x) && Math.abs(x) < 1e6 && Math.abs(x) >= 1e-3
    ? num(Number(x.toPrecision(3))) : num(x);
}

/** The same number for TeX (KaTeX typesets "-" as a minus sign); 1.5e-4 as 1.5·10⁻⁴. */
export function texNum(x) {
  const s = plain(x);
  const m = /^(-?[\d.]+)e(-?\d+)$/.exec(s);
  return m ? `${m[1]}\\cdot 10^{${m[2]}}` : s;
}

function plain(x) {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  const a = Math.abs(x);
  if (a >= 1e6) return exponential(x, 3);
  const rounded = Math.round(x);
  if (Math.abs(x - rounded) < 1e-9 * Math.max(1, a)) return String(rounded === 0 ? 0 : rounded);
  if (a < 1e-3) return exponential(x, 2);
  return String(Number(x.toPrecision(4)));
}

/** 1.50e+243 as 1.5e243: the mantissa without trailing zeros. */
function exponential(x, digits) {
  const [mantissa, power] = x.toExponential(digits).split('e');
  return `${Number(mantissa)}e${Number(power)}`;
}

/** A TeX factor: negative numbers in parentheses so that 1·(−1) reads right. */
export function texFactor(x) {
  const s = texNum(x);
  return s.startsWith('-') ? `(${s})` : s;
}

/** [a, b, c] for people, shortened to `limit` entries with an ellipsis. */
export function vec(xs, limit = 8) {
  const shown = xs.slice(0, limit).map(num);
  if (xs.length > limit) shown.push(`… ${xs.length - limit} more`);
  return `[${shown.join(', ')}]`;
}

/** [a, b, c] in TeX, shortened to `limit` entries. */
export function texVec(xs, limit = 4) {
  const shown = xs.slice(0, limit).map(texNum);
  if (xs.length > limit) shown.push('\\dots');
  return `[${shown.join(',\\ ')}]`;
}

export function percent(x) {
  if (x === null || x === undefined) return '—';
  return `${Number((x * 100).toFixed(1))}%`;
}

// Why one neuron cannot get a set right, in our own words: `short` fits the two-line status,
// `title` and `text` are said once, in the lesson panel (when no lesson already says it).
export const CANNOT_SEPARATE = {
  xor: {
    short: 'XOR is not linearly separable: no line splits its two diagonals.',
    title: 'Why one neuron cannot learn XOR',
    text: 'XOR is not linearly separable: its class-1 inputs (0,1) and (1,0) sit on opposite '
      + 'corners of the square, and the class-0 inputs (0,0) and (1,1) on the other two. One neuron '
      + 'draws one straight line, and no straight line puts one diagonal on each side, so the '
      + 'weights keep cycling and it never converges.',
  },
  xnor: {
    short: 'XNOR is not linearly separable: no line splits its two diagonals.',
    title: 'Why one neuron cannot learn XNOR',
    text: 'XNOR is not linearly separable: its class-1 inputs (0,0) and (1,1) sit on opposite '
      + 'corners of the square, and the class-0 inputs (0,1) and (1,0) on the other two. One neuron '
      + 'draws one straight line, and no straight line puts one diagonal on each side, so it never '
      + 'converges.',
  },
  circle: {
    short: 'Not linearly separable: a disc inside a ring needs a round boundary.',
    title: 'Why one neuron cannot separate the circle',
    text: 'Class 1 is a disc inside a ring of class 0, so the boundary would have to be a circle, '
      + 'and one neuron can only draw a straight line.',
  },
  overlap: {
    short: 'The clouds overlap: no straight line gets every point right.',
    title: 'Why some points stay wrong',
    text: 'The two clouds overlap, so no straight line gets every point right; the neuron can '
      + 'only look for the line with the fewest mistakes.',
  },
  virus: {
    short: 'No neuron gets all 8 rows right: one row appears with both targets.',
    title: 'Why the symptoms table never comes out all right',
    text: 'The row [0, 0, 1, 1] appears twice, once with target 1 and once with target 0, so no '
      + 'neuron can get all eight rows right.',
  },
};

/** The class names of a dataset, for the legend and the table (0 and 1 where it has none). */
const CLASS_NAMES = { breast_cancer: ['malignant', 'benign'] };

export function classNames(dataset) {
  return CLASS_NAMES[dataset] ?? null;
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
  if (frame.status === 'diverged') return 'Diverged: nothing more can change. Lower the learning rate, then Reset.';
  if (frame.status === 'converged') return 'Converged: nothing left to learn. Reset to train again.';
  return `Finished the ${frame.config.max_epochs} epochs set by Max epochs. Reset to train again.`;
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
  return n ? `sample ${i + 1} of ${n}` : `sample ${i + 1}`;
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
  if (!moved) return 'correct: no change';
  return u.kind === 'perceptron' ? `wrong (target ${num(u.d)}): the weights moved` : 'the weights moved down the gradient';
}

/**
 * The status line: what training is doing, in two lines at most. `frame` is the session state;
 * `ctx` says whether the page is connected and whether it only follows.
 */
export function statusText(frame, ctx = {}) {
  if (ctx.error) return ctx.error;
  if (!frame) return ctx.connecting ? 'Connecting…' : 'Starting…';
  const n = frame.epoch;
  const epochs = `${n} epoch${n === 1 ? '' : 's'}`;
  const maxed = frame.config.max_epochs != null && n >= frame.config.max_epochs;
  const sample = sampleOf(frame);
  const why = CANNOT_SEPARATE[frame.config.dataset];
  let text;
  if (frame.status === 'diverged') {
    text = `Diverged at epoch ${n}: the weights grew past any finite number. `
      + 'Try a learning rate ten times smaller, then Reset.';
  } else if (frame.status === 'converged') {
    text = `Converged after ${epochs}: every training sample is classified correctly.`;
  } else if (frame.status === 'running') {
    text = frame.converged
      ? 'Running: every training sample is already right; the loss keeps falling.'
      : 'Running.';
  } else if (maxed) {
    text = `Finished the ${epochs} set by Max epochs.`;
  } else if (n === 0 && frame.step === 0) {
    text = ctx.viewer ? 'Waiting for the teacher to start.' : 'Ready: press Play, or Step to go one epoch at a time.';
  } else if (sample && (midEpoch(frame) || !why)) {
    text = `Paused at epoch ${n} after ${sample} — ${updateOutcome(frame.last_update)}.`;
  } else {
    text = `Paused at epoch ${n}.`;
  }
  if (frame.converged && frame.status !== 'converged' && frame.status !== 'running' && frame.status !== 'diverged') {
    text += ' Every training sample is right.';
  }
  // Two lines hold the sample's outcome or the why: mid-epoch the sample, else the why.
  if (why && frame.status !== 'converged' && !frame.converged && !(sample && midEpoch(frame))) {
    text += ` ${why.short}`;
  }
  if (ctx.reconnecting) text = `Reconnecting… ${text}`;
  return text;
}

/** The one-line numbers under the status (not announced: it changes every frame). Online runs
 *  count the samples seen and, apart, the updates that changed something. */
export function statsText(frame) {
  if (!frame) return '';
  const online = frame.config.batch === 'online';
  const parts = [`epoch ${frame.epoch}`];
  if (online) parts.push(`samples seen ${frame.step}`);
  parts.push(`updates ${frame.changes ?? frame.step}`, `loss ${num(frame.loss)}`,
    `accuracy ${percent(frame.accuracy)}`);
  if (frame.test_accuracy !== null && frame.test_accuracy !== undefined) {
    parts.push(`test ${percent(frame.test_accuracy)}`);
  }
  return parts.join(' · ');
}

/** Feature names for n inputs: the data set's own, else x1, x2, … */
export function featureNames(frame) {
  const n = frame.weights.length;
  const names = frame.feature_names && frame.feature_names.length === n ? frame.feature_names : null;
  return names ?? Array.from({ length: n }, (_, i) => `x${i + 1}`);
}

/** The training sample of the last online update, if any (a full-batch step has none). */
export function onlineSample(frame) {
  const u = frame.last_update;
  return u && u.kind !== 'batch' && Number.isInteger(u.sample) ? u.sample : null;
}

/** What a class is called: "class 1", or "class 1: benign" when the data names it. */
export function classLabel(names, k) {
  const name = names?.[k];
  return name === undefined || name === String(k) ? `class ${k}` : `class ${k}: ${name}`;
}

/** A class in a table cell: its number, or its name when the data names it. */
export function classCell(names, k) {
  const name = names?.[k];
  return name === undefined || name === String(k) ? String(k) : name;
}
