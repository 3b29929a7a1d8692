// The neuron drawn: inputs → weighted connections → Σ → activation → output, every weight and
// the bias as a number and a bar, the formula with current values; weights editable while paused.

import { featureNames, num, shorten, texNum, vec } from './format.js';
import { LIST_SEPARATOR, t } from './i18n.js';
import { renderTex, STEP_TEX, weightsBefore } from './maths.js';

const SVG = 'http://www.w3.org/2000/svg';
const MAX_DRAWN_INPUTS = 7;
const POSITIVE = '#0072B2';
const NEGATIVE = '#D55E00';

export const ACTIVATION_TEX = {
  step: `${STEP_TEX}(z) = \\begin{cases} 1 & z \\ge 0 \\\\ 0 & z < 0 \\end{cases}`,
  sigmoid: '\\sigma(z) = \\dfrac{1}{1 + e^{-z}}',
  tanh: '\\tanh(z) = \\dfrac{e^{z} - e^{-z}}{e^{z} + e^{-z}}',
  relu: '\\operatorname{relu}(z) = \\max(0, z)',
  linear: 'f(z) = z',
};
const ACTIVATION_LABEL = { step: t('activation.step'), sigmoid: 'σ', tanh: 'tanh', relu: 'ReLU', linear: 'f(z)=z' };

function el(tag, attrs = {}, text = null) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== null) node.textContent = text;
  return node;
}

export class NeuronView {
  constructor({ svg, moment, params, formula, weights, hint }, { onSetWeights }) {
    Object.assign(this, { svg, moment, params, formula, weightsBox: weights, hint, onSetWeights });
    this.rowsKey = null;
    this.formulaKey = null;
    this.inputs = [];
  }

  update(frame, { editable }) {
    const names = featureNames(frame);
    const limit = frame.weights.length > 8 ? 4 : 8;
    this.params.textContent = `w = ${vec(frame.weights, limit)}${LIST_SEPARATOR}b = ${num(frame.bias)}`;
    this.frame = frame;
    const at = momentOf(frame);
    this.moment.textContent = at.caption;
    this.drawDiagram(frame, names, at);
    this.drawFormula(frame);
    this.drawRows(frame, names, editable);
  }

  /** The diagram at one moment (momentOf): its weights, and the sample going in, if any. */
  drawDiagram(frame, names, at) {
    const svg = this.svg;
    svg.replaceChildren();
    const w = at.weights;
    const order = w.map((_, i) => i);
    if (w.length > MAX_DRAWN_INPUTS) order.sort((a, b) => Math.abs(w[b]) - Math.abs(w[a]));
    const shown = order.slice(0, w.length > MAX_DRAWN_INPUTS ? MAX_DRAWN_INPUTS - 1 : w.length);
    shown.sort((a, b) => a - b);
    const hidden = w.length - shown.length;
    const rows = shown.length + (hidden ? 1 : 0) + 1; // + bias
    const gap = 40;
    const height = Math.max(110, (rows - 1) * gap + 56);
    svg.setAttribute('viewBox', `0 0 400 ${height}`);
    const yOf = (k) => height / 2 - ((rows - 1) * gap) / 2 + k * gap;
    const sum = { x: 262, y: height / 2 };
    const inX = 132;
    const labelled = rows <= 4; // with more inputs the bars below carry the numbers
    const scale = Math.max(1e-9, ...w.map(Math.abs), Math.abs(at.bias));
    const x = at.x;
    // Short values (a gate's 0 and 1) sit in their node; longer ones beside the input's name.
    const values = x ? shown.map((i) => num(x[i])) : [];
    const inside = values.every((v) => v.length <= 3);
    const link = (k, weight, label, value, caption) => {
      const y = yOf(k);
      const width = 1 + 7 * Math.min(1, Math.abs(weight) / scale);
      const colour = weight > 0 ? POSITIVE : weight < 0 ? NEGATIVE : '#888888';
      svg.append(el('line', {
        x1: inX + 12, y1: y, x2: sum.x - 22, y2: sum.y, stroke: colour, 'stroke-width': width,
        'stroke-dasharray': weight === 0 ? '4 3' : 'none', class: 'link',
      }));
      svg.append(el('circle', { cx: inX, cy: y, r: 12, class: 'node' }));
      const bias = k === rows - 1;
      if (value && (inside || bias)) svg.append(el('text', { x: inX, y: y + 4, class: 'node-value' }, value));
      const name = value && !inside && !bias ? `${shorten(label, 9)} = ${value}` : label;
      svg.append(el('text', { x: inX - 18, y: y + 4, class: 'input-name' }, name));
      if (!labelled) return;
      // Near the input end the links are still a row apart, so labels of similar weights never
      // sit on each other (at the middle they would: the links meet at Σ).
      const t = 0.22;
      const lx = inX + 16 + (sum.x - 22 - inX - 12) * t;
      const ly = y + (sum.y - y) * t;
      // Above a link that falls to Σ, below one that rises to it: clear of the line either way.
      svg.append(el('text', { x: lx, y: y > sum.y ? ly + 13 : ly - 6, class: 'weight-label' }, caption));
    };
    shown.forEach((i, k) => {
      link(k, w[i], shorten(names[i]), x ? num(x[i]) : '', `w${i + 1}=${num(w[i])}`);
    });
    if (hidden) {
      svg.append(el('text', { x: inX + 12, y: yOf(shown.length) + 4, class: 'input-name' },
        `+ ${t('neuron.more_inputs', { count: hidden })}`));
    }
    link(rows - 1, frame.config.use_bias ? at.bias : 0, t('neuron.bias'), '1', `b=${num(at.bias)}`);
    svg.append(el('circle', { cx: sum.x, cy: sum.y, r: 22, class: 'node sum' }));
    svg.append(el('text', { x: sum.x, y: sum.y + 7, class: 'sum-label' }, 'Σ'));
    if (at.z !== null) svg.append(el('text', { x: sum.x, y: sum.y + 40, class: 'node-note' }, `z=${num(at.z)}`));
    svg.append(el('line', { x1: sum.x + 22, y1: sum.y, x2: 300, y2: sum.y, class: 'arrow' }));
    svg.append(el('rect', { x: 300, y: sum.y - 18, width: 52, height: 36, rx: 6, class: 'node act' }));
    const act = ACTIVATION_LABEL[frame.config.activation] ?? 'f';
    // A long word (escalón, échelon) is squeezed to fit its box rather than spill out of it.
    const fit = act.length > 5 ? { textLength: 44, lengthAdjust: 'spacingAndGlyphs' } : {};
    svg.append(el('text', { x: 326, y: sum.y + 5, class: 'act-label', ...fit }, act));
    svg.append(el('line', { x1: 352, y1: sum.y, x2: 372, y2: sum.y, class: 'arrow' }));
    svg.append(el('circle', { cx: 384, cy: sum.y, r: 12, class: 'node out' }));
    if (at.output !== null) svg.append(el('text', { x: 384, y: sum.y + 32, class: 'node-note' }, `o=${num(at.output)}`));
  }

  drawFormula(frame) {
    const { weights: w, bias: b } = frame;
    const key = `${frame.config.activation}|${w.join()}|${b}|${frame.config.use_bias}`;
    if (key === this.formulaKey) return;
    this.formulaKey = key;
    let z;
    if (w.length <= 4) {
      const terms = w.map((wi, i) => `${i === 0 ? texNum(wi) : signed(wi)}\\,x_{${i + 1}}`);
      z = `z = ${terms.join(' ')}${frame.config.use_bias ? ` ${signed(b)}` : ''}`;
    } else {
      z = `z = \\textstyle\\sum_{i=1}^{${w.length}} w_i x_i${frame.config.use_bias ? ` ${signed(b)}` : ''}`;
    }
    const f = ACTIVATION_TEX[frame.config.activation] ?? 'f(z)';
    const zLine = document.createElement('div');
    const yLine = document.createElement('div');
    renderTex(zLine, z);
    renderTex(yLine, `y = ${f}`);
    this.formula.replaceChildren(zLine, yLine);
  }

  drawRows(frame, names, editable) {
    const n = frame.weights.length;
    const key = names.join('|');
    if (key !== this.rowsKey) this.buildRows(names);
    const scale = Math.max(1e-9, ...frame.weights.map(Math.abs), Math.abs(frame.bias));
    const values = [...frame.weights, frame.bias];
    this.inputs.forEach((input, i) => {
      const v = values[i];
      if (document.activeElement !== input) input.value = String(Number(v.toPrecision(4)));
      const bias = i === n;
      input.disabled = !editable || (bias && !frame.config.use_bias);
      const bar = this.bars[i];
      const share = Math.min(1, Math.abs(v) / scale) * 50;
      bar.style.width = `${share}%`;
      bar.style.left = v >= 0 ? '50%' : `${50 - share}%`;
      bar.className = `bar ${v >= 0 ? 'pos' : 'neg'}`;
    });
    this.hint.textContent = editable
      ? t('neuron.type_hint')
      : (frame.status === 'running' ? t('neuron.pause_to_edit') : '');
  }

  buildRows(names) {
    this.rowsKey = names.join('|');
    this.weightsBox.replaceChildren();
    this.inputs = [];
    this.bars = [];
    const labels = [...names.map((name, i) => `w${i + 1} (${name})`), `b (${t('neuron.bias')})`];
    labels.forEach((label, i) => {
      const row = document.createElement('div');
      row.className = 'weight-row';
      const id = `weight-${i}`;
      const lab = document.createElement('label');
      lab.htmlFor = id;
      lab.textContent = label;
      lab.title = label;
      const track = document.createElement('div');
      track.className = 'track';
      track.setAttribute('aria-hidden', 'true');
      const bar = document.createElement('div');
      bar.className = 'bar';
      track.append(bar);
      const input = document.createElement('input');
      Object.assign(input, { id, type: 'number', step: 'any' });
      input.dataset.steer = '';
      input.addEventListener('change', () => this.commit(i));
      row.append(lab, track, input);
      this.weightsBox.append(row);
      this.inputs.push(input);
      this.bars.push(bar);
    });
  }

  /** Send the one value typed; the others go back as the server has them — or, when another
   *  value was sent a moment ago and its frame may not be back yet, as they were sent. */
  commit(index) {
    const typed = Number(this.inputs[index].value);
    if (this.inputs[index].value.trim() === '' || !Number.isFinite(typed) || !this.frame) return;
    const recent = this.sent && performance.now() - this.sent.at < RECENT_MS ? this.sent : this.frame;
    const weights = [...recent.weights];
    let bias = recent.bias;
    if (index < weights.length) weights[index] = typed;
    else bias = typed;
    this.sent = { weights, bias, at: performance.now() };
    this.onSetWeights(weights, bias);
  }
}

/**
 * The one moment the diagram shows. After an online update, paused: that sample going in with the
 * weights it met, its z and its output (the numbers of the worked update; the weights after it
 * are under the diagram). Otherwise: the weights now, and no sample.
 */
export function momentOf(frame) {
  const u = frame.last_update;
  const now = { weights: frame.weights, bias: frame.bias, x: null, z: null, output: null,
    caption: t('neuron.now') };
  if (!u || u.kind === 'batch' || !u.x || frame.status === 'running') return now;
  const { w, b } = weightsBefore(u);
  // The line under the diagram gives the frame's own weights: after the update, unless slow
  // motion holds the frame before it. The caption says which, when they differ.
  const moved = b !== frame.bias || w.some((wi, i) => wi !== frame.weights[i]);
  return { weights: w, bias: b, x: u.x, z: u.z, output: u.output,
    caption: t(moved ? 'neuron.going_in_after' : 'neuron.going_in', { i: u.sample + 1 }) };
}

const RECENT_MS = 1000; // longer than a frame's round trip, shorter than a learner's next thought

function signed(x) {
  const s = texNum(x);
  return s.startsWith('-') ? `- ${s.slice(1)}` : `+ ${s}`;
}
